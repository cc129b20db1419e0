// History replay: one invocation over the recorded log, divergences explained. The
// log comes from an operation list (rewind-run --json, GetDurableExecutionState) or is
// rebuilt from GetDurableExecutionHistory events; every shape error is a
// [rewind.checker.bad_history] invalid_argument, never undefined behaviour.
#include "rewind/checker/history_replay.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "rewind/history_json.hpp"
#include "rewind/replay.hpp"

namespace rwd::checker {

namespace {

[[noreturn]] void badHistory(const std::string& message) {
  throw std::invalid_argument(fmt::format("[rewind.checker.bad_history] {}", message));
}

// Depth of nested arrays/objects, without recursion (a hostile document can be nested
// 100,000 deep; the parsers that follow recurse).
void checkDepth(const Json& doc) {
  std::vector<std::pair<const Json*, std::size_t>> stack{{&doc, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    if (depth > kMaxHistoryDepth)
      badHistory(fmt::format("the document is nested deeper than {} levels", kMaxHistoryDepth));
    for (const Json& child : *node) stack.emplace_back(&child, depth + 1);
  }
}

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string eventText(const Json& ev, const char* key, std::size_t index) {
  const Json* v = member(ev, key);
  if (!v || !v->is_string()) badHistory(fmt::format("History[{}].{} is missing or not a string", index, key));
  return v->get<std::string>();
}

// The events: a GetDurableExecutionHistory array, or {"Events": [...]} (the API's
// response), or {"History": [...]} (rewind-run --json). nullptr when there are none.
const Json* historyEvents(const Json& doc) {
  if (doc.is_array())
    return !doc.empty() && doc.front().is_object() && doc.front().contains("EventType") ? &doc : nullptr;
  for (const char* key : {"History", "Events"})
    if (const Json* events = member(doc, key)) {
      if (!events->is_array()) badHistory(fmt::format("{} is not an array of events", key));
      return events;
    }
  return nullptr;
}

void checkEvents(const Json& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& ev = events[i];
    if (!ev.is_object()) badHistory(fmt::format("History[{}] is not an event object", i));
    eventText(ev, "EventType", i);
    if (const Json* details = member(ev, eventText(ev, "EventType", i).append("Details").c_str());
        details && !details->is_object())
      badHistory(fmt::format("History[{}].{}Details is not an object", i, eventText(ev, "EventType", i)));
  }
}

// The recorded input: ExecutionStarted's Input.Payload (JSON text, or null).
std::optional<Payload> inputFromEvents(const Json& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& ev = events[i];
    if (eventText(ev, "EventType", i) != "ExecutionStarted") continue;
    const Json* details = member(ev, "ExecutionStartedDetails");
    if (!details) badHistory(fmt::format("History[{}]: ExecutionStarted has no ExecutionStartedDetails", i));
    const Json* input = member(*details, "Input");
    if (!input) return Payload();
    if (!input->is_object()) badHistory(fmt::format("History[{}].ExecutionStartedDetails.Input is not an object", i));
    const Json* payload = member(*input, "Payload");
    if (!payload) return Payload();
    if (!payload->is_string())
      badHistory(fmt::format("History[{}].ExecutionStartedDetails.Input.Payload is not a string", i));
    return Payload(payload->get<std::string>());
  }
  return std::nullopt;
}

// Builds the GetDurableExecutionState records the events describe, as JSON, so that
// operationsFromJson validates them like any other operation list.
Json operationsFromEvents(const Json& events) {
  static const std::map<std::string, std::pair<const char*, const char*>, std::less<>> kEvents = {
      // EventType -> (Type, Status after it)
      {"StepStarted", {"STEP", "STARTED"}},
      {"StepSucceeded", {"STEP", "SUCCEEDED"}},
      {"StepFailed", {"STEP", "FAILED"}},
      {"WaitStarted", {"WAIT", "STARTED"}},
      {"WaitSucceeded", {"WAIT", "SUCCEEDED"}},
      {"WaitCancelled", {"WAIT", "CANCELLED"}},
      {"CallbackStarted", {"CALLBACK", "STARTED"}},
      {"CallbackSucceeded", {"CALLBACK", "SUCCEEDED"}},
      {"CallbackFailed", {"CALLBACK", "FAILED"}},
      {"CallbackTimedOut", {"CALLBACK", "TIMED_OUT"}},
      {"ContextStarted", {"CONTEXT", "STARTED"}},
      {"ContextSucceeded", {"CONTEXT", "SUCCEEDED"}},
      {"ContextFailed", {"CONTEXT", "FAILED"}},
      {"ChainedInvokeStarted", {"CHAINED_INVOKE", "STARTED"}},
      {"ChainedInvokeSucceeded", {"CHAINED_INVOKE", "SUCCEEDED"}},
      {"ChainedInvokeFailed", {"CHAINED_INVOKE", "FAILED"}},
      {"ChainedInvokeTimedOut", {"CHAINED_INVOKE", "TIMED_OUT"}},
      {"ChainedInvokeStopped", {"CHAINED_INVOKE", "STOPPED"}},
  };
  static const std::map<std::string, const char*, std::less<>> kDetails = {{"STEP", "StepDetails"},
                                                                           {"WAIT", "WaitDetails"},
                                                                           {"CALLBACK", "CallbackDetails"},
                                                                           {"CONTEXT", "ContextDetails"},
                                                                           {"CHAINED_INVOKE", "ChainedInvokeDetails"}};
  std::vector<std::string> order;
  std::map<std::string, Json, std::less<>> ops;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& ev = events[i];
    const std::string type = eventText(ev, "EventType", i);
    auto kind = kEvents.find(type);
    if (kind == kEvents.end()) continue;  // execution and invocation events carry no operation
    const std::string id = eventText(ev, "Id", i);
    const Json* stamp = member(ev, "EventTimestamp");
    if (stamp && !stamp->is_string()) badHistory(fmt::format("History[{}].EventTimestamp is not a string", i));
    const Json empty = Json::object();
    const Json* details = member(ev, (type + "Details").c_str());
    const Json& d = details ? *details : empty;
    auto [opType, status] = kind->second;
    auto [it, fresh] = ops.try_emplace(id, Json::object());
    Json& op = it->second;
    if (fresh) {
      order.push_back(id);
      op["Id"] = id;
      op["Type"] = opType;
      op[kDetails.at(opType)] = Json::object();
      if (stamp) op["StartTimestamp"] = *stamp;
    } else if (op["Type"] != opType) {
      badHistory(
          fmt::format("History[{}]: {} names operation {}, which is a {}", i, type, id, op["Type"].get<std::string>()));
    }
    for (const char* key : {"ParentId", "Name", "SubType"})
      if (const Json* v = member(ev, key)) {
        if (!v->is_string()) badHistory(fmt::format("History[{}].{} is not a string", i, key));
        op[key] = *v;
      }
    op["Status"] = status;
    Json& od = op[kDetails.at(opType)];
    if (const Json* result = member(d, "Result")) {
      const Json* payload = member(*result, "Payload");
      if (payload && !payload->is_string())
        badHistory(fmt::format("History[{}].{}Details.Result.Payload is not a string", i, type));
      if (payload) od["Result"] = *payload;
    }
    if (const Json* error = member(d, "Error")) od["Error"] = *error;
    if (std::string_view(status) != "STARTED" && stamp) op["EndTimestamp"] = *stamp;
    if (type == "StepSucceeded" || type == "StepFailed") {
      const Json* retry = member(d, "RetryDetails");
      const Json* attempt = retry ? member(*retry, "CurrentAttempt") : nullptr;
      if (attempt && !attempt->is_number_integer())
        badHistory(fmt::format("History[{}].{}Details.RetryDetails.CurrentAttempt is not an integer", i, type));
      if (attempt) od["Attempt"] = *attempt;
      const Json* delay = retry ? member(*retry, "NextAttemptDelaySeconds") : nullptr;
      if (delay && type == "StepFailed") {
        // A failure with a retry scheduled: the step is PENDING its next attempt.
        if (!delay->is_number_integer())
          badHistory(
              fmt::format("History[{}].StepFailedDetails.RetryDetails.NextAttemptDelaySeconds is not an integer", i));
        op["Status"] = "PENDING";
        op.erase("EndTimestamp");
        od.erase("Error");
      }
    }
    if (type == "WaitStarted") {
      if (const Json* end = member(d, "ScheduledEndTimestamp")) od["ScheduledEndTimestamp"] = *end;
    }
    if (type == "CallbackStarted") {
      if (const Json* cb = member(d, "CallbackId")) od["CallbackId"] = *cb;
    }
  }
  Json out = Json::array();
  for (const auto& id : order) out.push_back(std::move(ops[id]));
  return out;
}

