// LocalDurableTestRunner: drives a durable handler in-process, invocation after
// invocation, on a virtual clock owned by the runner, answering callbacks from
// declarative responders or from the test thread.
//
//   rwd::LocalDurableTestRunner runner(myHandler);
//   runner.onCallback("agent-review", rwd::CallbackResponse::success(R"({"ok":true})").after(2h));
//   auto result = runner.run(Ticket{...});
//   EXPECT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
//
// Thread-safety: call from one test thread. start() runs the execution on a background
// thread; the virtual clock advances only while the test thread waits on the runner
// (waitForData, waitForResult), so outcomes never depend on thread timing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/detached_service.hpp"
#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"
#include "rewind/invocation_hooks.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"
#include "rewind/time.hpp"
#include "rewind/json_text.hpp"

namespace rwd {

enum class ExecutionStatus { Running, Succeeded, Failed, TimedOut, Stopped };
std::string_view toString(ExecutionStatus s);

// How one invocation ended.
enum class InvocationOutcome { Succeeded, Failed, Pending, Crashed, TimedOut };
std::string_view toString(InvocationOutcome o);

struct InvocationRecord {
  int index = 0;  // 1-based
  std::string requestId;
  TimePoint start{};
  TimePoint end{};
  InvocationOutcome outcome = InvocationOutcome::Pending;
  std::optional<ErrorObject> error;
};

// ---- Invocations run elsewhere (RunnerOptions::invocationExecutor) -------------------
//
// The runner is the service: it owns the records, the clock and the timers. By default
// it runs each invocation of the handler in its own process and memory. An executor
// runs it somewhere else (the checker's fork mode: a fresh child process per
// invocation) and returns what the invocation did; the runner then applies the returned
// checkpoint updates to its records itself, in order, validating each as it would a
// checkpoint call, and ends the invocation from the returned outcome exactly as the
// in-process path does (same history events, invocation records, retries and timers).

// The invocation the runner asks for.
struct InvocationRequest {
  int index = 0;  // 1-based
  std::string requestId;
  TimePoint start{};
  Payload input;
  // For an executor that runs the SDK itself elsewhere (a bootstrap process behind the
  // Lambda Runtime API): the service side of this invocation over a copy of the records.
  // Return its appliedUpdates() as the response's updates (fate Persist).
  std::function<std::unique_ptr<DetachedDurableService>()> detach;
};

// One checkpoint update as it reached the checkpoint seam, and its fate there.
struct CheckpointRecord {
  OperationUpdate update;
  CheckpointFate fate = CheckpointFate::Persist;
};

// What one invocation did.
struct InvocationResponse {
  enum class End {
    Succeeded,         // the handler returned `result`
    Failed,            // the execution fails with `error`
    InvocationFailed,  // only the invocation fails (UnrecoverableInvocationError): re-invoked
    Pending,           // suspended: waits, retries, callbacks or invokes are outstanding
    Crashed,           // the process died (Runtime.ExitError)
  };
  // Every update that reached the seam, in order; DropAndCrash ones are not applied, and a
  // crash fate ends the list.
  std::vector<CheckpointRecord> updates;
  End end = End::Crashed;
  Payload result;
  std::optional<ErrorObject> error;
  std::vector<Json> logs;                         // log records (the logger's and plugins'), in order
  std::string logText;                            // what the invocation wrote to RunnerOptions::logStream
  std::vector<std::string> reportedHookFailures;  // "plugin/hook" keys it reported (once per execution)
};
std::string_view toString(InvocationResponse::End e);

// Sees each checkpoint update as it reaches the seam, before the invocation goes on (an
// executor streams them from there, so that a process dying mid-invocation has already
// handed over what it persisted).
using CheckpointListener = std::function<void(const CheckpointRecord& record)>;
// Runs the requested invocation in the calling process against a copy of the
// execution's records and returns what it did, without touching the runner's state (the
// interceptor, observers and plugins of RunnerOptions run as usual). `listener` may be
// null. Call it at most once per request.
using InProcessInvocation = std::function<InvocationResponse(const CheckpointListener& listener)>;
// Runs one invocation: typically calls runInProcess in another process and ships the
// response back. Throwing from it propagates out of run()/start().
using InvocationExecutor =
    std::function<InvocationResponse(const InvocationRequest& request, const InProcessInvocation& runInProcess)>;

// The exit status of a process whose invocation outlived RunnerOptions::invocationTimeout
// and its grace period (as timeout(1)).
inline constexpr int kInvocationHangExitCode = 124;

struct RunnerOptions {
  bool skipTime = true;                 // false: manual clock, advance with advanceTime()
  TimePoint epoch = kDefaultEpoch;      // virtual time of the first invocation
  std::uint64_t seed = 1;               // callback ids, request ids, ARN, jitter
  HandlerConfig handlerConfig{};
  std::ostream* logStream = nullptr;    // log records also go here (JSON lines)
  int maxInvocations = 10000;
  std::optional<Duration> executionTimeout;  // whole execution, virtual time -> TimedOut
  // A wall-clock limit on each invocation, like a Lambda function's timeout (unset: none;
  // the tools set one). Past it the invocation is stopped at its next durable operation
  // and the execution FAILS with InvocationTimeoutError [rewind.invocation.timeout]. A
  // handler that reaches no durable operation within invocationTimeoutGrace more (an
  // endless loop, a blocking call) cannot be stopped inside the process: it prints that
  // error on stderr and exits with code 124, as Lambda ends a timed-out sandbox.
  std::optional<std::chrono::milliseconds> invocationTimeout;
  std::chrono::milliseconds invocationTimeoutGrace{5000};
  std::string functionName = "rewind-local";
  std::shared_ptr<BranchScheduler> scheduler;
  CheckpointInterceptor checkpointInterceptor;
  // The checker's crash point between "the handler returned" and "the execution's outcome
  // is recorded": when set, the outcome also passes checkpointInterceptor as an EXECUTION
  // SUCCEED/FAIL update (id "execution") after the handler returns. DropAndCrash: the
  // process died before the service had the outcome (the invocation crashed, re-invoked);
  // PersistAndCrash: the outcome was recorded, then the process died (the execution ends).
  bool interceptExecutionOutcome = false;
  StepBodyObserver stepBodyObserver;  // runs inside the attempt: what it throws fails the attempt
  StepResultOverride stepResultOverride;
  StepErrorOverride stepErrorOverride;  // what it throws replaces a failed body's error
  // Unset: invocations run in this process, on the runner's records (the fast path).
  InvocationExecutor invocationExecutor;
  // When responders are registered, a new callback that none of them matches is an
  // error (the conformance suite's rule) instead of being left open.
  bool failOnUnansweredCallback = false;
  // false: the execution's history events are not kept (getHistoryEvents(), historyJson()
  // and the timeline see none), for a test tool that reads only operations and outcomes
  // (the replay verifier's crash runs). Kept anyway while callback responders are registered
  // (they are planned from the history).
  bool recordHistory = true;
};

// A declarative answer to a callback: success with a payload, failure with an error,
// a heartbeat, or never (the callback stays open). The payload is text, delivered as
// is: a std::string callback receives it unchanged, any other T parses it as JSON
// (success("approved"), successJson({{"action", "escalate"}})).
// Delays run on the virtual clock from the end of the invocation that created the
// callback and ADD UP: the callbacks one invocation creates take their responders in
// CallbackStarted order, each answer `delay` after the previous one (two callbacks
// answered .after(1h) complete at +1h and +2h) — the conformance suite's rule.
struct CallbackResponse {
  enum class Kind { Success, Failure, Heartbeat, Never };
  Kind kind = Kind::Never;
  Payload payload;
  ErrorObject error;
  Duration delay{0};

