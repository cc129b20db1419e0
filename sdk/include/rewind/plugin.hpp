// Plugins observe an execution: invocations, operations, step attempts, user functions
// of context operations, checkpoints and log records. Every hook is optional.
//
// Semantics (tests pin these down):
// - onInvocationStart fires before any handler code; onInvocationEnd once per
//   invocation after its outcome is final (PENDING when it suspends; RETRYING when the
//   invocation crashed or failed in a way the service invokes again, as the JS SDK's
//   PluginInvocationStatus; the terminal status only from the last invocation).
//   `firstInvocation` is true only once.
// - onOperationStart fires once live (isReplay false) when an operation is first
//   started and, on a later invocation, again with isReplay true only for operations
//   that are still not terminal. onOperationEnd fires exactly once, when the operation
//   reaches a terminal status (never for a failure that will be retried); for a
//   completion that lands between invocations (a wait, a callback, an invoke) it fires
//   when the next invocation reaches the operation.
// - onAttemptStart/End fire per attempt of a step, waitForCondition poll or
//   waitForCallback submitter, in order.
// - onUserFunctionStart/End wrap the user function of a child context, a map item or a
//   parallel branch; End reports the error when the function threw (not when it
//   suspended), once per Start.
// - onOperationChange fires after each checkpoint with the records it changed.
// The infos follow the AWS JS SDK 2.4 plugin API (@aws/durable-execution-sdk-js,
// types/plugin.d.ts): OperationInfo, AttemptInfo (+ end), InvocationInfo (+ end),
// OperationChangeInfo; UserFunctionInfo is what its wrapChildContextFn receives.
// - A hook that throws never changes the result, the history, other plugins' hooks or
//   later hooks; the failure is reported once (per plugin and hook) through the logger.
// - Plugins run in registration order.
//
// Thread-safety: hooks run on the handler's thread, one at a time.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"
#include "rewind/time.hpp"

namespace rwd {

struct InvocationInfo {
  std::string requestId;
  std::string executionArn;
  Payload input;
  TimePoint executionStart{};
  TimePoint invocationStart{};
  bool firstInvocation = false;
  int invocationIndex = 0;                                     // 1-based
  const std::vector<Operation>* operationsAtStart = nullptr;   // the log when the invocation began
  const std::vector<Operation>* completedSinceLast = nullptr;  // completions between invocations
  // Appends a record to the execution's in-memory log sink (ExecutionResult::getLogs(),
  // which the conformance runner's ExpectedLogs read). Valid until onInvocationEnd returns.
  std::function<void(const Json&)> writeLog;
};

// RETRYING: the invocation crashed (or failed unrecoverably) and the service invokes the
// execution again; the execution goes on.
enum class InvocationStatus { Succeeded, Failed, Pending, Retrying };
std::string_view toString(InvocationStatus s);

struct InvocationEndInfo {
  const InvocationInfo* invocation = nullptr;
  InvocationStatus status = InvocationStatus::Pending;
  TimePoint invocationEnd{};
  Payload result;
  std::optional<ErrorObject> error;
};

struct OperationInfo {
  std::string id;      // the history Id
  std::string stepId;  // positional id
  std::optional<std::string> name;
  OperationType type = OperationType::Step;
  OperationSubType subType = OperationSubType::Step;
  std::optional<std::string> parentId;
  OperationStatus status = OperationStatus::Started;
  TimePoint startTimestamp{};
  std::optional<TimePoint> endTimestamp;
  Payload result;  // raw serialized
  std::optional<ErrorObject> error;
  int attempt = 0;  // 1-based for steps, 0 otherwise
  bool isReplay = false;
};

enum class AttemptOutcome { Started, Succeeded, Failed };

// One attempt of a step, waitForCondition poll or waitForCallback submitter.
struct AttemptInfo {
  std::string id;
  std::string stepId;
  std::optional<std::string> name;
  OperationSubType subType = OperationSubType::Step;
  int attempt = 1;
  AttemptOutcome outcome = AttemptOutcome::Started;
  std::optional<ErrorObject> error;
  OperationType type = OperationType::Step;
  std::optional<std::string> parentId;    // the enclosing context operation's id
  TimePoint startTimestamp{};             // when this attempt began (runner clock)
  std::optional<TimePoint> endTimestamp;  // on end
  // Attempts always run live code; kept for the JS SDK's shape (it is false there too).
  bool isReplay = false;
  // On end of a failed attempt that will be retried: the delay before the next one.
  std::optional<Duration> nextAttemptDelay;
};

// The user function of a context operation (child context, map item, parallel branch),
// as the JS SDK's wrapChildContextFn sees it.
struct UserFunctionInfo {
  std::string id;
  std::string stepId;
  std::optional<std::string> name;
  OperationSubType subType = OperationSubType::RunInChildContext;
  bool replayingChildren = false;
  std::optional<ErrorObject> error;  // on end, when the function threw
  OperationType type = OperationType::Context;
  std::optional<std::string> parentId;
  // The operation was started by an earlier invocation: the function runs again to
  // reach its children (the JS SDK's replay mode).
  bool isReplay = false;
  TimePoint startTimestamp{};             // the operation's start
  std::optional<TimePoint> endTimestamp;  // on end: when the function returned or threw
};

// After a checkpoint: the operations it changed, and all of them.
struct OperationChangeInfo {
  std::string executionArn;
  std::string requestId;                                   // the invocation that checkpointed
  std::vector<OperationInfo> updated;                      // isReplay false: a checkpoint is live work
  const std::vector<Operation>* updatedRecords = nullptr;  // the same, as full records
  const std::deque<Operation>* operations = nullptr;       // every record of the execution
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string pluginName() const { return "plugin"; }

  virtual void onInvocationStart(const InvocationInfo&) {}
  virtual void onInvocationEnd(const InvocationEndInfo&) {}
  // Wraps the whole invocation; must call next() exactly once.
  virtual void wrapInvocation(const InvocationInfo&, const std::function<void()>& next) { next(); }

  virtual void onOperationStart(const OperationInfo&) {}
  virtual void onOperationEnd(const OperationInfo&) {}

  virtual void onAttemptStart(const AttemptInfo&) {}
  virtual void onAttemptEnd(const AttemptInfo&) {}
  // Wraps one attempt's function; must call next() exactly once.
  virtual void wrapAttempt(const AttemptInfo&, const std::function<void()>& next) { next(); }

  virtual void onUserFunctionStart(const UserFunctionInfo&) {}
  virtual void onUserFunctionEnd(const UserFunctionInfo&) {}

  // After each checkpoint: the updated operations and all of them.
  virtual void onOperationChange(const OperationChangeInfo& change) { (void)change; }

  // Fields added to every log record.
  virtual void enrichLogContext(Json& fields) { (void)fields; }
};

using PluginList = std::vector<std::shared_ptr<Plugin>>;
// Called once per invocation to build that invocation's plugins.
using PluginFactory = std::function<PluginList()>;

}  // namespace rwd
