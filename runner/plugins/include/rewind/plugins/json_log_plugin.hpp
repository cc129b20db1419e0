// JsonLogPlugin: one JSON line per hook, the format log pipelines ingest. Each record
// carries "timestamp" (virtual time), "level", "executionArn", "requestId",
// "invocation" (1-based), "hook" (e.g. "onOperationStart"), a readable "message" and
// the hook's fields ("operationId", "stepId", "name", "type", "subType", "status",
// "isReplay", "attempt", "error", …). Every record also goes to the execution's log
// sink (InvocationInfo::writeLog), so ExecutionResult::getLogs() and the conformance
// runner's ExpectedLogs see it.
//
//   rwd::RunnerOptions options;
//   options.handlerConfig.plugins = {std::make_shared<rwd::JsonLogPlugin>()};  // stdout
//   std::ostringstream lines;
//   auto plugin = std::make_shared<rwd::JsonLogPlugin>(rwd::JsonLogOptions{.stream = &lines});
//
// Lines: onInvocationStart, onInvocationEnd, onOperationStart, onOperationEnd,
// onAttemptStart, onAttemptEnd, onUserFunctionStart, onUserFunctionEnd and (unless
// turned off) onOperationChange, one per checkpoint. The wrappers and enrichLogContext
// write nothing. Records are compact JSON; invalid UTF-8 is replaced, never thrown on.
// Thread-safety: hooks run on the handler's thread one at a time; the stream is
// written from there.
#pragma once

#include <iosfwd>
#include <string>

#include "rewind/plugin.hpp"

namespace rwd {

struct JsonLogOptions {
  std::ostream* stream = nullptr;  // null: std::cout
  bool writeToStream = true;       // false: only the execution's log sink
  bool checkpoints = true;         // an onOperationChange line per checkpoint
  bool payloads = true;            // include inputs and results (truncated to 256 bytes)
};

class JsonLogPlugin : public Plugin {
 public:
  explicit JsonLogPlugin(JsonLogOptions options = {});
  std::string pluginName() const override { return "json-log"; }

  void onInvocationStart(const InvocationInfo& info) override;
  void onInvocationEnd(const InvocationEndInfo& info) override;
  void onOperationStart(const OperationInfo& op) override;
  void onOperationEnd(const OperationInfo& op) override;
  void onAttemptStart(const AttemptInfo& attempt) override;
  void onAttemptEnd(const AttemptInfo& attempt) override;
  void onUserFunctionStart(const UserFunctionInfo& fn) override;
  void onUserFunctionEnd(const UserFunctionInfo& fn) override;
  void onOperationChange(const OperationChangeInfo& change) override;

 private:
  void emit(const char* hook, const char* level, std::string message, Json fields);
  JsonLogOptions options_;
  // The invocation in progress (InvocationInfo is valid until onInvocationEnd returns).
  const InvocationInfo* invocation_ = nullptr;
};

}  // namespace rwd