// What replay reads of a record must be there: a FAILED (or TIMED_OUT) record carries
// its error; and the log is one replay accepts (ids once, every ParentId a CONTEXT of it).
void checkRecords(const std::vector<Operation>& ops) {
  validateLog(ops);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    if (op.status != OperationStatus::Failed && op.status != OperationStatus::TimedOut) continue;
    bool hasError = (op.stepDetails && op.stepDetails->error) || (op.callbackDetails && op.callbackDetails->error) ||
                    (op.contextDetails && op.contextDetails->error) ||
                    (op.chainedInvokeDetails && op.chainedInvokeDetails->error);
    if (!hasError && op.type != OperationType::Execution)
      badHistory(
          fmt::format("operation {} ({}) is {} without an Error", op.id, toString(op.type), toString(op.status)));
  }
}

}  // namespace

std::vector<Operation> recordedOperations(const Json& document) {
  checkDepth(document);
  if (!document.is_array() && !document.is_object())
    badHistory("expected a JSON object or array (rewind-run --json output, an operation list or history events)");
  const Json* operations = member(document, "Operations");
  const Json* events = historyEvents(document);
  if (events) checkEvents(*events);
  try {
    std::vector<Operation> ops;
    if (operations || (document.is_array() && !events)) {
      ops = operationsFromJson(document);
    } else if (events) {
      ops = operationsFromJson(operationsFromEvents(*events));
    } else {
      badHistory("the document holds neither Operations nor History events");
    }
    checkRecords(ops);
    return ops;
  } catch (const std::invalid_argument& e) {
    if (std::string_view(e.what()).starts_with("[rewind.checker.bad_history]")) throw;
    badHistory(e.what());
  } catch (const Json::exception& e) {
    badHistory(e.what());
  }
}

