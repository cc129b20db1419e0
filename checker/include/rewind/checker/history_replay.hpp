// Replaying a recorded execution (rewind-run --json / ExecutionResult::toJson(), a
// GetDurableExecutionState operation list or GetDurableExecutionHistory events) against the current handler code: the
// check to run before deploying a change while executions are still in flight.
//
//   auto report = rwd::checker::replayHistory(handler, rwd::Json::parse(text));
//   if (report.divergence) std::cerr << report.explain();
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rewind/handler.hpp"
#include "rewind/replay.hpp"

namespace rwd::checker {

struct HistoryReplayReport {
  std::size_t operations = 0;  // operations in the recorded log
  Payload input;               // the execution's input (from the history, or given)
  ReplayOutcome outcome;
  // The first divergence: the runtime's NonDeterministicExecutionError, or a recorded
  // result the code no longer produces. Empty when the code replays the log cleanly.
  std::optional<std::string> divergence;
  std::string explain() const;
};

// The deepest nesting of arrays and objects a recorded document may have.
inline constexpr std::size_t kMaxHistoryDepth = 512;

// The recorded operation log of a document: rewind-run --json output (its
// "Operations"), a GetDurableExecutionState operation list (an array, or
// {"Operations": [...]}), or GetDurableExecutionHistory events (an array of events,
// {"Events": [...]} or {"History": [...]}) from which the operations are rebuilt.
// Throws std::invalid_argument ([rewind.checker.bad_history]) naming the first field
// of the wrong shape; never anything else.
std::vector<Operation> recordedOperations(const Json& document);

// Replays the recorded log (see recordedOperations) against `handler`. Throws
// std::invalid_argument ([rewind.checker.bad_history]) when the document is of the wrong
// shape, or when no input is given and the history has no ExecutionStarted.
// `options` as for replayInvocation (its invocationTimeout bounds the replay in wall time).
HistoryReplayReport replayHistory(const RawHandler& handler, const Json& document,
                                  const std::optional<Payload>& input = std::nullopt,
                                  const RunnerOptions& options = {});

}  // namespace rwd::checker
