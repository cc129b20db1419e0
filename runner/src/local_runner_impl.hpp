// LocalDurableTestRunner::Impl: the runner's state and its invocation loop (private to
// runner/src; local_runner.cpp and operation_handle.cpp use it). One mutex guards the
// execution state; whichever thread holds it may run an invocation or fire a timer. In
// start() mode a worker thread runs the invocations and fires timers only while the
// test thread waits on the runner.
#pragma once

#include "rewind/local_runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "execution_store.hpp"
#include "invocation.hpp"
#include "invocation_response.hpp"
#include "invocation_watchdog.hpp"
#include "detached_service_impl.hpp"
#include "local_service.hpp"

namespace rwd {

using internal::ExecutionStore;
using internal::Timer;

namespace internal {

inline std::string hex16(std::uint64_t v) { return fmt::format("{:016x}", v); }

inline std::uint64_t mix(std::uint64_t x) { return internal::splitmix64(x); }

[[noreturn]] inline void runnerError(std::string_view code, const std::string& message) {
  throw std::runtime_error(fmt::format("[rewind.runner.{}] {}", code, message));
}

}  // namespace internal

using internal::hex16;
using internal::mix;
using internal::runnerError;

struct LocalDurableTestRunner::Impl {
  struct Responder {
    std::string name;
    CallbackNameMatcher matcher;
    CallbackResponse response;
    bool used = false;
  };
  struct External {
    std::string opId;
    CallbackResponse::Kind kind;
    Payload payload;
    ErrorObject error;
  };

  RawHandler handler;
  RunnerOptions options;
  std::map<std::string, RawFunction, std::less<>> functions;
  std::map<std::string, std::pair<RawHandler, HandlerConfig>, std::less<>> durableFunctions;
  std::vector<Responder> responders;
  // Completions since the last invocation that ended cleanly (FLAT batches; batch.cpp).
  std::unordered_set<std::string> unseenCompletions;

  // Execution state (guarded by mu).
  std::unique_ptr<ExecutionStore> store;
  Payload input;
  bool started = false;
  bool done = false;
  bool pendingInvocation = false;
  std::size_t checkpointSeq = 0;
  std::size_t plannedUpTo = 0;  // history events already scanned for new callbacks
  std::vector<InvocationRecord> invocations;
  std::vector<Json> logs;
  ExecutionStatus status = ExecutionStatus::Running;
  Payload resultPayload;
  std::optional<ErrorObject> error;
  ExecutionResult snapshot;
  std::string blockedReason;
  std::unordered_set<std::string> reportedHookFailures;
  const InvocationRequest* current = nullptr;  // the in-process invocation running now

  // Threading.
  std::mutex mu;
  std::condition_variable cv;
  std::thread worker;
  bool threaded = false;
  bool stopWorker = false;
  int testWaiting = 0;
  // What the waiting test thread waits for: the worker fires no timer while it holds,
  // so the clock never runs past the point the test is waiting for.
  std::function<bool()> waiterSatisfied;
  std::deque<External> external;

  std::string arnFor(std::uint64_t seed) const {
    return fmt::format("arn:aws:lambda:us-east-1:123456789012:function:{}:$LATEST/durable-execution/rewind/{}",
                       options.functionName, hex16(mix(seed)));
  }

  void begin(Payload in) {
    if (threaded) joinWorker();
    store = std::make_unique<ExecutionStore>(options.epoch, options.seed, arnFor(options.seed));
    store->setRecordHistory(options.recordHistory || !responders.empty());
    drained = false;
    snapshot = ExecutionResult();
    input = std::move(in);
    started = true;
    done = false;
    pendingInvocation = true;
    checkpointSeq = 0;
    plannedUpTo = 0;
    invocations.clear();
    logs.clear();
    status = ExecutionStatus::Running;
    resultPayload.reset();
    error.reset();
    blockedReason.clear();
    reportedHookFailures.clear();
    external.clear();
    unseenCompletions.clear();
    for (auto& r : responders) r.used = false;
    HistoryEvent& ev = store->addEvent(HistoryEventType::ExecutionStarted);
    ev.hasResult = true;
    ev.result = input ? input : Payload("null");
    if (options.executionTimeout) store->schedule(Timer::Kind::ExecutionTimeout, options.epoch + *options.executionTimeout, "");
  }

