// Operation records, checkpoint updates and history events, as in the AWS durable
// execution service (GetDurableExecutionState / CheckpointDurableExecution /
// GetDurableExecutionHistory). Plain data; JSON conversion lives in history_json.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/boxed.hpp"
#include "rewind/error.hpp"
#include "rewind/operation_id.hpp"
#include "rewind/time.hpp"

namespace rwd {

enum class OperationType { Execution, Context, Step, Wait, Callback, ChainedInvoke };
enum class OperationSubType {
  Execution,
  Step,
  Wait,
  Callback,
  RunInChildContext,
  Map,
  MapIteration,
  Parallel,
  ParallelBranch,
  WaitForCallback,
  WaitForCondition,
  ChainedInvoke,
};
enum class OperationStatus { Started, Pending, Ready, Succeeded, Failed, Cancelled, Stopped, TimedOut };
enum class OperationAction { Start, Succeed, Fail, Retry, Cancel };

std::string_view toString(OperationType t);
std::string_view toString(OperationSubType t);
std::string_view toString(OperationStatus s);
std::string_view toString(OperationAction a);
bool isTerminal(OperationStatus s);

struct StepDetails {
  int attempt = 0;
  std::optional<TimePoint> nextAttemptTimestamp;
  std::optional<std::string> result;
  Boxed<ErrorObject> error;
};

struct WaitDetails {
  TimePoint scheduledEndTimestamp{};
  std::int64_t durationSeconds = 0;
};

struct CallbackDetails {
  std::string callbackId;
  std::optional<std::string> result;
  Boxed<ErrorObject> error;
  std::optional<std::int64_t> timeoutSeconds;
  std::optional<std::int64_t> heartbeatTimeoutSeconds;
  TimePoint lastHeartbeat{};
};

struct ChainedInvokeDetails {
  std::string functionName;
  std::optional<std::string> input;
  std::optional<std::string> tenantId;
  std::optional<std::string> result;
  Boxed<ErrorObject> error;
};

// The EXECUTION operation's details: the handler's input.
struct ExecutionDetails {
  std::optional<std::string> inputPayload;
};

struct ContextDetails {
  bool replayChildren = false;
  std::optional<std::string> result;
  Boxed<ErrorObject> error;
};

// One operation of an execution. `id` is the wire Id (md5-16 of `stepId`);
// `stepId` is the positional id ("1", "3-2") that Rewind keeps for messages.
struct Operation {
  OperationId id;
  std::string stepId;
  std::optional<OperationId> parentId;
  std::optional<std::string> name;
  OperationType type = OperationType::Step;
  OperationSubType subType = OperationSubType::Step;
  OperationStatus status = OperationStatus::Started;
  TimePoint startTimestamp{};
  std::optional<TimePoint> endTimestamp;
  Boxed<StepDetails> stepDetails;
  Boxed<WaitDetails> waitDetails;
  Boxed<CallbackDetails> callbackDetails;
  Boxed<ChainedInvokeDetails> chainedInvokeDetails;
  Boxed<ContextDetails> contextDetails;
  Boxed<ExecutionDetails> executionDetails;  // EXECUTION only
};

// One update of a checkpoint call.
struct OperationUpdate {
  std::string id;
  std::string stepId;  // not on the wire: positional id, for messages
  std::optional<std::string> parentId;
  std::optional<std::string> name;
  OperationType type = OperationType::Step;
  OperationSubType subType = OperationSubType::Step;
  OperationAction action = OperationAction::Start;
  std::optional<std::string> payload;
  Boxed<ErrorObject> error;
  std::optional<std::int64_t> nextAttemptDelaySeconds;  // StepOptions (RETRY)
  std::optional<std::int64_t> waitSeconds;              // WaitOptions
  std::optional<std::int64_t> callbackTimeoutSeconds;   // CallbackOptions
  std::optional<std::int64_t> callbackHeartbeatTimeoutSeconds;
  std::optional<std::string> functionName;  // ChainedInvokeOptions
  std::optional<std::string> tenantId;
  bool replayChildren = false;  // ContextOptions

  // Every field but the identity (id, stepId, parentId, name, type, subType, action) back
  // to its default: an SDK reusing one update for each checkpoint keeps the identity's
  // buffers. A field added above is reset here too.
  void resetAllButIdentity() noexcept {
    payload.reset();
    error.reset();
    nextAttemptDelaySeconds.reset();
    waitSeconds.reset();
    callbackTimeoutSeconds.reset();
    callbackHeartbeatTimeoutSeconds.reset();
    functionName.reset();
    tenantId.reset();
    replayChildren = false;
  }
};

enum class HistoryEventType {
  ExecutionStarted,
  ExecutionSucceeded,
  ExecutionFailed,
  ExecutionTimedOut,
  ExecutionStopped,
  StepStarted,
  StepSucceeded,
  StepFailed,
  WaitStarted,
  WaitSucceeded,
  WaitCancelled,
  CallbackStarted,
  CallbackSucceeded,
  CallbackFailed,
  CallbackTimedOut,
  ContextStarted,
  ContextSucceeded,
  ContextFailed,
  ChainedInvokeStarted,
  ChainedInvokeSucceeded,
  ChainedInvokeFailed,
  ChainedInvokeTimedOut,  // the invoked durable execution timed out (rewind-server)
  ChainedInvokeStopped,   // the invoked durable execution was stopped (rewind-server)
  InvocationCompleted,
};
std::string_view toString(HistoryEventType t);

// One GetDurableExecutionHistory event. Only the fields of its type are set.
struct HistoryEvent {
  HistoryEventType type = HistoryEventType::ExecutionStarted;
  std::int64_t eventId = 0;
  TimePoint timestamp{};
  std::optional<OperationId> id;
  std::optional<OperationId> parentId;
  std::optional<std::string> name;
  std::optional<OperationSubType> subType;
  bool hasResult = false;  // Result{Payload, Truncated} present (payload may be null)
  std::optional<std::string> result;
  Boxed<ErrorObject> error;
  std::optional<int> currentAttempt;  // RetryDetails
  std::optional<std::int64_t> nextAttemptDelaySeconds;
  std::optional<std::int64_t> durationSeconds;
  std::optional<TimePoint> scheduledEndTimestamp;
  Boxed<std::string> callbackId;
  std::optional<std::int64_t> timeoutSeconds;
  std::optional<std::int64_t> heartbeatTimeoutSeconds;
  Boxed<std::string> functionName;  // ChainedInvokeStarted
  Boxed<std::string> tenantId;
  Boxed<std::string> durableExecutionArn;
  std::optional<TimePoint> invocationStart;  // InvocationCompleted
  std::optional<TimePoint> invocationEnd;
  Boxed<std::string> requestId;
};

// Hash of a positional step id: the first 16 hex chars of md5(stepId).
std::string operationIdFor(std::string_view stepId);

}  // namespace rwd
