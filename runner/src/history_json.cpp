// JSON for history events and operation records, and the runner's readable timeline.
#include "rewind/history_json.hpp"

#include <cstdio>
#include <map>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
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

template <class E>
std::optional<E> enumFromString(std::string_view s, std::initializer_list<E> all) {
  for (E e : all)
    if (toString(e) == s) return e;
  return std::nullopt;
}

}  // namespace

Json toJson(const ErrorObject& error) { return internal::errorToJson(error); }

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

Json toJson(const Operation& op) {
  Json j{{"Id", op.id}, {"Type", toString(op.type)}, {"SubType", toString(op.subType)},
         {"Status", toString(op.status)}, {"StartTimestamp", formatTimestamp(op.startTimestamp)},
         {"StepId", op.stepId}};
  if (op.parentId) j["ParentId"] = *op.parentId;
  if (op.name) j["Name"] = *op.name;
  if (op.endTimestamp) j["EndTimestamp"] = formatTimestamp(*op.endTimestamp);
  auto opt = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
  if (op.stepDetails) {
    Json d{{"Attempt", op.stepDetails->attempt}};
    if (op.stepDetails->nextAttemptTimestamp)
      d["NextAttemptTimestamp"] = formatTimestamp(*op.stepDetails->nextAttemptTimestamp);
    if (op.stepDetails->result) d["Result"] = *op.stepDetails->result;
    if (op.stepDetails->error) d["Error"] = toJson(*op.stepDetails->error);
    j["StepDetails"] = d;
  }
  if (op.waitDetails) j["WaitDetails"] = {{"ScheduledEndTimestamp", formatTimestamp(op.waitDetails->scheduledEndTimestamp)}};
  if (op.callbackDetails) {
    Json d{{"CallbackId", op.callbackDetails->callbackId}};
    if (op.callbackDetails->result) d["Result"] = *op.callbackDetails->result;
    if (op.callbackDetails->error) d["Error"] = toJson(*op.callbackDetails->error);
    j["CallbackDetails"] = d;
  }
  if (op.chainedInvokeDetails) {
    Json d = Json::object();
    if (op.chainedInvokeDetails->result) d["Result"] = *op.chainedInvokeDetails->result;
    if (op.chainedInvokeDetails->error) d["Error"] = toJson(*op.chainedInvokeDetails->error);
    j["ChainedInvokeDetails"] = d;
  }
  if (op.contextDetails) {
    Json d{{"ReplayChildren", op.contextDetails->replayChildren}};
    if (op.contextDetails->result) d["Result"] = opt(op.contextDetails->result);
    if (op.contextDetails->error) d["Error"] = toJson(*op.contextDetails->error);
    j["ContextDetails"] = d;
  }
  return j;
}

Json operationsToJson(const std::vector<Operation>& ops) {
  Json arr = Json::array();
  for (const auto& o : ops) arr.push_back(toJson(o));
  return arr;
}

Json toJson(const OperationUpdate& u) {
  Json j{{"Id", u.id},
         {"StepId", u.stepId},
         {"Type", toString(u.type)},
         {"SubType", toString(u.subType)},
         {"Action", toString(u.action)}};
  if (u.parentId) j["ParentId"] = *u.parentId;
  if (u.name) j["Name"] = *u.name;
  if (u.payload) j["Payload"] = *u.payload;
  if (u.error) j["Error"] = toJson(*u.error);
  if (u.nextAttemptDelaySeconds) j["StepOptions"] = {{"NextAttemptDelaySeconds", *u.nextAttemptDelaySeconds}};
  if (u.waitSeconds) j["WaitOptions"] = {{"WaitSeconds", *u.waitSeconds}};
  if (u.callbackTimeoutSeconds || u.callbackHeartbeatTimeoutSeconds) {
    Json c = Json::object();
    if (u.callbackTimeoutSeconds) c["TimeoutSeconds"] = *u.callbackTimeoutSeconds;
    if (u.callbackHeartbeatTimeoutSeconds) c["HeartbeatTimeoutSeconds"] = *u.callbackHeartbeatTimeoutSeconds;
    j["CallbackOptions"] = c;
  }
  if (u.functionName || u.tenantId) {
    Json c = Json::object();
    if (u.functionName) c["FunctionName"] = *u.functionName;
    if (u.tenantId) c["TenantId"] = *u.tenantId;
    j["ChainedInvokeOptions"] = c;
  }
  if (u.replayChildren) j["ContextOptions"] = {{"ReplayChildren", true}};
  return j;
}

