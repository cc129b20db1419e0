// GetDurableExecutionHistory events back into values, and the records they describe.
// Each event type has one transition on its operation's record (the table in
// applyEvent); an event for an operation that was never started is an error.
#include "rewind/history_reader.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
#include "rewind/json_text.hpp"
#include "rewind/operation_json.hpp"

namespace rwd {

namespace {

[[noreturn]] void badEvent(const std::string& what) {
  throw std::invalid_argument(fmt::format("[rewind.history.bad_event] {}", what));
}

std::optional<HistoryEventType> eventTypeFromString(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(HistoryEventType::InvocationCompleted); ++i) {
    auto t = static_cast<HistoryEventType>(i);
    if (toString(t) == s) return t;
  }
  return std::nullopt;
}

// Epoch seconds (the wire form) or ISO-8601 text (the document form).
TimePoint timestampOf(const Json& v, const char* member) {
  if (v.is_number()) {
    double ms = std::round(v.get<double>() * 1000.0);
    if (ms >= static_cast<double>(kMinTimestampMs) && ms <= static_cast<double>(kMaxTimestampMs))
      return TimePoint{std::chrono::milliseconds{static_cast<std::int64_t>(ms)}};
  }
  if (v.is_string())
    if (auto t = parseTimestamp(v.get<std::string>())) return *t;
  badEvent(fmt::format("{} is not a timestamp: {}", member, v.dump()));
}

std::optional<std::string> text(const Json& j, const char* member) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) badEvent(fmt::format("{} must be a string, got {}", member, it->dump()));
  return it->get<std::string>();
}

std::optional<std::int64_t> integer(const Json& j, const char* member) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return std::nullopt;
  std::optional<std::int64_t> v =
      wholeNumberIn(*it, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
  if (!v) badEvent(fmt::format("{} must be a whole number, got {}", member, it->dump().substr(0, 100)));
  return *v;
}

// {Payload, Truncated}: the payload's text (a null Payload is an absent result).
void readPayload(const Json& d, const char* member, HistoryEvent& ev) {
  auto it = d.find(member);
  if (it == d.end() || !it->is_object()) return;
  ev.hasResult = true;
  auto p = it->find("Payload");
  if (p != it->end() && !p->is_null()) ev.result = p->is_string() ? p->get<std::string>() : p->dump();
}

void readError(const Json& d, HistoryEvent& ev) {
  auto it = d.find("Error");
  if (it == d.end() || !it->is_object()) return;
  auto p = it->find("Payload");
  if (p != it->end() && !p->is_null()) ev.error = internal::errorFromJson(*p);
}

void readRetry(const Json& d, HistoryEvent& ev) {
  auto it = d.find("RetryDetails");
  if (it == d.end() || !it->is_object()) return;
  if (auto a = integer(*it, "CurrentAttempt")) {
    if (*a < 0 || *a > std::numeric_limits<int>::max()) badEvent(fmt::format("CurrentAttempt {} is out of range", *a));
    ev.currentAttempt = static_cast<int>(*a);
  }
  ev.nextAttemptDelaySeconds = integer(*it, "NextAttemptDelaySeconds");
}

}  // namespace

