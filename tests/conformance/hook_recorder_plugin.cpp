// A plugin library (REWIND_PLUGIN) that records every hook with its whole info, as the
// official plugin family's handlers do: one record per hook in the execution's log sink,
// {plugin: hook-recorder, hook: invocation-start | invocation-end | operation-start |
// operation-end | attempt-start | attempt-end | user-function-start | user-function-end
// | operation-change, ...the info's fields in the JS SDK's names}. Loaded by
// rewind-conformance / rewind-run / rewind-check with --plugin or
// DURABLE_EXECUTION_PLUGINS; Rewind's own requirements 91.x match its records. With
// REWIND_HOOK_RECORDER_STDERR set, records are also printed on stderr (the tools' tests).
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "rewind/plugin_provider.hpp"

namespace {

using rwd::Json;

std::string stamp(rwd::TimePoint t) { return rwd::formatTimestamp(t); }

void putError(Json& rec, const std::optional<rwd::ErrorObject>& error) {
  if (!error) return;
  rec["errorType"] = error->errorType;
  rec["errorMessage"] = error->errorMessage;
}

Json operationFields(const rwd::OperationInfo& op) {
  Json rec{{"id", op.id},
           {"type", std::string(rwd::toString(op.type))},
           {"subType", std::string(rwd::toString(op.subType))},
           {"status", std::string(rwd::toString(op.status))},
           {"isReplay", op.isReplay},
           {"startTimestamp", stamp(op.startTimestamp)}};
  if (op.name) rec["name"] = *op.name;
  if (op.parentId) rec["parentId"] = *op.parentId;
  if (op.endTimestamp) rec["endTimestamp"] = stamp(*op.endTimestamp);
  if (op.attempt > 0) rec["attempt"] = op.attempt;
  if (op.result) rec["result"] = *op.result;
  putError(rec, op.error);
  return rec;
}

class HookRecorder : public rwd::Plugin {
 public:
  std::string pluginName() const override { return "hook-recorder"; }

  void onInvocationStart(const rwd::InvocationInfo& info) override {
    invocation_ = &info;
    Json updated = Json::array();
    if (info.completedSinceLast)
      for (const auto& op : *info.completedSinceLast) updated.push_back(op.id);
    write("invocation-start", {{"requestId", info.requestId},
                               {"executionArn", info.executionArn},
                               {"isFirstInvocation", info.firstInvocation},
                               {"invocationIndex", info.invocationIndex},
                               {"executionStartTimestamp", stamp(info.executionStart)},
                               {"invocationStartTimestamp", stamp(info.invocationStart)},
                               {"operationCount", info.operationsAtStart ? info.operationsAtStart->size() : 0},
                               {"updatedOperations", std::move(updated)}});
  }

  void onInvocationEnd(const rwd::InvocationEndInfo& info) override {
    Json rec{{"status", std::string(rwd::toString(info.status))},
             {"invocationEndTimestamp", stamp(info.invocationEnd)}};
    if (info.invocation) {
      rec["requestId"] = info.invocation->requestId;
      rec["executionArn"] = info.invocation->executionArn;
    }
    if (info.result) rec["executionResult"] = *info.result;
    putError(rec, info.error);
    write("invocation-end", std::move(rec));
    invocation_ = nullptr;
  }

  void onOperationStart(const rwd::OperationInfo& op) override { write("operation-start", operationFields(op)); }
  void onOperationEnd(const rwd::OperationInfo& op) override { write("operation-end", operationFields(op)); }

  void onAttemptStart(const rwd::AttemptInfo& a) override { write("attempt-start", attemptFields(a)); }
  void onAttemptEnd(const rwd::AttemptInfo& a) override { write("attempt-end", attemptFields(a)); }

  void onUserFunctionStart(const rwd::UserFunctionInfo& u) override { write("user-function-start", functionFields(u)); }
  void onUserFunctionEnd(const rwd::UserFunctionInfo& u) override { write("user-function-end", functionFields(u)); }

  void onOperationChange(const rwd::OperationChangeInfo& change) override {
    Json updated = Json::array();
    for (const auto& op : change.updated) updated.push_back(operationFields(op));
    Json rec{{"executionArn", change.executionArn},
             {"requestId", change.requestId},
             {"updatedOperations", updated},
             {"operationCount", change.operations ? change.operations->size() : 0}};
    // The first (usually only) updated operation, flat (updatedId, updatedStatus, ...),
    // so that a match mapping can name its fields.
    Json first = change.updated.empty() ? Json::object() : operationFields(change.updated.front());
    for (auto& [k, v] : first.items()) {
      std::string key = k;
      key[0] = static_cast<char>(key[0] - 'a' + 'A');
      rec["updated" + key] = v;
    }
    write("operation-change", std::move(rec));
  }

 private:
  static Json attemptFields(const rwd::AttemptInfo& a) {
    Json rec{{"id", a.id},
             {"type", std::string(rwd::toString(a.type))},
             {"subType", std::string(rwd::toString(a.subType))},
             {"attempt", a.attempt},
             {"isReplay", a.isReplay},
             {"startTimestamp", stamp(a.startTimestamp)}};
    if (a.name) rec["name"] = *a.name;
    if (a.parentId) rec["parentId"] = *a.parentId;
    if (a.endTimestamp) rec["endTimestamp"] = stamp(*a.endTimestamp);
    if (a.outcome != rwd::AttemptOutcome::Started)
      rec["outcome"] = a.outcome == rwd::AttemptOutcome::Succeeded ? "SUCCEEDED" : "FAILED";
    if (a.nextAttemptDelay) rec["nextAttemptDelaySeconds"] = a.nextAttemptDelay->count();
    putError(rec, a.error);
    return rec;
  }

  static Json functionFields(const rwd::UserFunctionInfo& u) {
    Json rec{{"id", u.id},
             {"type", std::string(rwd::toString(u.type))},
             {"subType", std::string(rwd::toString(u.subType))},
             {"isReplay", u.isReplay},
             {"startTimestamp", stamp(u.startTimestamp)}};
    if (u.name) rec["name"] = *u.name;
    if (u.parentId) rec["parentId"] = *u.parentId;
    if (u.endTimestamp) rec["endTimestamp"] = stamp(*u.endTimestamp);
    putError(rec, u.error);
    return rec;
  }

  void write(const char* hook, Json fields) {
    if (!invocation_ || !invocation_->writeLog) return;
    Json rec{{"plugin", "hook-recorder"}, {"hook", hook}};
    for (auto& [k, v] : fields.items()) rec[k] = std::move(v);
    invocation_->writeLog(rec);
    if (std::getenv("REWIND_HOOK_RECORDER_STDERR")) std::cerr << rec.dump() << '\n';
  }

  const rwd::InvocationInfo* invocation_ = nullptr;
};

}  // namespace

REWIND_PLUGIN(HookRecorder)
