// Reading an execution back from its GetDurableExecutionHistory events: the events as
// values (the inverse of history_json.hpp, wire or document form), and the operation
// records, invocations and outcome they describe. What a remote test runner knows of an
// execution it did not run itself.
//
//   std::vector<rwd::HistoryEvent> events = rwd::historyFromJson(client.history(arn));
//   std::vector<rwd::Operation> ops = rwd::operationsFromHistory(events);
#pragma once

#include <optional>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// One event as GetDurableExecutionHistory writes it (timestamps as epoch seconds or
// ISO-8601 text). Throws std::invalid_argument naming the bad member
// ([rewind.history.bad_event]).
HistoryEvent historyEventFromJson(const Json& j);
// The "Events" array, or a document holding it.
std::vector<HistoryEvent> historyFromJson(const Json& j);

// The operations the events describe, in creation order, as the service's records hold
// them (the EXECUTION operation excluded, as in ExecutionResult::getOperations()). The
// positional StepId is not in the history: it is recovered where the Id is Rewind's
// md5 of it (children numbered from 1 under their parent's StepId), else left empty.
// What the history does not carry stays at its default: a context's ReplayChildren, a
// step waiting to retry is Pending (never Ready), a cancelled callback or invoke stays
// Started.
std::vector<Operation> operationsFromHistory(const std::vector<HistoryEvent>& events);

// One record per InvocationCompleted event. The outcome is Failed when the event has an
// error (Crashed for Runtime.ExitError, TimedOut for Sandbox.Timedout), the execution's
// outcome for the last invocation of an ended execution, else Pending.
std::vector<InvocationRecord> invocationsFromHistory(const std::vector<HistoryEvent>& events);

// How the execution ended according to its events (Running while none says so), with
// its result payload or error.
struct HistoryOutcome {
  ExecutionStatus status = ExecutionStatus::Running;
  Payload result;
  std::optional<ErrorObject> error;
  Payload input;  // ExecutionStarted's input
};
HistoryOutcome outcomeFromHistory(const std::vector<HistoryEvent>& events);

}  // namespace rwd
