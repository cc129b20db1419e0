// Replaying a recorded execution (rewind-run --json / ExecutionResult::toJson(), or a
// GetDurableExecutionState operation list) against the current handler code: the check
// to run before deploying a change while executions are still in flight.
//
//   auto report = rwd::checker::replayHistory(handler, rwd::Json::parse(text));
//   if (report.divergence) std::cerr << report.explain();
#pragma once

#include <optional>
#include <string>

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

// Throws std::invalid_argument ([rewind.checker.bad_history]) when the document holds no
// operation list, or when no input is given and the history has no ExecutionStarted.
HistoryReplayReport replayHistory(const RawHandler& handler, const Json& document,
                                  const std::optional<Payload>& input = std::nullopt);

}  // namespace rwd::checker