OperationUpdate operationUpdateFromJson(const Json& j) {
  if (!j.is_object()) throw std::invalid_argument("an operation update is a JSON object");
  auto text = [&](const Json& obj, const char* k) -> std::optional<std::string> {
    auto it = obj.find(k);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw std::invalid_argument(fmt::format("OperationUpdate.{} is not a string", k));
    return it->get<std::string>();
  };
  auto integer = [&](const char* group, const char* k) -> std::optional<std::int64_t> {
    auto g = j.find(group);
    if (g == j.end() || !g->is_object()) return std::nullopt;
    auto it = g->find(k);
    if (it == g->end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer())
      throw std::invalid_argument(fmt::format("OperationUpdate.{}.{} is not an integer", group, k));
    return it->get<std::int64_t>();
  };
  OperationUpdate u;
  u.id = text(j, "Id").value_or("");
  if (u.id.empty()) throw std::invalid_argument("OperationUpdate.Id is missing");
  u.stepId = text(j, "StepId").value_or(u.id);
  u.parentId = text(j, "ParentId");
  u.name = text(j, "Name");
  auto type = operationTypeFromString(text(j, "Type").value_or(""));
  if (!type) throw std::invalid_argument("OperationUpdate.Type is not an operation type");
  u.type = *type;
  auto sub = operationSubTypeFromString(text(j, "SubType").value_or("Step"));
  if (!sub) throw std::invalid_argument("OperationUpdate.SubType is not a subtype");
  u.subType = *sub;
  auto action = operationActionFromString(text(j, "Action").value_or(""));
  if (!action) throw std::invalid_argument("OperationUpdate.Action is not an action");
  u.action = *action;
  u.payload = text(j, "Payload");
  if (auto it = j.find("Error"); it != j.end() && !it->is_null()) u.error = internal::errorFromJson(*it);
  u.nextAttemptDelaySeconds = integer("StepOptions", "NextAttemptDelaySeconds");
  u.waitSeconds = integer("WaitOptions", "WaitSeconds");
  u.callbackTimeoutSeconds = integer("CallbackOptions", "TimeoutSeconds");
  u.callbackHeartbeatTimeoutSeconds = integer("CallbackOptions", "HeartbeatTimeoutSeconds");
  if (auto g = j.find("ChainedInvokeOptions"); g != j.end() && g->is_object()) {
    u.functionName = text(*g, "FunctionName");
    u.tenantId = text(*g, "TenantId");
  }
  if (auto g = j.find("ContextOptions"); g != j.end() && g->is_object())
    u.replayChildren = g->value("ReplayChildren", false);
  return u;
}

std::optional<OperationAction> operationActionFromString(std::string_view s) {
  using A = OperationAction;
  return enumFromString(s, {A::Start, A::Succeed, A::Fail, A::Retry, A::Cancel});
}

std::optional<OperationType> operationTypeFromString(std::string_view s) {
  using O = OperationType;
  return enumFromString(s, {O::Execution, O::Context, O::Step, O::Wait, O::Callback, O::ChainedInvoke});
}

std::optional<OperationSubType> operationSubTypeFromString(std::string_view s) {
  using O = OperationSubType;
  return enumFromString(s, {O::Execution, O::Step, O::Wait, O::Callback, O::RunInChildContext, O::Map, O::MapIteration,
                            O::Parallel, O::ParallelBranch, O::WaitForCallback, O::WaitForCondition, O::ChainedInvoke});
}

std::optional<OperationStatus> operationStatusFromString(std::string_view s) {
  using O = OperationStatus;
  return enumFromString(s, {O::Started, O::Pending, O::Ready, O::Succeeded, O::Failed, O::Cancelled, O::Stopped,
                            O::TimedOut});
}

std::optional<TimePoint> parseTimestamp(std::string_view s) {
  int y, mo, d, h, mi, sec, ms = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &sec, &ms) < 6) return std::nullopt;
  using namespace std::chrono;
  auto days = sys_days(year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)});
  return TimePoint(duration_cast<milliseconds>(days.time_since_epoch()) + hours{h} + minutes{mi} + seconds{sec} +
                   milliseconds{ms});
}

