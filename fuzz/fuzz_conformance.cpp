// libFuzzer target: rewind-conformance's YAML reader and matcher
// (tools/conformance/yaml_value.cpp, matcher.cpp). The input is a requirement-like YAML
// document; when it is a mapping, its Variables are generated and substituted and its
// expectations are matched against its own `Actual*` keys (or against themselves):
// ExpectedExecutionHistory vs ActualHistory, ExpectedResult vs ActualResult,
// ExpectedLogs vs ActualLogs, Expected vs Actual. Contract: YAML errors are
// std::runtime_error, bad Variables std::invalid_argument with a stable id, and the
// matchers answer with a Mismatch or nothing; never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "matcher.hpp"
#include "python_json.hpp"
#include "yaml_value.hpp"

namespace {

using rwd::conformance::Value;

const Value& field(const Value& spec, const char* key) {
  static const Value none;
  return spec.is_object() && spec.contains(key) ? spec[key] : none;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  Value spec;
  try {
    spec = rwd::conformance::parseYaml(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::runtime_error&) {
    return 0;  // invalid YAML: a one-line error naming the problem
  } catch (const std::exception& e) {
    rwd::fuzz::unexpected("fuzz_conformance", e.what());
  }
  try {
    rwd::conformance::Variables variables = rwd::conformance::generateVariables(spec, 7);
    Value s = rwd::conformance::substitute(spec, variables);
    rwd::conformance::Matcher m(variables);
    const Value& history = field(s, "ExpectedExecutionHistory");
    const Value& actualHistory = s.contains("ActualHistory") ? field(s, "ActualHistory") : history;
    if (auto miss =
            rwd::conformance::matchHistory(history, actualHistory.is_array() ? actualHistory : Value::array(), m))
      (void)miss->describe();
    const Value& actualResult = field(s, "ActualResult");
    std::optional<std::string> payload;
    if (!actualResult.is_null()) payload = rwd::conformance::pythonJsonDumps(actualResult);
    (void)rwd::conformance::matchResult(field(s, "ExpectedResult"), "SUCCEEDED", payload, "", m);
    std::vector<Value> records;
    const Value& logs = field(s, "ActualLogs");
    if (logs.is_array())
      for (const auto& r : logs) records.push_back(r);
    (void)rwd::conformance::matchLogs(field(s, "ExpectedLogs"), records, m);
    (void)m.match(field(s, "Expected"), field(s, "Actual"));
    (void)rwd::conformance::pythonJsonDumps(s);
  } catch (const std::invalid_argument& e) {
    if (!rwd::fuzz::hasStableId(e.what())) rwd::fuzz::unexpected("fuzz_conformance", e.what());
  } catch (const std::exception& e) {
    rwd::fuzz::unexpected("fuzz_conformance", e.what());
  }
  return 0;
}
