// Replaying a recorded operation log against (possibly changed) handler code: one
// invocation runs over the given records, and any mismatch with them is reported.
// This is the check to run before deploying a change while executions are in flight.
#pragma once

#include <optional>
#include <vector>

#include "rewind/handler.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/operation.hpp"

namespace rwd {

struct ReplayOutcome {
  InvocationOutcome outcome = InvocationOutcome::Pending;  // how the invocation ended
  Payload result;                                           // when it succeeded
  std::optional<ErrorObject> error;                         // when it failed
  // Updates the code checkpointed beyond the log (new work a live run would do next).
  std::vector<OperationUpdate> newUpdates;
  // Set when replay diverged: the NonDeterministicExecutionError (or invalid checkpoint)
  // that the runtime raised, with the step id it names.
  std::optional<ErrorObject> divergence;
};

// Runs one invocation of `handler` with `input` against `log` (records in creation
// order, as GetDurableExecutionState returns them). Nothing outside is touched: waits,
// callbacks and invokes the code starts are recorded in newUpdates, not performed.
// Throws std::invalid_argument when it is not a log it could replay ([rewind.replay.bad_log]):
// an Id twice, or a ParentId that names no record of the log or a record that is not a
// CONTEXT (a hand-edited history; the service never returns such a log).
ReplayOutcome replayInvocation(const RawHandler& handler, const std::vector<Operation>& log, const Payload& input,
                               const RunnerOptions& options = {});

// The log checks replayInvocation makes before it runs anything: throws
// std::invalid_argument ([rewind.replay.bad_log]) naming the first record at fault.
void validateLog(const std::vector<Operation>& log);

}  // namespace rwd