std::vector<Operation> operationsFromJson(const Json& j) {
  const Json& arr = j.is_object() && j.contains("Operations") ? j.at("Operations") : j;
  if (!arr.is_array()) throw std::invalid_argument("expected an array of operations (or {\"Operations\": [...]})");
  std::vector<Operation> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const Json& o = arr[i];
    auto field = [&](const char* k) -> std::string {
      if (!o.contains(k) || !o[k].is_string())
        throw std::invalid_argument(fmt::format("Operations[{}].{} is missing or not a string", i, k));
      return o[k].get<std::string>();
    };
    Operation op;
    op.id = field("Id");
    if (o.contains("StepId") && o["StepId"].is_string()) op.stepId = o["StepId"].get<std::string>();
    if (o.contains("ParentId") && o["ParentId"].is_string()) op.parentId = o["ParentId"].get<std::string>();
    if (o.contains("Name") && o["Name"].is_string()) op.name = o["Name"].get<std::string>();
    auto type = operationTypeFromString(field("Type"));
    if (!type) throw std::invalid_argument(fmt::format("Operations[{}].Type is not an operation type", i));
    op.type = *type;
    auto sub = operationSubTypeFromString(o.value("SubType", std::string("Step")));
    if (!sub) throw std::invalid_argument(fmt::format("Operations[{}].SubType is not a subtype", i));
    op.subType = *sub;
    auto status = operationStatusFromString(field("Status"));
    if (!status) throw std::invalid_argument(fmt::format("Operations[{}].Status is not a status", i));
    op.status = *status;
    auto time = [&](const Json& obj, const char* k) -> std::optional<TimePoint> {
      if (!obj.contains(k) || obj[k].is_null()) return std::nullopt;
      if (obj[k].is_number()) return TimePoint(std::chrono::milliseconds(obj[k].get<std::int64_t>()));
      if (!obj[k].is_string()) throw std::invalid_argument(fmt::format("Operations[{}].{} is not a timestamp", i, k));
      auto t = parseTimestamp(obj[k].get<std::string>());
      if (!t) throw std::invalid_argument(fmt::format("Operations[{}].{} is not an ISO-8601 timestamp", i, k));
      return t;
    };
    auto text = [](const Json& obj, const char* k) -> std::optional<std::string> {
      if (!obj.contains(k) || obj[k].is_null()) return std::nullopt;
      return obj[k].is_string() ? obj[k].get<std::string>() : obj[k].dump();
    };
    auto error = [](const Json& obj) -> std::optional<ErrorObject> {
      if (!obj.contains("Error") || obj["Error"].is_null()) return std::nullopt;
      const Json& e = obj["Error"].contains("Payload") ? obj["Error"]["Payload"] : obj["Error"];
      return internal::errorFromJson(e);
    };
    op.startTimestamp = time(o, "StartTimestamp").value_or(TimePoint{});
    op.endTimestamp = time(o, "EndTimestamp");
    if (op.stepId.empty()) op.stepId = op.id;  // the service's records carry no positional id
    if (o.contains("StepDetails") || op.type == OperationType::Step) {
      const Json& d = o.contains("StepDetails") ? o["StepDetails"] : Json::object();
      StepDetails sd;
      sd.attempt = d.value("Attempt", 1);
      sd.nextAttemptTimestamp = time(d, "NextAttemptTimestamp");
      sd.result = text(d, "Result");
      sd.error = error(d);
      op.stepDetails = sd;
    }
    if (o.contains("WaitDetails") || op.type == OperationType::Wait) {
      const Json& d = o.contains("WaitDetails") ? o["WaitDetails"] : Json::object();
      WaitDetails wd;
      wd.scheduledEndTimestamp = time(d, "ScheduledEndTimestamp").value_or(op.startTimestamp);
      wd.durationSeconds = std::chrono::duration_cast<std::chrono::seconds>(wd.scheduledEndTimestamp - op.startTimestamp).count();
      op.waitDetails = wd;
    }
    if (o.contains("CallbackDetails") || op.type == OperationType::Callback) {
      const Json& d = o.contains("CallbackDetails") ? o["CallbackDetails"] : Json::object();
      CallbackDetails cd;
      cd.callbackId = text(d, "CallbackId").value_or("");
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.callbackDetails = cd;
    }
    if (o.contains("ChainedInvokeDetails") || op.type == OperationType::ChainedInvoke) {
      const Json& d = o.contains("ChainedInvokeDetails") ? o["ChainedInvokeDetails"] : Json::object();
      ChainedInvokeDetails cd;
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.chainedInvokeDetails = cd;
    }
    if (o.contains("ContextDetails") || op.type == OperationType::Context) {
      const Json& d = o.contains("ContextDetails") ? o["ContextDetails"] : Json::object();
      ContextDetails cd;
      cd.replayChildren = d.value("ReplayChildren", false);
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.contextDetails = cd;
    }
    // A failed record is replayed as the error it carries: it must carry one.
    bool hasError = op.stepDetails            ? static_cast<bool>(op.stepDetails->error)
                    : op.callbackDetails      ? static_cast<bool>(op.callbackDetails->error)
                    : op.chainedInvokeDetails ? static_cast<bool>(op.chainedInvokeDetails->error)
                    : op.contextDetails       ? static_cast<bool>(op.contextDetails->error)
                                              : true;
    bool needsError = op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut;
    if (needsError && !hasError)
      throw std::invalid_argument(fmt::format("[rewind.history.missing_error] Operations[{}] ({} {}) is {} but has no "
                                              "Error in its {}Details",
                                              i, toString(op.type), op.id, toString(op.status),
                                              op.stepDetails       ? "Step"
                                              : op.callbackDetails ? "Callback"
                                              : op.contextDetails  ? "Context"
                                                                   : "ChainedInvoke"));
    out.push_back(std::move(op));
  }
  return out;
}