  void finish(ExecutionStatus s, Payload result, std::optional<ErrorObject> err) {
    done = true;
    status = s;
    resultPayload = std::move(result);
    error = std::move(err);
    HistoryEventType t = s == ExecutionStatus::Succeeded ? HistoryEventType::ExecutionSucceeded
                         : s == ExecutionStatus::Failed  ? HistoryEventType::ExecutionFailed
                         : s == ExecutionStatus::TimedOut ? HistoryEventType::ExecutionTimedOut
                                                          : HistoryEventType::ExecutionStopped;
    HistoryEvent& ev = store->addEvent(t);
    if (s == ExecutionStatus::Succeeded) {
      ev.hasResult = true;
      ev.result = resultPayload;
    } else {
      ev.error = error;
    }
  }

  // ---- one invocation: execute (here or through the executor), then finish ----

  struct Sinks {
    std::vector<Json>* logs;
    std::ostream* logStream;
    std::unordered_set<std::string>* reportedHookFailures;
  };

  InvocationRequest nextRequest() {
    InvocationRequest req;
    req.index = static_cast<int>(invocations.size()) + 1;
    req.requestId =
        fmt::format("{}-{}-{}-{}-{}", hex16(mix(options.seed ^ 0x5eed)).substr(0, 8),
                    hex16(mix(options.seed ^ 0xbeef)).substr(0, 4), hex16(mix(options.seed + req.index)).substr(0, 4),
                    hex16(mix(options.seed * 31 + req.index)).substr(0, 4),
                    hex16(mix(options.seed * 131 + req.index)).substr(0, 12));
    req.start = store->now();
    req.input = input;
    return req;
  }

  // The error an invocation record carries for the way the invocation ended.
  static std::optional<ErrorObject> invocationError(const internal::InvocationOutcomeData& out,
                                                    const std::string& requestId) {
    switch (out.end) {
      case internal::InvocationEnd::Failed:
      case internal::InvocationEnd::InvocationFailed:
        return out.error;
      case internal::InvocationEnd::Crashed:
        return ErrorObject{"Runtime.ExitError",
                           fmt::format("RequestId: {} Error: Runtime exited without providing a reason", requestId),
                           std::nullopt, std::nullopt};
      case internal::InvocationEnd::Succeeded:
      case internal::InvocationEnd::Pending:
        return std::nullopt;
    }
    return std::nullopt;
  }

  // Runs the handler once against `st` through the SDK's entry point, the store behind
  // the in-process DurableService. `st` is the runner's store (in-process) or a copy of
  // it (runInProcess).
  internal::InvocationOutcomeData execute(internal::ExecutionStore& st, const InvocationRequest& req,
                                          const std::vector<std::string>& completions, const Sinks& sinks,
                                          CheckpointInterceptor interceptor, std::size_t* sequence) {
    InvocationOptions o;
    o.clock = [&st] { return st.now(); };
    o.seed = options.seed;
    o.handlerConfig = options.handlerConfig;
    o.logStream = sinks.logStream;
    o.logSink = sinks.logs;
    o.scheduler = options.scheduler.get();
    o.interceptor = std::move(interceptor);
    o.checkpointSequence = sequence;
    o.stepBodyObserver = options.stepBodyObserver;
    o.stepResultOverride = options.stepResultOverride;
    o.stepErrorOverride = options.stepErrorOverride;
    o.interceptOutcome = options.interceptExecutionOutcome;
    o.requestId = req.requestId;
    o.executionStart = options.epoch;
    o.invocationIndex = req.index;
    o.completedSinceLast.insert(completions.begin(), completions.end());
    o.unseenCompletions = unseenCompletions;
    o.reportedHookFailures = sinks.reportedHookFailures;
    std::optional<internal::InvocationWatchdog::Lease> watch;
    if (options.invocationTimeout) {
      watch.emplace(internal::InvocationWatchdog::watch(
          *options.invocationTimeout, options.invocationTimeoutGrace,
          fmt::format("invocation {} of '{}' (request {})", req.index, options.functionName, req.requestId)));
      o.timeoutExpired = &watch->expired();
      o.timeoutLimit = *options.invocationTimeout;
    }
    internal::LocalDurableService service(st);
    return internal::outcomeData(
        runDurableInvocation(handler, service.invocationInput(req.input, options.epoch), service, o));
  }