  static CallbackResponse success(Payload payload = std::nullopt) { return {Kind::Success, std::move(payload), {}, {}}; }
  static CallbackResponse successJson(const Json& value) { return success(dumpJson(value)); }
  static CallbackResponse failure(ErrorObject error) { return {Kind::Failure, std::nullopt, std::move(error), {}}; }
  static CallbackResponse heartbeat() { return {Kind::Heartbeat, std::nullopt, {}, {}}; }
  static CallbackResponse never() { return {Kind::Never, std::nullopt, {}, {}}; }
  CallbackResponse after(Duration d) const {
    CallbackResponse r = *this;
    r.delay = d;
    return r;
  }
};

// Matches a callback by its names (its own Name and, for waitForCallback, the operation's).
using CallbackNameMatcher = std::function<bool(const std::vector<std::string>& names)>;

class ExecutionResult {
 public:
  ExecutionStatus getStatus() const noexcept { return status_; }
  // The raw JSON text of the handler's result (SUCCEEDED only).
  const Payload& getResultPayload() const noexcept { return result_; }
  Json getResult() const;
  template <class T>
  T getResultAs() const {
    return getResult().get<T>();
  }
  const std::optional<ErrorObject>& getError() const noexcept { return error_; }
  const std::vector<Operation>& getOperations() const noexcept { return operations_; }
  const std::vector<InvocationRecord>& getInvocations() const noexcept { return invocations_; }
  const std::vector<HistoryEvent>& getHistoryEvents() const noexcept { return history_; }
  const std::vector<Json>& getLogs() const noexcept { return logs_; }
  const std::string& getExecutionArn() const noexcept { return arn_; }
  // GetDurableExecutionHistory events as JSON.
  Json historyJson() const;
  // Result, status, operations and history as one JSON document (rewind-run --json).
  Json toJson() const;
  // Why a Running execution cannot progress on its own (empty when it ended).
  const std::string& getBlockedReason() const noexcept { return blockedReason_; }
  // A readable timeline: a tree of operations with type, status, attempts and durations.
  void print(std::ostream& out) const;