HistoryReplayReport replayHistory(const RawHandler& handler, const Json& document, const std::optional<Payload>& input,
                                  const RunnerOptions& options) {
  std::vector<Operation> log = recordedOperations(document);
  HistoryReplayReport report;
  report.operations = log.size();
  const Json* events = historyEvents(document);
  std::optional<Payload> recorded = !input && events ? inputFromEvents(*events) : std::nullopt;
  if (input) {
    report.input = *input;
  } else if (recorded) {
    report.input = *recorded;
  } else {
    badHistory("the document has no History with ExecutionStarted: pass the input (--event)");
  }
  report.outcome = replayInvocation(handler, log, report.input, options);
  const Json* status = member(document, "Status");
  const Json* result = member(document, "Result");
  if (report.outcome.divergence) {
    report.divergence =
        fmt::format("{}: {}", report.outcome.divergence->errorType, report.outcome.divergence->errorMessage);
  } else if (report.outcome.error &&
             report.outcome.error->errorMessage.find("[rewind.suspension.swallowed]") != std::string::npos) {
    report.divergence = report.outcome.error->errorMessage;
  } else if (report.outcome.outcome == InvocationOutcome::Succeeded && status && *status == "SUCCEEDED" && result) {
    Json now = Json::parse(report.outcome.result.value_or("null"), nullptr, false);
    if (now != *result)
      report.divergence = fmt::format(
          "the recorded execution succeeded with {}, the current code returns {} from the "
          "same checkpoints",
          result->dump(), report.outcome.result.value_or("null"));
  }
  return report;
}

std::string HistoryReplayReport::explain() const {
  std::string s =
      fmt::format("replayed {} recorded operation(s): the invocation ended {}", operations, toString(outcome.outcome));
  if (!outcome.newUpdates.empty())
    s += fmt::format(", with {} new checkpoint update(s) beyond the log", outcome.newUpdates.size());
  s += "\n";
  if (divergence)
    s += fmt::format("DIVERGENCE: {}\n", *divergence);
  else
    s += "OK: the current code replays the recorded log without divergence\n";
  return s;
}

}  // namespace rwd::checker