  // The executor's runInProcess: the invocation on a copy of the records, its logs and
  // hook-failure reports kept aside, every update recorded (and shown to `listener`) as
  // it reaches the seam.
  InvocationResponse executeDetached(const InvocationRequest& req, const std::vector<std::string>& completions,
                                     const CheckpointListener& listener) {
    InvocationResponse resp;
    internal::ExecutionStore scratch = *store;
    std::ostringstream text;
    std::unordered_set<std::string> reported = reportedHookFailures;
    Sinks sinks{&resp.logs, options.logStream ? &text : nullptr, &reported};
    std::size_t sequence = checkpointSeq;
    const CheckpointInterceptor& user = options.checkpointInterceptor;
    auto record = [&](const OperationUpdate& u, std::size_t) {
      CheckpointFate fate = user ? user(u, sequence++) : CheckpointFate::Persist;
      resp.updates.push_back({u, fate});
      if (listener) listener(resp.updates.back());
      return fate;
    };
    internal::InvocationOutcomeData out = execute(scratch, req, completions, sinks, record, nullptr);
    resp.end = internal::responseEnd(out.end);
    resp.result = std::move(out.result);
    resp.error = std::move(out.error);
    resp.logText = text.str();
    for (const std::string& key : reported)
      if (!reportedHookFailures.count(key)) resp.reportedHookFailures.push_back(key);
    return resp;
  }

  // The service's side of an executor's response: the updates applied in order, each
  // validated as a checkpoint call is (an invalid one fails the execution, as it does
  // in-process), then the outcome.
  internal::InvocationOutcomeData applyResponse(InvocationResponse& resp) {
    internal::InvocationOutcomeData out =
        internal::applyResponseUpdates(*store, resp, options.checkpointInterceptor ? &checkpointSeq : nullptr);
    logs.insert(logs.end(), std::make_move_iterator(resp.logs.begin()), std::make_move_iterator(resp.logs.end()));
    if (options.logStream && !resp.logText.empty()) *options.logStream << resp.logText;
    reportedHookFailures.insert(resp.reportedHookFailures.begin(), resp.reportedHookFailures.end());
    return out;
  }

  void runInvocation() {
    pendingInvocation = false;
    InvocationRequest req = nextRequest();
    std::vector<std::string> completions = store->takeCompletions();
    internal::InvocationOutcomeData out;
    unseenCompletions.insert(completions.begin(), completions.end());
    if (!options.invocationExecutor) {
      current = &req;  // for crashSnapshot(), while the invocation runs here
      out = execute(*store, req, completions, Sinks{&logs, options.logStream, &reportedHookFailures},
                    options.checkpointInterceptor, &checkpointSeq);
      current = nullptr;
    } else {
      req.detach = [this, &req]() -> std::unique_ptr<DetachedDurableService> {
        return std::make_unique<internal::DetachedServiceImpl>(*store, req.input, options.epoch);
      };
      InvocationResponse resp = options.invocationExecutor(
          req, [&](const CheckpointListener& listener) { return executeDetached(req, completions, listener); });
      out = applyResponse(resp);
    }
    finishInvocation(req, out);
  }

