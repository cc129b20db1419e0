// The one list of rewind-lint checks. No static registrars: a check exists
// when it is listed in allChecks(), and the registry test then requires its
// doc page, fixture and test.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rwd::lint {

class Check;
class OptionReader;

struct CheckInfo {
  std::string name;     // "rewind-determinism-nondeterministic-call"
  std::string module;   // "determinism": lint/checks/<module>/
  std::string stem;     // "nondeterministic_call": <stem>_check.cpp, fixture, test
  std::string summary;  // one line, for --list-checks and SARIF rules
  std::function<std::unique_ptr<Check>(const std::string& name, const OptionReader& options)> create;
};

// Every check, sorted by name.
const std::vector<CheckInfo>& allChecks();

// The entry for `name`, or null.
const CheckInfo* findCheck(const std::string& name);

}  // namespace rwd::lint