// ---- ExecutionResult ------------------------------------------------------------------

Json ExecutionResult::historyJson() const {
  Json j = historyToJson(history_);
  makeValidUtf8(j);  // payloads and messages keep their bytes until written (json_text.hpp)
  return j;
}

Json ExecutionResult::toJson() const {
  Json j{{"Status", toString(status_)}, {"ExecutionArn", arn_}};
  if (result_) {
    try {
      j["Result"] = Json::parse(*result_);
    } catch (const Json::parse_error&) {
      j["Result"] = *result_;
    }
  }
  if (error_) j["Error"] = rwd::toJson(*error_);
  if (!blockedReason_.empty()) j["BlockedReason"] = blockedReason_;
  j["Operations"] = operationsToJson(operations_);
  Json inv = Json::array();
  for (const auto& i : invocations_) {
    Json r{{"Index", i.index}, {"RequestId", i.requestId}, {"Outcome", toString(i.outcome)},
           {"StartTimestamp", formatTimestamp(i.start)}, {"EndTimestamp", formatTimestamp(i.end)}};
    if (i.error) r["Error"] = rwd::toJson(*i.error);
    inv.push_back(std::move(r));
  }
  j["Invocations"] = std::move(inv);
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

void ExecutionResult::print(std::ostream& out) const {
  out << fmt::format("execution {}  {}\n", toString(status_), arn_);
  if (result_) out << fmt::format("result: {}\n", *result_);
  if (error_) out << fmt::format("error: {}: {}\n", error_->errorType, error_->errorMessage);
  if (!blockedReason_.empty()) out << fmt::format("blocked: {}\n", blockedReason_);
  out << fmt::format("invocations: {}\n", invocations_.size());
  std::map<std::string, std::vector<const Operation*>> children;
  std::vector<const Operation*> roots;
  for (const auto& op : operations_) {
    if (op.parentId)
      children[*op.parentId].push_back(&op);
    else
      roots.push_back(&op);
  }
  TimePoint epoch = operations_.empty() ? TimePoint{} : operations_.front().startTimestamp;
  if (!invocations_.empty()) epoch = invocations_.front().start;
  auto line = [&](const Operation& op, const std::string& prefix, bool last, auto& self) -> void {
    std::string label = op.name ? *op.name : fmt::format("#{}", op.stepId);
    std::string extra;
    if (op.stepDetails && op.stepDetails->attempt > 1) extra += fmt::format(" attempts={}", op.stepDetails->attempt);
    if (op.waitDetails) extra += fmt::format(" wait={}s", op.waitDetails->durationSeconds);
    if (op.endTimestamp) extra += fmt::format(" took={}", formatDuration(*op.endTimestamp - op.startTimestamp));
    auto startAt = formatDuration(op.startTimestamp - epoch);
    out << fmt::format("{}{}{} {}/{} {} @+{}{}\n", prefix, last ? "└─ " : "├─ ", label, toString(op.type),
                       toString(op.subType), toString(op.status), startAt, extra);
    auto it = children.find(op.id);
    if (it == children.end()) return;
    for (std::size_t i = 0; i < it->second.size(); ++i)
      self(*it->second[i], prefix + (last ? "   " : "│  "), i + 1 == it->second.size(), self);
  };
  for (std::size_t i = 0; i < roots.size(); ++i) line(*roots[i], "", i + 1 == roots.size(), line);
}

}  // namespace rwd