  // Ends an invocation from its outcome: the InvocationCompleted event and record, the
  // execution's end, or what drives it on (re-invocation, responders, invoke targets).
  void finishInvocation(const InvocationRequest& req, const internal::InvocationOutcomeData& out) {
    InvocationRecord rec;
    rec.index = req.index;
    rec.requestId = req.requestId;
    rec.start = req.start;
    rec.end = store->now();
    rec.error = invocationError(out, req.requestId);
    HistoryEvent& ev = store->addEvent(HistoryEventType::InvocationCompleted);
    ev.invocationStart = rec.start;
    ev.invocationEnd = rec.end;
    ev.requestId = rec.requestId;
    switch (out.end) {
      case internal::InvocationEnd::Succeeded: rec.outcome = InvocationOutcome::Succeeded; break;
      case internal::InvocationEnd::Failed:  // the event carries the error its record has
        rec.outcome = InvocationOutcome::Failed;
        ev.error = rec.error;
        break;
      case internal::InvocationEnd::Pending: rec.outcome = InvocationOutcome::Pending; break;
      case internal::InvocationEnd::Crashed:
        rec.outcome = InvocationOutcome::Crashed;
        ev.error = rec.error;
        break;
      case internal::InvocationEnd::InvocationFailed:
        rec.outcome = InvocationOutcome::Failed;
        ev.error = rec.error;
        break;
    }
    invocations.push_back(std::move(rec));
    // A crashed or failed invocation may not have reached every item that a completion
    // unblocked: those completions stay unseen until an invocation ends cleanly.
    if (out.end != internal::InvocationEnd::Crashed && out.end != internal::InvocationEnd::InvocationFailed)
      unseenCompletions.clear();

    if (out.end == internal::InvocationEnd::Succeeded) {
      finish(ExecutionStatus::Succeeded, out.result, std::nullopt);
    } else if (out.end == internal::InvocationEnd::Failed) {
      finish(ExecutionStatus::Failed, std::nullopt, out.error);
    }
    if (done) return;
    if (static_cast<int>(invocations.size()) >= options.maxInvocations) {
      finish(ExecutionStatus::Failed, std::nullopt,
             ErrorObject{"Rewind.TooManyInvocations",
                         fmt::format("[rewind.runner.too_many_invocations] the execution did not end within {} "
                                     "invocations (a crash or retry loop?)",
                                     options.maxInvocations),
                         std::nullopt, std::nullopt});
      return;
    }
    // Callbacks created by a crashed invocation get their responders too.
    planResponders(plannedUpTo);
    plannedUpTo = store->history().size();
    if (out.end != internal::InvocationEnd::Pending) {
      pendingInvocation = true;  // a crashed or failed invocation is re-invoked at once
      return;
    }
    for (const std::string& id : store->takeStartedInvokes()) store->schedule(Timer::Kind::Invoke, store->now(), id);
  }

  std::vector<std::string> callbackNames(const HistoryEvent& ev) const {
    std::vector<std::string> names;
    if (ev.name) names.push_back(*ev.name);
    if (ev.parentId) {
      const Operation* parent = store->find(*ev.parentId);
      if (parent && parent->subType == OperationSubType::WaitForCallback && parent->name) names.push_back(*parent->name);
    }
    return names;
  }

  bool matches(const Responder& r, const std::vector<std::string>& names) const {
    if (r.matcher) return r.matcher(names);
    if (r.name == "*") return true;
    return std::find(names.begin(), names.end(), r.name) != names.end();
  }

