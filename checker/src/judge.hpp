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
// A judged run's operations and updates mostly sit at the same positions as the
// reference's (ids are positional, and a resumed run shares the reference's prefix), so
// the lookups try that position first and fall back to the hash maps.
struct RefIndex {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  const RunTrace& ref;
  std::unordered_map<std::string_view, std::size_t> ops;                // id -> position in ref.operations
  std::unordered_map<std::string_view, std::size_t> steps;              // stepId -> position in ref.operations
  std::unordered_map<std::string_view, const OperationUpdate*> starts;  // id -> its first START
  std::vector<std::size_t> updatePos;               // per ref update: its operation's position (npos: none)
  std::vector<const OperationUpdate*> updateStart;  // per ref update: its operation's first START
  std::vector<std::size_t> bodyPos;                 // per ref body start: its step's position (npos: none)
  explicit RefIndex(const RunTrace& r);
  const Operation* op(std::string_view id) const {
    auto it = ops.find(id);
    return it == ops.end() ? nullptr : &ref.operations[it->second];
  }
  // The reference's operation with `id`, tried at position `i` of ref.operations first.
  const Operation* opAt(std::size_t i, std::string_view id) const {
    if (i < ref.operations.size() && ref.operations[i].id == id) return &ref.operations[i];
    return op(id);
  }
  // Position in ref.operations of the operation of update `u`, found at index `i` of a run's updates.
  std::size_t positionOfUpdate(std::size_t i, const OperationUpdate& u) const {
    // (A resumed run shares the reference's updates before its crash: the same object.)
    if (i < updatePos.size() && (&ref.updates[i].update == &u || ref.updates[i].update.id == u.id)) return updatePos[i];
    auto it = ops.find(u.id);
    return it == ops.end() ? npos : it->second;
  }
  // Position in ref.operations of the step of body start `b`, found at index `i` of a run's body starts.
  std::size_t positionOfBody(std::size_t i, const RunTrace::BodyStart& b) const {
    if (i < bodyPos.size() && (&ref.bodyStarts[i] == &b || ref.bodyStarts[i].stepId == b.stepId)) return bodyPos[i];
    auto it = steps.find(b.stepId);
    return it == steps.end() ? npos : it->second;
  }
  // The reference's first START of the operation of update `u`, found at index `i` of a run's updates.
  const OperationUpdate* startOf(std::size_t i, const OperationUpdate& u) const {
    if (i < updateStart.size() && (&ref.updates[i].update == &u || ref.updates[i].update.id == u.id))
      return updateStart[i];
    auto it = starts.find(u.id);
    return it == starts.end() ? nullptr : it->second;
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
// the crash-free run judged alone). `fedWith` (for messages), when not empty: ref is a
// crash-free run fed what t legally did otherwise ("the same step values", "the same item
// order"). Findings carry `schedule`, `mode` and `resume`.
Verdict judgeRun(const RunTrace& ref, const RefIndex& refIndex, const RunTrace& t, const Schedule& schedule,
                 const CheckOptions& options, CheckMode mode, std::string_view fedWith);

// The schedule in the user's terms, read off `run` (the run that made the crashes): each
// crash named by operation and action, injected failures by step name.
std::string describeCrashes(const RunTrace& run, const Schedule& schedule);
// A few lines around the first difference between the two runs' operation logs.
std::string historyDiff(const RunTrace& ref, const RunTrace& run);

}  // namespace rwd::checker::internal
