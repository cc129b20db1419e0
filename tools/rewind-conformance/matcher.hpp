// The conformance matching rules (DESIGN.md section 2, "The AWS conformance
// requirements"): expected values against actual ones, `'*'` and `{}`, `${NAME}`
// bindings, `${/re/}` searches, `${GEN_STR:n}` variables; history by EventId, the
// execution result, and ExpectedLogs.
//
//   Matcher m(variables);
//   if (auto miss = matchHistory(spec["ExpectedExecutionHistory"], history, m))
//     std::cout << miss->describe();  // history[EventId=3].StepSucceededDetails: missing key
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "value.hpp"

namespace rwd::conformance {

// The first place where actual differs from expected.
struct Mismatch {
  std::string path;     // e.g. history[EventId=3].StepSucceededDetails.Result
  std::string message;  // what was expected and what was found
  std::string describe() const { return path + ": " + message; }
};

// Variables of one run, in the order the file lists them.
using Variables = std::vector<std::pair<std::string, std::string>>;

// The longest `${GEN_STR:n}` a requirement may ask for.
inline constexpr std::size_t kMaxGenStrLength = 65536;

// Evaluates `Variables`: each `${GEN_STR:n}` becomes n random lowercase letters and
// digits drawn from `seed`, once per run. Values are taken as text (str() of the
// YAML value). Throws std::invalid_argument ([rewind.conformance.bad_variable]) when n
// exceeds kMaxGenStrLength.
Variables generateVariables(const Value& spec, std::uint64_t seed);

// Replaces every `${NAME}` of `variables` inside strings (keys too), regexes included.
Value substitute(const Value& value, const Variables& variables);

// Matches one expected value against one actual value. Keeps the bindings made by
// `${NAME}` across calls (history, result and logs share them).
class Matcher {
 public:
  Matcher() = default;
  explicit Matcher(const Variables& prebound);

  // nullopt when `actual` satisfies `expected`.
  std::optional<Mismatch> match(const Value& expected, const Value& actual, const std::string& path = "$");

  const std::map<std::string, Value>& bindings() const noexcept { return bindings_; }

 private:
  void check(const Value& expected, const Value& actual, const std::string& path);
  std::map<std::string, Value> bindings_;
};

// True when `text` is `${/re/}`; `pattern` receives re.
bool isRegexReference(std::string_view text, std::string* pattern = nullptr);
// Python re.search semantics (PCRE2); compiled patterns are cached. Throws
// std::invalid_argument on an invalid pattern.
bool regexSearch(const std::string& pattern, std::string_view subject);

// ExpectedExecutionHistory against the actual events, matched by EventId; unlisted
// ids are not checked.
std::optional<Mismatch> matchHistory(const Value& expected, const Value& actualEvents, Matcher& matcher);

// ExpectedResult: ExecutionStatus always; Result (when given) against the JSON-decoded
// result on success. `errorText` is shown when the status differs.
std::optional<Mismatch> matchResult(const Value& expected, std::string_view status,
                                    const std::optional<std::string>& resultPayload, std::string_view errorText,
                                    Matcher& matcher);

// ExpectedLogs against the log records: each entry's `match` fields (exact, or `/re/`
// search; bound `${NAME}`s substituted), counted with count / min_count / max_count
// (default: at least one), optionally restricted to records before / after the first
// record matching an anchor (`before:`/`after:` hold another entry's index, a
// `{match: ...}` mapping, a field mapping, or a list of these: after every one of them).
std::optional<Mismatch> matchLogs(const Value& expected, const std::vector<Value>& records, Matcher& matcher);

}  // namespace rwd::conformance