HistoryEvent historyEventFromJson(const Json& j) {
  using T = HistoryEventType;
  if (!j.is_object()) badEvent(fmt::format("an event must be an object, got {}", j.dump()));
  HistoryEvent ev;
  auto typeName = text(j, "EventType");
  if (!typeName) badEvent("EventType is missing");
  auto type = eventTypeFromString(*typeName);
  if (!type) badEvent(fmt::format("unknown EventType '{}'", *typeName));
  ev.type = *type;
  ev.eventId = integer(j, "EventId").value_or(0);
  if (j.contains("EventTimestamp")) ev.timestamp = timestampOf(j["EventTimestamp"], "EventTimestamp");
  ev.id = text(j, "Id");
  ev.parentId = text(j, "ParentId");
  ev.name = text(j, "Name");
  if (auto sub = text(j, "SubType")) {
    ev.subType = operationSubTypeFromString(*sub);
    if (!ev.subType) badEvent(fmt::format("unknown SubType '{}'", *sub));
  }
  const std::string detailsKey = *typeName + "Details";
  const Json d = j.contains(detailsKey) && j[detailsKey].is_object() ? j[detailsKey] : Json::object();
  switch (ev.type) {
    case T::ExecutionStarted:
      readPayload(d, "Input", ev);
      break;
    case T::ExecutionSucceeded:
    case T::StepSucceeded:
    case T::CallbackSucceeded:
    case T::ContextSucceeded:
    case T::ChainedInvokeSucceeded:
      readPayload(d, "Result", ev);
      readRetry(d, ev);
      break;
    case T::ExecutionFailed:
    case T::ExecutionTimedOut:
    case T::ExecutionStopped:
    case T::StepFailed:
    case T::CallbackFailed:
    case T::CallbackTimedOut:
    case T::ContextFailed:
    case T::ChainedInvokeFailed:
    case T::ChainedInvokeTimedOut:
    case T::ChainedInvokeStopped:
      readError(d, ev);
      readRetry(d, ev);
      break;
    case T::StepStarted:
    case T::ContextStarted:
    case T::WaitCancelled:
      break;
    case T::WaitStarted:
    case T::WaitSucceeded:
      ev.durationSeconds = integer(d, "Duration");
      if (d.contains("ScheduledEndTimestamp") && !d["ScheduledEndTimestamp"].is_null())
        ev.scheduledEndTimestamp = timestampOf(d["ScheduledEndTimestamp"], "ScheduledEndTimestamp");
      break;
    case T::CallbackStarted:
      if (auto id = text(d, "CallbackId")) ev.callbackId = *id;
      ev.timeoutSeconds = integer(d, "Timeout");
      ev.heartbeatTimeoutSeconds = integer(d, "HeartbeatTimeout");
      break;
    case T::ChainedInvokeStarted:
      if (auto f = text(d, "FunctionName")) ev.functionName = *f;
      readPayload(d, "Input", ev);
      if (auto t = text(d, "TenantId")) ev.tenantId = *t;
      if (auto a = text(d, "DurableExecutionArn")) ev.durableExecutionArn = *a;
      break;
    case T::InvocationCompleted:
      if (d.contains("StartTimestamp")) ev.invocationStart = timestampOf(d["StartTimestamp"], "StartTimestamp");
      if (d.contains("EndTimestamp")) ev.invocationEnd = timestampOf(d["EndTimestamp"], "EndTimestamp");
      if (auto r = text(d, "RequestId")) ev.requestId = *r;
      readError(d, ev);
      break;
  }
  return ev;
}

std::vector<HistoryEvent> historyFromJson(const Json& j) {
  const Json& events = j.is_object() && j.contains("Events") ? j["Events"] : j;
  if (!events.is_array()) badEvent("the history must be an array of events (or an object with Events)");
  std::vector<HistoryEvent> out;
  out.reserve(events.size());
  for (const Json& e : events) out.push_back(historyEventFromJson(e));
  return out;
}