 private:
  friend class LocalDurableTestRunner;
  friend class internal::Invocation;
  ExecutionStatus status_ = ExecutionStatus::Running;
  Payload result_;
  std::optional<ErrorObject> error_;
  std::vector<Operation> operations_;
  std::vector<InvocationRecord> invocations_;
  std::vector<HistoryEvent> history_;
  std::vector<Json> logs_;
  std::string arn_;
  std::string blockedReason_;
};

class LocalDurableTestRunner;

// An execution's state at one moment of an in-process invocation, as a process death right
// then would leave it (the replay verifier resumes crash runs from the crash-free run's
// states instead of re-running their prefix). Opaque: see
// LocalDurableTestRunner::crashSnapshot and resumeAfterCrash.
struct CrashSnapshot;

// A handle on one operation, found by name, index or id; resolved each time it is
// queried, so it can be obtained before the operation exists.
class OperationHandle {
 public:
  enum class WaitingStatus { Started, Submitted, Completed };

  std::optional<Operation> get() const;
  bool exists() const { return get().has_value(); }
  Operation require() const;  // throws std::runtime_error naming the lookup when absent
  std::string getId() const { return require().id; }
  std::optional<std::string> getName() const { return require().name; }
  OperationStatus getStatus() const { return require().status; }
  OperationType getType() const { return require().type; }
  OperationSubType getSubType() const { return require().subType; }
  StepDetails getStepDetails() const;
  WaitDetails getWaitDetails() const;
  CallbackDetails getCallbackDetails() const;
  ContextDetails getContextDetails() const;
  ChainedInvokeDetails getChainedInvokeDetails() const;
  std::vector<Operation> getChildOperations() const;

  // Blocks the test thread until the operation exists and has reached `status`
  // (Started: it exists; Submitted: a waitForCallback's submitter finished; Completed:
  // terminal). Fails fast (throws) when the execution can no longer get there.
  OperationHandle& waitForData(WaitingStatus status = WaitingStatus::Started);

  void sendCallbackSuccess(Payload payload = std::nullopt);
  void sendCallbackFailure(ErrorObject error);
  void sendCallbackHeartbeat();

 private:
  friend class LocalDurableTestRunner;
  enum class By { Name, Index, NameAndIndex, Id };
  OperationHandle(LocalDurableTestRunner* runner, By by, std::string key, std::size_t index)
      : runner_(runner), by_(by), key_(std::move(key)), index_(index) {}
  std::string describe() const;
  // Queues an answer for this callback (a waitForCallback's answers go to its CALLBACK
  // child) and, without a worker thread, drives the execution on at once.
  void sendAnswer(CallbackResponse::Kind kind, Payload payload, ErrorObject error);
  LocalDurableTestRunner* runner_;
  By by_;
  std::string key_;
  std::size_t index_;
};

class LocalDurableTestRunner {
 public:
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, RawHandler>)
  explicit LocalDurableTestRunner(F handler, RunnerOptions options = {})
      : LocalDurableTestRunner(makeHandler(std::move(handler)), std::move(options)) {}
  explicit LocalDurableTestRunner(RawHandler handler, RunnerOptions options = {});
  ~LocalDurableTestRunner();
  LocalDurableTestRunner(const LocalDurableTestRunner&) = delete;
  LocalDurableTestRunner& operator=(const LocalDurableTestRunner&) = delete;

