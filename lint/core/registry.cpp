// The registry: the single place where checks are listed.
#include "core/registry.hpp"

#include <algorithm>

#include "checks/determinism/nondeterministic_call_check.hpp"
#include "checks/determinism/unordered_iteration_check.hpp"
#include "checks/orchestration/blocking_sleep_check.hpp"
#include "checks/step/captured_mutation_check.hpp"
#include "checks/step/nested_operation_check.hpp"
#include "checks/suspension/swallowed_suspension_check.hpp"

namespace rwd::lint {
namespace {

template <class T>
CheckInfo entry(std::string name, std::string module, std::string stem, std::string summary) {
  return {std::move(name), std::move(module), std::move(stem), std::move(summary),
          [](const std::string& checkName, const OptionReader& options) {
            return std::unique_ptr<Check>(new T(checkName, options));
          }};
}

std::vector<CheckInfo> buildRegistry() {
  std::vector<CheckInfo> checks = {
      entry<NondeterministicCallCheck>("rewind-determinism-nondeterministic-call", "determinism",
                                       "nondeterministic_call",
                                       "clock, random, UUID, environment, thread-id and external-state "
                                       "(file, network, process, stdin) reads in orchestration code outside a step"),
      entry<UnorderedIterationCheck>("rewind-determinism-unordered-iteration", "determinism", "unordered_iteration",
                                     "durable operations issued while iterating an unordered container"),
      entry<BlockingSleepCheck>("rewind-orchestration-blocking-sleep", "orchestration", "blocking_sleep",
                                "blocking sleeps in orchestration code instead of a durable wait"),
      entry<CapturedMutationCheck>("rewind-step-captured-mutation", "step", "captured_mutation",
                                   "step-like callbacks that mutate captured state"),
      entry<NestedOperationCheck>("rewind-step-nested-operation", "step", "nested_operation",
                                  "durable operations on the enclosing context inside a step body"),
      entry<SwallowedSuspensionCheck>("rewind-suspension-swallowed", "suspension", "swallowed_suspension",
                                      "catch (...) or catch of the suspension signal without rethrow in "
                                      "orchestration code"),
  };
  std::sort(checks.begin(), checks.end(), [](const CheckInfo& a, const CheckInfo& b) { return a.name < b.name; });
  return checks;
}

}  // namespace

const std::vector<CheckInfo>& allChecks() {
  static const std::vector<CheckInfo> checks = buildRegistry();
  return checks;
}

const CheckInfo* findCheck(const std::string& name) {
  for (const CheckInfo& info : allChecks()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace rwd::lint
