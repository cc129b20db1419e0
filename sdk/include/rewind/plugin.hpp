// Plugins observe an execution: invocations, operations, step attempts, user functions
// of context operations, checkpoints and log records. Every hook is optional.
//
// Semantics (tests pin these down):
// - onInvocationStart fires before any handler code; onInvocationEnd once per
//   invocation after its outcome is final (PENDING when it suspends; the terminal status
//   only from the last invocation). `firstInvocation` is true only once.
// - onOperationStart fires once live (isReplay false) when an operation is first
//   started and, on a later invocation, again with isReplay true only for operations
//   that are still not terminal. onOperationEnd fires exactly once, when the operation
//   reaches a terminal status (never for a failure that will be retried); for a
//   completion that lands between invocations (a wait, a callback, an invoke) it fires
//   when the next invocation reaches the operation.
// - onAttemptStart/End fire per attempt of a step, waitForCondition poll or
//   waitForCallback submitter, in order.
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
  int invocationIndex = 0;  // 1-based
  const std::vector<Operation>* operationsAtStart = nullptr;     // the log when the invocation began
  const std::vector<Operation>* completedSinceLast = nullptr;  // completions between invocations
  // Appends a record to the execution's in-memory log sink (ExecutionResult::getLogs(),
  // which the conformance runner's ExpectedLogs read). Valid until onInvocationEnd returns.
  std::function<void(const Json&)> writeLog;
};

enum class InvocationStatus { Succeeded, Failed, Pending };
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

struct AttemptInfo {
  std::string id;
  std::string stepId;
  std::optional<std::string> name;
  OperationSubType subType = OperationSubType::Step;
  int attempt = 1;
  AttemptOutcome outcome = AttemptOutcome::Started;
  std::optional<ErrorObject> error;
};

struct UserFunctionInfo {
  std::string id;
  std::string stepId;
  std::optional<std::string> name;
  OperationSubType subType = OperationSubType::RunInChildContext;
  bool replayingChildren = false;
  std::optional<ErrorObject> error;  // on end, when the function threw
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

  // After each checkpoint: the updated operations (full records) and all of them.
  virtual void onOperationChange(const std::vector<Operation>& updated, const std::deque<Operation>& all) {
    (void)updated;
    (void)all;
  }

  // Fields added to every log record.
  virtual void enrichLogContext(Json& fields) { (void)fields; }
};

using PluginList = std::vector<std::shared_ptr<Plugin>>;
// Called once per invocation to build that invocation's plugins.
using PluginFactory = std::function<PluginList()>;

}  // namespace rwd