namespace {

bool isExecutionEvent(HistoryEventType t) {
  using T = HistoryEventType;
  return t == T::ExecutionStarted || t == T::ExecutionSucceeded || t == T::ExecutionFailed ||
         t == T::ExecutionTimedOut || t == T::ExecutionStopped || t == T::InvocationCompleted;
}

// The operation type an event's *Started creates.
std::optional<OperationType> startedType(HistoryEventType t) {
  using T = HistoryEventType;
  switch (t) {
    case T::StepStarted:
      return OperationType::Step;
    case T::WaitStarted:
      return OperationType::Wait;
    case T::CallbackStarted:
      return OperationType::Callback;
    case T::ContextStarted:
      return OperationType::Context;
    case T::ChainedInvokeStarted:
      return OperationType::ChainedInvoke;
    default:
      return std::nullopt;
  }
}

// The positional StepId whose md5 is `id`, among the first children of `parentStepId`.
std::string recoverStepId(const std::string& id, const std::string& parentStepId) {
  constexpr int kMaxChildren = 4096;
  for (int n = 1; n <= kMaxChildren; ++n) {
    std::string candidate = parentStepId.empty() ? std::to_string(n) : fmt::format("{}-{}", parentStepId, n);
    if (operationIdFor(candidate) == id) return candidate;
  }
  return {};
}

// The transition of one event on its operation's record.
void applyEvent(const HistoryEvent& ev, Operation& op) {
  using T = HistoryEventType;
  auto end = [&](OperationStatus s) {
    op.status = s;
    op.endTimestamp = ev.timestamp;
  };
  switch (ev.type) {
    case T::StepStarted:
      op.status = OperationStatus::Started;
      op.stepDetails->attempt += 1;
      op.stepDetails->nextAttemptTimestamp.reset();
      break;
    case T::StepSucceeded:
    case T::StepFailed:
      if (ev.currentAttempt) op.stepDetails->attempt = *ev.currentAttempt;
      if (ev.type == T::StepSucceeded)
        op.stepDetails->result = ev.result;
      else
        op.stepDetails->error = ev.error;
      if (ev.nextAttemptDelaySeconds) {  // a retry: the step waits for its next attempt
        op.status = OperationStatus::Pending;
        op.stepDetails->nextAttemptTimestamp = ev.timestamp + Duration{*ev.nextAttemptDelaySeconds};
      } else {
        end(ev.type == T::StepSucceeded ? OperationStatus::Succeeded : OperationStatus::Failed);
      }
      break;
    case T::WaitStarted:
      op.waitDetails =
          WaitDetails{ev.scheduledEndTimestamp.value_or(ev.timestamp + Duration{ev.durationSeconds.value_or(0)}),
                      ev.durationSeconds.value_or(0)};
      break;
    case T::WaitSucceeded:
      end(OperationStatus::Succeeded);
      break;
    case T::WaitCancelled:
      end(OperationStatus::Cancelled);
      break;
    case T::CallbackStarted: {
      CallbackDetails cd;
      cd.callbackId = ev.callbackId.value_or("");
      cd.timeoutSeconds = ev.timeoutSeconds;
      cd.heartbeatTimeoutSeconds = ev.heartbeatTimeoutSeconds;
      cd.lastHeartbeat = ev.timestamp;
      op.callbackDetails = std::move(cd);
      break;
    }
    case T::CallbackSucceeded:
      op.callbackDetails->result = ev.result;
      end(OperationStatus::Succeeded);
      break;
    case T::CallbackFailed:
      op.callbackDetails->error = ev.error;
      end(OperationStatus::Failed);
      break;
    case T::CallbackTimedOut:
      op.callbackDetails->error = ev.error;
      end(OperationStatus::TimedOut);
      break;
    case T::ContextStarted:
      op.contextDetails.emplace();
      break;
    case T::ContextSucceeded:
      op.contextDetails->result = ev.result;
      end(OperationStatus::Succeeded);
      break;
    case T::ContextFailed:
      op.contextDetails->error = ev.error;
      end(OperationStatus::Failed);
      break;
    case T::ChainedInvokeStarted:
      op.chainedInvokeDetails =
          ChainedInvokeDetails{ev.functionName.value_or(""), ev.result, ev.tenantId, std::nullopt, {}};
      break;
    case T::ChainedInvokeSucceeded:
      op.chainedInvokeDetails->result = ev.result;
      end(OperationStatus::Succeeded);
      break;
    case T::ChainedInvokeFailed:
      op.chainedInvokeDetails->error = ev.error;
      end(OperationStatus::Failed);
      break;
    case T::ChainedInvokeTimedOut:
      op.chainedInvokeDetails->error = ev.error;
      end(OperationStatus::TimedOut);
      break;
    case T::ChainedInvokeStopped:
      op.chainedInvokeDetails->error = ev.error;
      end(OperationStatus::Stopped);
      break;
    default:
      break;
  }
}

}  // namespace

