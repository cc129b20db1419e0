// JSON for history events, and the runner's readable timeline.
#include "rewind/history_json.hpp"

#include <cstdio>
#include <map>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
#include "rewind/execution_views.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/json_text.hpp"

namespace rwd {

namespace {

Json payloadJson(const std::optional<std::string>& p) {
  return Json{{"Payload", p ? Json(*p) : Json(nullptr)}, {"Truncated", false}};
}

Json errorPayload(const ErrorObject& e) { return Json{{"Payload", internal::errorToJson(e)}, {"Truncated", false}}; }

Json retryDetails(const HistoryEvent& ev) {
  Json r = Json::object();
  if (ev.currentAttempt) r["CurrentAttempt"] = *ev.currentAttempt;
  if (ev.nextAttemptDelaySeconds) r["NextAttemptDelaySeconds"] = *ev.nextAttemptDelaySeconds;
  return r;
}

}  // namespace


Json toJson(const HistoryEvent& ev) {
  using T = HistoryEventType;
  Json j{{"EventType", toString(ev.type)}, {"EventId", ev.eventId}, {"EventTimestamp", formatTimestamp(ev.timestamp)}};
  if (ev.id) j["Id"] = *ev.id;
  if (ev.parentId) j["ParentId"] = *ev.parentId;
  if (ev.name) j["Name"] = *ev.name;
  if (ev.subType) j["SubType"] = toString(*ev.subType);
  Json d = Json::object();
  switch (ev.type) {
    case T::ExecutionStarted: d["Input"] = payloadJson(ev.result); break;
    case T::ExecutionSucceeded: d["Result"] = payloadJson(ev.result); break;
    case T::ExecutionFailed:
    case T::ExecutionTimedOut:
    case T::ExecutionStopped:
      if (ev.error) d["Error"] = errorPayload(*ev.error);
      break;
    case T::StepStarted:
    case T::ContextStarted:
    case T::WaitCancelled: break;
    case T::StepSucceeded:
      if (ev.hasResult) d["Result"] = payloadJson(ev.result);
      d["RetryDetails"] = retryDetails(ev);
      break;
    case T::StepFailed:
      if (ev.error) d["Error"] = errorPayload(*ev.error);
      d["RetryDetails"] = retryDetails(ev);
      break;
    case T::WaitStarted:
      d["Duration"] = ev.durationSeconds.value_or(0);
      if (ev.scheduledEndTimestamp) d["ScheduledEndTimestamp"] = formatTimestamp(*ev.scheduledEndTimestamp);
      break;
    case T::WaitSucceeded: d["Duration"] = ev.durationSeconds.value_or(0); break;
    case T::CallbackStarted:
      d["CallbackId"] = ev.callbackId.value_or("");
      if (ev.timeoutSeconds) d["Timeout"] = *ev.timeoutSeconds;
      if (ev.heartbeatTimeoutSeconds) d["HeartbeatTimeout"] = *ev.heartbeatTimeoutSeconds;
      break;
    case T::CallbackSucceeded:
    case T::ContextSucceeded:
    case T::ChainedInvokeSucceeded:
      if (ev.hasResult) d["Result"] = payloadJson(ev.result);
      break;
    case T::CallbackFailed:
    case T::CallbackTimedOut:
    case T::ContextFailed:
    case T::ChainedInvokeFailed:
    case T::ChainedInvokeTimedOut:
    case T::ChainedInvokeStopped:
      if (ev.error) d["Error"] = errorPayload(*ev.error);
      break;
    case T::ChainedInvokeStarted:
      d["FunctionName"] = ev.functionName.value_or("");
      d["Input"] = payloadJson(ev.result);
      d["ExecutedVersion"] = "$LATEST";
      if (ev.durableExecutionArn) d["DurableExecutionArn"] = *ev.durableExecutionArn;
      if (ev.tenantId) d["TenantId"] = *ev.tenantId;
      break;
    case T::InvocationCompleted:
      if (ev.invocationStart) d["StartTimestamp"] = formatTimestamp(*ev.invocationStart);
      if (ev.invocationEnd) d["EndTimestamp"] = formatTimestamp(*ev.invocationEnd);
      if (ev.requestId) d["RequestId"] = *ev.requestId;
      if (ev.error) d["Error"] = errorPayload(*ev.error);
      break;
  }
  j[std::string(toString(ev.type)) + "Details"] = std::move(d);
  return j;
}

Json historyToJson(const std::vector<HistoryEvent>& events) {
  Json arr = Json::array();
  for (const auto& e : events) arr.push_back(toJson(e));
  return arr;
}

// ---- ExecutionResult ------------------------------------------------------------------

Json ExecutionResult::historyJson() const {
  Json j = historyToJson(history_);
  makeValidUtf8(j);  // payloads and messages keep their bytes until written (json_text.hpp)
  return j;
}

Json payloadAsJson(const std::string& payload) {
  try {
    return Json::parse(payload);
  } catch (const Json::exception&) {  // not JSON, or a number beyond a double ("1e400": out_of_range)
    return payload;
  }
}

Json invocationsToJson(const std::vector<InvocationRecord>& invocations) {
  Json inv = Json::array();
  for (const auto& i : invocations) {
    Json r{{"Index", i.index}, {"RequestId", i.requestId}, {"Outcome", toString(i.outcome)},
           {"StartTimestamp", formatTimestamp(i.start)}, {"EndTimestamp", formatTimestamp(i.end)}};
    if (i.error) r["Error"] = rwd::toJson(*i.error);
    inv.push_back(std::move(r));
  }
  return inv;
}

Json ExecutionResult::toJson() const {
  Json j{{"Status", toString(status_)}, {"ExecutionArn", arn_}};
  if (result_) j["Result"] = payloadAsJson(*result_);
  if (error_) j["Error"] = rwd::toJson(*error_);
  if (!blockedReason_.empty()) j["BlockedReason"] = blockedReason_;
  j["Operations"] = operationsToJson(operations_);
  j["Invocations"] = invocationsToJson(invocations_);
  j["History"] = historyJson();
  makeValidUtf8(j);
  return j;
}

namespace {

std::string formatDuration(std::chrono::milliseconds d) {
  auto s = d.count() / 1000;
  if (d.count() % 1000 != 0) return fmt::format("{}ms", d.count());
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return s % 60 ? fmt::format("{}m{}s", s / 60, s % 60) : fmt::format("{}m", s / 60);
  if (s < 86400) return (s % 3600) ? fmt::format("{}h{}m", s / 3600, (s % 3600) / 60) : fmt::format("{}h", s / 3600);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace

void printOperationTree(std::ostream& out, const std::vector<Operation>& operations, TimePoint epoch) {
  std::map<std::string, std::vector<const Operation*>> children;
  std::vector<const Operation*> roots;
  for (const auto& op : operations) {
    if (op.parentId)
      children[*op.parentId].push_back(&op);
    else
      roots.push_back(&op);
  }
  auto line = [&](const Operation& op, const std::string& prefix, bool last, auto& self) -> void {
    // An operation read back from a history has no positional id: its id stands in.
    std::string label = op.name ? *op.name : fmt::format("#{}", op.stepId.empty() ? op.id.str() : op.stepId);
    std::string extra;
    if (op.stepDetails && op.stepDetails->attempt > 1) extra += fmt::format(" attempts={}", op.stepDetails->attempt);
    if (op.waitDetails) extra += fmt::format(" wait={}s", op.waitDetails->durationSeconds);
    if (op.endTimestamp) extra += fmt::format(" took={}", formatDuration(*op.endTimestamp - op.startTimestamp));
    out << fmt::format("{}{}{} {}/{} {} @+{}{}\n", prefix, last ? "└─ " : "├─ ", label, toString(op.type),
                       toString(op.subType), toString(op.status), formatDuration(op.startTimestamp - epoch), extra);
    auto it = children.find(op.id);
    if (it == children.end()) return;
    for (std::size_t i = 0; i < it->second.size(); ++i)
      self(*it->second[i], prefix + (last ? "   " : "│  "), i + 1 == it->second.size(), self);
  };
  for (std::size_t i = 0; i < roots.size(); ++i) line(*roots[i], "", i + 1 == roots.size(), line);
}

void ExecutionResult::print(std::ostream& out) const {
  out << fmt::format("execution {}  {}\n", toString(status_), arn_);
  if (result_) out << fmt::format("result: {}\n", *result_);
  if (error_) out << fmt::format("error: {}: {}\n", error_->errorType, error_->errorMessage);
  if (!blockedReason_.empty()) out << fmt::format("blocked: {}\n", blockedReason_);
  out << fmt::format("invocations: {}\n", invocations_.size());
  TimePoint epoch = operations_.empty() ? TimePoint{} : operations_.front().startTimestamp;
  if (!invocations_.empty()) epoch = invocations_.front().start;
  printOperationTree(out, operations_, epoch);
}

}  // namespace rwd