  // Runs the execution to its end on the calling thread (with a manual clock: until it
  // needs time to pass; status Running then, continue with advanceTime()).
  template <class E>
  const ExecutionResult& run(const E& event) {
    return runPayload(internal::jsonSerialize<E>(event));
  }
  const ExecutionResult& run() { return runPayload(std::nullopt); }
  const ExecutionResult& runPayload(Payload input);

  // Starts the execution on a background thread (interactive style).
  template <class E>
  void start(const E& event) {
    startPayload(internal::jsonSerialize<E>(event));
  }
  void start() { startPayload(std::nullopt); }
  void startPayload(Payload input);
  // Waits for the execution started with start() to end (timers fire meanwhile).
  const ExecutionResult& waitForResult();

  // Manual clock.
  const ExecutionResult& advanceTime(Duration d);
  const ExecutionResult& advanceToNextTimer();
  TimePoint now() const;
  // When the earliest pending timer fires (none: nothing is scheduled).
  std::optional<TimePoint> nextTimer() const;

  // Declarative callback answers, consumed in registration order by callbacks whose
  // name matches ("*" matches any). Delays add up (see CallbackResponse).
  void onCallback(std::string name, CallbackResponse response);
  void onCallback(CallbackNameMatcher matcher, CallbackResponse response);
  // The names of responders that answered nothing and match no operation of the last
  // execution by name (a typo or a renamed callback; "*" and matcher responders are
  // never listed). rewind-run and rwd::testing::DurableTest report them after a run.
  std::vector<std::string> unmatchedResponders() const;
  // What the earliest pending timer will do, e.g. "wait wait-a-minute" or "the timeout of
  // callback approve" (none: nothing is scheduled). rewind-run prints it while it waits.
  std::optional<std::string> describeNextTimer() const;

  // Chained-invoke targets.
  void registerFunction(std::string name, RawFunction fn);
  template <class F>
  void registerFunction(std::string name, F fn) {
    registerFunction(std::move(name), RawFunction(makeFunction(std::move(fn))));
  }
  void registerDurableFunction(std::string name, RawHandler handler, HandlerConfig config = {});
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, RawHandler>)
  void registerDurableFunction(std::string name, F handler, HandlerConfig config = {}) {
    registerDurableFunction(std::move(name), makeHandler(std::move(handler)), config);
  }

  // Operation lookups (AWS names).
  OperationHandle getOperation(std::string_view name);
  OperationHandle getOperationByIndex(std::size_t index);
  OperationHandle getOperationByNameAndIndex(std::string_view name, std::size_t index);
  OperationHandle getOperationById(std::string_view id);

  // The last execution's outcome.
  const ExecutionResult& result() const;
  ExecutionStatus getStatus() const { return result().getStatus(); }
  Json getResult() const { return result().getResult(); }
  const std::optional<ErrorObject>& getError() const { return result().getError(); }
  const std::vector<Operation>& getOperations() const { return result().getOperations(); }
  const std::vector<InvocationRecord>& getInvocations() const { return result().getInvocations(); }
  const std::vector<HistoryEvent>& getHistoryEvents() const { return result().getHistoryEvents(); }
  void print(std::ostream& out) const { result().print(out); }

  // Stops a running execution (status Stopped).
  void stop();
  // Forgets the execution, responders' consumption and the clock; keeps registrations.
  void reset();

  // Test-tool hooks (the checker). crashSnapshot: callable only from inside
  // RunnerOptions::checkpointInterceptor or stepBodyObserver, on the thread running an
  // in-process invocation of this runner; copies the records as they are before the update
  // being intercepted (or as the body starts). Null when no in-process invocation runs.
  std::shared_ptr<const CrashSnapshot> crashSnapshot() const;
  // Replaces this runner's execution with `snapshot`'s (taken by a runner of the same
  // handler and options), applies `persisted` first when given (an update persisted just
  // before the crash), ends the crashed invocation (Runtime.ExitError) as a crash there
  // would, numbers the next checkpoint update `nextCheckpointSequence`, and drives the
  // execution on as run() does (with a manual clock: until it needs time to pass). When
  // `snapshot` is the last reference to it, its state is moved instead of copied.
  const ExecutionResult& resumeAfterCrash(std::shared_ptr<const CrashSnapshot> snapshot,
                                          const OperationUpdate* persisted, std::size_t nextCheckpointSequence);
  // Moves the last execution's operations out of its result instead of copying them (a
  // test tool that reads each run once): afterwards the result and the lookups by
  // operation of an ended execution see none.
  std::vector<Operation> takeOperations();

  const RunnerOptions& options() const noexcept;

 private:
  friend class OperationHandle;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwd
