// The checker's oracles (private): judging one run against a reference, and the words the
// reports use for operations, outcomes, crash points and history differences.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rewind/checker/crash_checker.hpp"

namespace rwd::checker::internal {

// Lookups into a reference run, built once per reference instead of once per judged run.
struct RefIndex {
  std::unordered_map<std::string_view, const Operation*> ops;
  std::unordered_map<std::string_view, const OperationUpdate*> starts;
  explicit RefIndex(const RunTrace& r);
  const Operation* op(std::string_view id) const {
    auto it = ops.find(id);
    return it == ops.end() ? nullptr : it->second;
  }
};

// "'charge' (step 3)" / "step 3"
std::string opLabel(const std::optional<std::string>& name, const std::string& stepId);
std::string opLabel(const Operation& op);
// "SUCCEEDED with 42" / "FAILED with Type: message" / "RUNNING (why)"
std::string describeOutcome(ExecutionStatus s, const Payload& result, const std::optional<ErrorObject>& error,
                            const std::string& blockedReason = {});
bool sameJsonText(const Payload& a, const Payload& b);
// An AtMostOncePerRetry step, as the runtime said when its body started (or named in
// CheckOptions::atMostOnceSteps, which older command lines still pass).
bool isAtMostOnce(const RunTrace::BodyStart& b, const std::set<std::string>& named);

struct Verdict {
  std::vector<Finding> findings;
  bool failed[kOracleCount] = {};
};

// Runs every oracle (and the user's invariants) on `t` against `ref` (`t` may be `ref`:
// the crash-free run judged alone). `valueReference`: ref is a crash-free run fed t's step
// values (for messages). Findings carry `schedule`, `mode` and `resume`.
Verdict judgeRun(const RunTrace& ref, const RefIndex& refIndex, const RunTrace& t, const Schedule& schedule,
                 const CheckOptions& options, CheckMode mode, bool valueReference);

// The schedule in the user's terms, read off `run` (the run that made the crashes): each
// crash named by operation and action, injected failures by step name.
std::string describeCrashes(const RunTrace& run, const Schedule& schedule);
// A few lines around the first difference between the two runs' operation logs.
std::string historyDiff(const RunTrace& ref, const RunTrace& run);

}  // namespace rwd::checker::internal
