// JsonLogPlugin: hook → JSON line, to a stream and to the execution's log sink.
#include "rewind/plugins/json_log_plugin.hpp"

#include <iostream>

#include <fmt/format.h>

#include "text_util.hpp"

namespace rwd {
namespace {

template <class Info>
std::string label(const Info& info) {
  return info.name ? *info.name : "#" + info.stepId;
}

Json errorJson(const ErrorObject& e) {
  Json j{{"ErrorType", e.errorType}, {"ErrorMessage", e.errorMessage}};
  if (e.errorData) j["ErrorData"] = internal::truncatePayload(*e.errorData);
  return j;
}

Json operationFields(const OperationInfo& op, bool payloads) {
  Json f{{"operationId", op.id},
         {"stepId", op.stepId},
         {"type", std::string(toString(op.type))},
         {"subType", std::string(toString(op.subType))},
         {"status", std::string(toString(op.status))},
         {"isReplay", op.isReplay},
         {"startTimestamp", formatTimestamp(op.startTimestamp)}};
  if (op.name) f["name"] = *op.name;
  if (op.parentId) f["parentId"] = *op.parentId;
  if (op.endTimestamp) f["endTimestamp"] = formatTimestamp(*op.endTimestamp);
  if (op.attempt > 0) f["attempt"] = op.attempt;
  if (payloads && op.result) f["result"] = internal::truncatePayload(*op.result);
  if (op.error) f["error"] = errorJson(*op.error);
  return f;
}

Json attemptFields(const AttemptInfo& a) {
  Json f{{"operationId", a.id},
         {"stepId", a.stepId},
         {"type", std::string(toString(a.type))},
         {"subType", std::string(toString(a.subType))},
         {"attempt", a.attempt},
         {"isReplay", a.isReplay},
         {"startTimestamp", formatTimestamp(a.startTimestamp)},
         {"outcome", a.outcome == AttemptOutcome::Started     ? "STARTED"
                     : a.outcome == AttemptOutcome::Succeeded ? "SUCCEEDED"
                                                              : "FAILED"}};
  if (a.name) f["name"] = *a.name;
  if (a.parentId) f["parentId"] = *a.parentId;
  if (a.endTimestamp) f["endTimestamp"] = formatTimestamp(*a.endTimestamp);
  if (a.nextAttemptDelay) f["nextAttemptDelaySeconds"] = a.nextAttemptDelay->count();
  if (a.error) f["error"] = errorJson(*a.error);
  return f;
}

Json functionFields(const UserFunctionInfo& u) {
  Json f{{"operationId", u.id},
         {"stepId", u.stepId},
         {"type", std::string(toString(u.type))},
         {"subType", std::string(toString(u.subType))},
         {"isReplay", u.isReplay},
         {"replayingChildren", u.replayingChildren},
         {"startTimestamp", formatTimestamp(u.startTimestamp)}};
  if (u.name) f["name"] = *u.name;
  if (u.parentId) f["parentId"] = *u.parentId;
  if (u.endTimestamp) f["endTimestamp"] = formatTimestamp(*u.endTimestamp);
  if (u.error) f["error"] = errorJson(*u.error);
  return f;
}

}  // namespace

JsonLogPlugin::JsonLogPlugin(JsonLogOptions options) : options_(options) {}

void JsonLogPlugin::emit(const char* hook, const char* level, std::string message, Json fields) {
  if (!invocation_) return;  // a hook outside an invocation has no execution to log to
  Json rec{{"timestamp", formatTimestamp(invocation_->invocationStart)},
           {"level", level},
           {"executionArn", invocation_->executionArn},
           {"requestId", invocation_->requestId},
           {"invocation", invocation_->invocationIndex},
           {"hook", hook},
           {"message", std::move(message)}};
  for (auto& [key, value] : fields.items())
    if (!rec.contains(key)) rec[key] = std::move(value);
  if (options_.writeToStream) {
    std::ostream& out = options_.stream ? *options_.stream : std::cout;
    out << rec.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
  if (invocation_->writeLog) invocation_->writeLog(rec);
}

void JsonLogPlugin::onInvocationStart(const InvocationInfo& info) {
  invocation_ = &info;
  Json f{{"invocationStart", formatTimestamp(info.invocationStart)},
         {"executionStart", formatTimestamp(info.executionStart)},
         {"firstInvocation", info.firstInvocation},
         {"operationCount", info.operationsAtStart ? info.operationsAtStart->size() : 0}};
  Json completed = Json::array();
  if (info.completedSinceLast)
    for (const Operation& op : *info.completedSinceLast)
      completed.push_back(Json{{"operationId", op.id},
                               {"name", op.name ? Json(*op.name) : Json(nullptr)},
                               {"status", std::string(toString(op.status))}});
  f["completedSinceLast"] = std::move(completed);
  if (options_.payloads) f["input"] = info.input ? Json(internal::truncatePayload(*info.input)) : Json(nullptr);
  emit("onInvocationStart", "INFO", fmt::format("invocation {} started", info.invocationIndex), std::move(f));
}

void JsonLogPlugin::onInvocationEnd(const InvocationEndInfo& info) {
  if (info.invocation) invocation_ = info.invocation;
  Json f{{"status", std::string(toString(info.status))}, {"invocationEnd", formatTimestamp(info.invocationEnd)}};
  if (options_.payloads && info.result) f["result"] = internal::truncatePayload(*info.result);
  if (info.error) f["error"] = errorJson(*info.error);
  emit("onInvocationEnd", info.status == InvocationStatus::Failed ? "ERROR" : "INFO",
       fmt::format("invocation {} ended {}", invocation_ ? invocation_->invocationIndex : 0, toString(info.status)),
       std::move(f));
  invocation_ = nullptr;
}

void JsonLogPlugin::onOperationStart(const OperationInfo& op) {
  emit("onOperationStart", "INFO",
       fmt::format("{} {} {}", op.isReplay ? "replaying" : "started", toString(op.type), label(op)),
       operationFields(op, options_.payloads));
}

void JsonLogPlugin::onOperationEnd(const OperationInfo& op) {
  bool failed = op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut;
  emit("onOperationEnd", failed ? "ERROR" : "INFO",
       fmt::format("{} {} ended {}", toString(op.type), label(op), toString(op.status)),
       operationFields(op, options_.payloads));
}

void JsonLogPlugin::onAttemptStart(const AttemptInfo& attempt) {
  emit("onAttemptStart", "INFO", fmt::format("attempt {} of {} started", attempt.attempt, label(attempt)),
       attemptFields(attempt));
}

void JsonLogPlugin::onAttemptEnd(const AttemptInfo& attempt) {
  bool failed = attempt.outcome == AttemptOutcome::Failed;
  emit("onAttemptEnd", failed ? "WARN" : "INFO",
       fmt::format("attempt {} of {} {}", attempt.attempt, label(attempt), failed ? "failed" : "succeeded"),
       attemptFields(attempt));
}

void JsonLogPlugin::onUserFunctionStart(const UserFunctionInfo& fn) {
  emit("onUserFunctionStart", "INFO", fmt::format("body of {} started", label(fn)), functionFields(fn));
}

void JsonLogPlugin::onUserFunctionEnd(const UserFunctionInfo& fn) {
  emit("onUserFunctionEnd", fn.error ? "WARN" : "INFO",
       fmt::format("body of {} {}", label(fn), fn.error ? "threw" : "returned"), functionFields(fn));
}

void JsonLogPlugin::onOperationChange(const OperationChangeInfo& change) {
  if (!options_.checkpoints) return;
  Json ops = Json::array();
  std::vector<std::string> names;
  for (const OperationInfo& op : change.updated) {
    Json o{{"operationId", op.id},
           {"stepId", op.stepId},
           {"type", std::string(toString(op.type))},
           {"status", std::string(toString(op.status))},
           {"isReplay", op.isReplay}};
    if (op.name) o["name"] = *op.name;
    if (op.parentId) o["parentId"] = *op.parentId;
    ops.push_back(std::move(o));
    names.push_back(fmt::format("{} {}", label(op), toString(op.status)));
  }
  emit("onOperationChange", "DEBUG", fmt::format("checkpoint: {}", fmt::join(names, ", ")),
       Json{{"updated", std::move(ops)},
            {"operationCount", change.operations ? change.operations->size() : 0},
            {"changeExecutionArn", change.executionArn},
            {"changeRequestId", change.requestId}});
}

}  // namespace rwd