std::vector<Operation> operationsFromHistory(const std::vector<HistoryEvent>& events) {
  std::vector<Operation> ops;
  std::map<std::string, std::size_t> index;
  for (const HistoryEvent& ev : events) {
    if (isExecutionEvent(ev.type)) continue;
    if (!ev.id) badEvent(fmt::format("event {} ({}) has no Id", ev.eventId, toString(ev.type)));
    auto it = index.find(*ev.id);
    if (it == index.end()) {
      auto type = startedType(ev.type);
      if (!type)
        badEvent(fmt::format("event {} ({}) is for operation {}, which never started", ev.eventId, toString(ev.type),
                             *ev.id));
      Operation op;
      op.id = *ev.id;
      op.parentId = ev.parentId;
      op.name = ev.name;
      op.type = *type;
      op.subType = ev.subType.value_or(OperationSubType::Step);
      op.status = OperationStatus::Started;
      op.startTimestamp = ev.timestamp;
      if (op.type == OperationType::Step) op.stepDetails.emplace();
      std::string parentStepId;
      if (op.parentId) {
        auto p = index.find(*op.parentId);
        if (p != index.end()) parentStepId = ops[p->second].stepId;
      }
      if (!op.parentId || !parentStepId.empty()) op.stepId = recoverStepId(op.id, parentStepId);
      it = index.emplace(op.id, ops.size()).first;
      ops.push_back(std::move(op));
    }
    applyEvent(ev, ops[it->second]);
  }
  return ops;
}

HistoryOutcome outcomeFromHistory(const std::vector<HistoryEvent>& events) {
  using T = HistoryEventType;
  HistoryOutcome out;
  for (const HistoryEvent& ev : events) {
    switch (ev.type) {
      case T::ExecutionStarted:
        out.input = ev.result;
        break;
      case T::ExecutionSucceeded:
        out.status = ExecutionStatus::Succeeded;
        out.result = ev.result;
        break;
      case T::ExecutionFailed:
        out.status = ExecutionStatus::Failed;
        out.error = ev.error;
        break;
      case T::ExecutionTimedOut:
        out.status = ExecutionStatus::TimedOut;
        out.error = ev.error;
        break;
      case T::ExecutionStopped:
        out.status = ExecutionStatus::Stopped;
        out.error = ev.error;
        break;
      default:
        break;
    }
  }
  return out;
}

std::vector<InvocationRecord> invocationsFromHistory(const std::vector<HistoryEvent>& events) {
  std::vector<InvocationRecord> out;
  const HistoryOutcome outcome = outcomeFromHistory(events);
  for (const HistoryEvent& ev : events) {
    if (ev.type != HistoryEventType::InvocationCompleted) continue;
    InvocationRecord r;
    r.index = static_cast<int>(out.size()) + 1;
    r.requestId = ev.requestId.value_or("");
    r.start = ev.invocationStart.value_or(ev.timestamp);
    r.end = ev.invocationEnd.value_or(ev.timestamp);
    r.error = ev.error;
    if (ev.error) {
      r.outcome = ev.error->errorType == "Runtime.ExitError"  ? InvocationOutcome::Crashed
                  : ev.error->errorType == "Sandbox.Timedout" ? InvocationOutcome::TimedOut
                                                              : InvocationOutcome::Failed;
    } else {
      r.outcome = InvocationOutcome::Pending;
    }
    out.push_back(std::move(r));
  }
  if (!out.empty() && !out.back().error) {
    if (outcome.status == ExecutionStatus::Succeeded) out.back().outcome = InvocationOutcome::Succeeded;
    if (outcome.status == ExecutionStatus::Failed) out.back().outcome = InvocationOutcome::Failed;
  }
  return out;
}

}  // namespace rwd