  // Plans the declarative answers of the callbacks this invocation created: delays
  // count from the end of the invocation and accumulate in CallbackStarted order.
  void planResponders(std::size_t firstEvent) {
    if (responders.empty()) return;
    TimePoint t = store->now();
    // Copy: scheduling may not grow history, but keep the loop independent of it.
    std::vector<HistoryEvent> events(store->history().begin() + static_cast<std::ptrdiff_t>(firstEvent),
                                     store->history().end());
    for (const HistoryEvent& ev : events) {
      if (ev.type != HistoryEventType::CallbackStarted) continue;
      std::vector<std::string> names = callbackNames(ev);
      bool first = true;
      while (true) {
        auto it = std::find_if(responders.begin(), responders.end(),
                               [&](const Responder& r) { return !r.used && matches(r, names); });
        if (it == responders.end()) {
          if (first && options.failOnUnansweredCallback)
            runnerError("unanswered_callback",
                        fmt::format("no callback responder matches callback {} (names: {})", *ev.id,
                                    names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
          break;
        }
        first = false;
        it->used = true;
        if (it->response.kind == CallbackResponse::Kind::Never) break;
        t += it->response.delay;
        store->schedule(Timer::Kind::CallbackAction, t, *ev.id, static_cast<std::size_t>(it - responders.begin()));
        if (it->response.kind != CallbackResponse::Kind::Heartbeat) break;
      }
    }
  }

  bool applyAnswer(const std::string& opId, CallbackResponse::Kind kind, const Payload& payload,
                   const ErrorObject& err) {
    switch (kind) {
      case CallbackResponse::Kind::Success: return store->callbackSuccess(opId, payload);
      case CallbackResponse::Kind::Failure: return store->callbackFailure(opId, err);
      case CallbackResponse::Kind::Heartbeat: return store->callbackHeartbeat(opId);
      case CallbackResponse::Kind::Never: return false;
    }
    return false;
  }

  bool runInvokeTarget(const std::string& opId) {
    const Operation* rec = store->find(opId);
    const ChainedInvokeDetails& d = *rec->chainedInvokeDetails;
    if (auto f = functions.find(d.functionName); f != functions.end()) {
      Payload result;
      try {
        result = f->second(d.input);
      } catch (...) {
        return store->invokeFailed(opId, currentErrorInfo().toObject());
      }
      return store->invokeSucceeded(opId, result ? result : Payload("null"));
    }
    if (auto f = durableFunctions.find(d.functionName); f != durableFunctions.end()) {
      RunnerOptions child = options;
      child.epoch = store->now();
      child.seed = mix(options.seed ^ std::hash<std::string>{}(opId));
      child.handlerConfig = f->second.second;
      child.functionName = d.functionName;
      child.checkpointInterceptor = nullptr;
      LocalDurableTestRunner target(f->second.first, child);
      for (const auto& [name, fn] : functions) target.registerFunction(name, fn);
      for (const auto& [name, h] : durableFunctions) target.registerDurableFunction(name, h.first, h.second);
      const ExecutionResult& r = target.runPayload(d.input);
      if (r.getStatus() == ExecutionStatus::Succeeded) return store->invokeSucceeded(opId, r.getResultPayload());
      ErrorObject e = r.getError().value_or(
          ErrorObject{"InvokeError", fmt::format("the durable target ended {}", toString(r.getStatus())), {}, {}});
      return store->invokeFailed(opId, e);
    }
    return store->invokeFailed(opId, ErrorObject{"ResourceNotFoundException",
                                                 fmt::format("no function is registered as '{}' (registerFunction or "
                                                             "registerDurableFunction)",
                                                             d.functionName),
                                                 std::nullopt, std::nullopt});
  }

  // Fires the earliest timer; true when something happened (an invocation may be due).
  bool fireNext() {
    std::optional<Timer> t = store->popNextTimer();
    if (!t) return false;
    bool starts = false;
    switch (t->kind) {
      case Timer::Kind::CallbackAction: {
        const CallbackResponse& r = responders[t->action].response;
        starts = applyAnswer(t->opId, r.kind, r.payload, r.error);
        break;
      }
      case Timer::Kind::Invoke: starts = runInvokeTarget(t->opId); break;
      case Timer::Kind::ExecutionTimeout:
        finish(ExecutionStatus::TimedOut, std::nullopt,
               ErrorObject{"Execution.TimedOut", "the execution exceeded its execution timeout", {}, {}});
        return true;
      default: starts = store->fire(*t); break;
    }
    if (starts) pendingInvocation = true;
    return true;
  }

  std::string describeBlocked() const {
    std::vector<std::string> open;
    for (const Operation& op : store->operations())
      if (op.type == OperationType::Callback && op.status == OperationStatus::Started) {
        // A waitForCallback's callback is unnamed: name it by its operation.
        const Operation* parent = op.parentId ? store->find(*op.parentId) : nullptr;
        if (op.name)
          open.push_back(fmt::format("'{}'", *op.name));
        else if (parent && parent->subType == OperationSubType::WaitForCallback)
          open.push_back(parent->name ? fmt::format("of waitForCallback '{}'", *parent->name)
                                      : fmt::format("of the unnamed waitForCallback at step {}", parent->stepId));
        else
          open.push_back(fmt::format("at step {}", op.stepId));
      }
    if (open.empty()) return "the execution is suspended with nothing that can complete";
    return fmt::format("the execution is blocked on callback {} with no timeout and nothing to answer it",
                       fmt::join(open, ", "));
  }

  // Runs invocations and fires timers until the execution ends or cannot progress
  // without the test (manual clock, or an unanswered callback). Caller holds mu.
  void driveLocked(std::optional<TimePoint> until) {
    while (!done) {
      if (pendingInvocation) {
        runInvocation();
        continue;
      }
      if (!external.empty()) {
        External e = std::move(external.front());
        external.pop_front();
        if (applyAnswer(e.opId, e.kind, e.payload, e.error)) pendingInvocation = true;
        continue;
      }
      std::optional<TimePoint> next = store->nextTimerAt();
      bool allowed = until ? (next && *next <= *until) : options.skipTime;
      if (!next || !allowed) break;
      fireNext();
    }
    if (until && !done && store->now() < *until) store->setNow(*until);
    blockedReason = done ? std::string() : (store->hasTimers() ? std::string("waiting for time to pass (manual clock)")
                                                               : describeBlocked());
    takeSnapshot();
    cv.notify_all();
  }

  // Once the execution has ended its records move into the snapshot instead of being
  // copied (a run's largest cost after the handler itself); lookups then read them there.
  bool drained = false;

  const Operation* findOperation(std::string_view id) const {
    if (!drained) return store->find(id);
    for (const Operation& op : snapshot.operations_)
      if (op.id == id) return &op;
    return nullptr;
  }
  template <class F>
  void forEachOperation(F&& f) const {
    if (!drained) {
      for (const Operation& op : store->operations()) f(op);
    } else {
      for (const Operation& op : snapshot.operations_) f(op);
    }
  }

  void takeSnapshot() {
    if (drained) return;
    if (done) {
      snapshot.status_ = status;
      snapshot.result_ = resultPayload;
      snapshot.error_ = error;
      auto ops = store->drainOperations();
      snapshot.operations_.assign(std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
      snapshot.history_ = store->drainHistory();
      snapshot.invocations_ = invocations;
      snapshot.logs_ = std::move(logs);
      snapshot.arn_ = store->arn();
      snapshot.blockedReason_.clear();
      drained = true;
      return;
    }
    snapshot.status_ = status;
    snapshot.result_ = resultPayload;
    snapshot.error_ = error;
    snapshot.operations_.assign(store->operations().begin(), store->operations().end());
    snapshot.invocations_ = invocations;
    snapshot.history_.assign(store->history().begin(), store->history().end());
    snapshot.logs_ = logs;
    snapshot.arn_ = store->arn();
    snapshot.blockedReason_ = blockedReason;
  }

  // ---- worker thread (start() mode) ----
  void workerLoop() {
    std::unique_lock lock(mu);
    while (!stopWorker) {
      if (done) {
        cv.notify_all();
        cv.wait(lock, [&] { return stopWorker; });
        break;
      }
      if (pendingInvocation) {
        runInvocation();
        takeSnapshot();
        cv.notify_all();
        continue;
      }
      if (!external.empty()) {
        External e = std::move(external.front());
        external.pop_front();
        if (applyAnswer(e.opId, e.kind, e.payload, e.error)) pendingInvocation = true;
        continue;
      }
      if (testWaiting > 0 && options.skipTime && store->hasTimers() && !(waiterSatisfied && waiterSatisfied())) {
        fireNext();
        takeSnapshot();
        cv.notify_all();
        continue;
      }
      cv.notify_all();
      cv.wait(lock);
    }
  }

  bool idleLocked() const { return !pendingInvocation && external.empty() && (!options.skipTime || !store->hasTimers()); }

  void joinWorker() {
    {
      std::lock_guard lock(mu);
      stopWorker = true;
    }
    cv.notify_all();
    if (worker.joinable()) worker.join();
    threaded = false;
    stopWorker = false;
  }

  const Operation* lookup(OperationHandle::By by, const std::string& key, std::size_t index) const {
    if (!store) return nullptr;
    const Operation* found = nullptr;
    std::size_t seen = 0;
    switch (by) {
      case OperationHandle::By::Name:
      case OperationHandle::By::NameAndIndex:
        forEachOperation([&](const Operation& op) {
          if (!found && op.name == key && seen++ == index) found = &op;
        });
        return found;
      case OperationHandle::By::Index:
        forEachOperation([&](const Operation& op) {
          if (seen++ == index) found = &op;
        });
        return found;
      case OperationHandle::By::Id:
        if (const Operation* op = findOperation(key)) return op;
        forEachOperation([&](const Operation& op) {
          if (!found && op.stepId == key) found = &op;
        });
        return found;
    }
    return nullptr;
  }
};

}  // namespace rwd
