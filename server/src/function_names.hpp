// FunctionName as the Lambda service model allows it: a name, a partial ARN
// (123456789012:function:NAME) or an ARN, with an optional qualifier (NAME:QUALIFIER).
// Used for the API's FunctionName and for a chained invoke's target.
#pragma once

#include <optional>
#include <regex>
#include <string>

namespace rwd::server::internal {

struct FunctionRef {
  std::string name;
  std::optional<std::string> qualifier;  // a version or alias, when given
};

// nullopt: not a function name or ARN.
inline std::optional<FunctionRef> parseFunctionName(const std::string& raw) {
  static const std::regex kPattern(
      R"((arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?)");
  std::smatch m;
  if (raw.empty() || raw.size() > 256 || !std::regex_match(raw, m, kPattern)) return std::nullopt;
  FunctionRef ref{m[10].str(), std::nullopt};
  if (m[12].matched) ref.qualifier = m[12].str();
  return ref;
}

}  // namespace rwd::server::internal
