// LocalDurableTestRunner: invocations, the virtual clock, callback responders and the
// test-thread handshake. One mutex guards the execution state; whichever thread holds
// it may run an invocation or fire a timer. In start() mode a worker thread runs the
// invocations and fires timers only while the test thread waits on the runner.
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
#include "detached_service_impl.hpp"
#include "local_service.hpp"

namespace rwd {

using internal::ExecutionStore;
using internal::Timer;

namespace {

std::string hex16(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::uint64_t mix(std::uint64_t x) { return internal::splitmix64(x); }

[[noreturn]] void runnerError(std::string_view code, const std::string& message) {
  throw std::runtime_error(fmt::format("[rewind.runner.{}] {}", code, message));
}

}  // namespace

std::string_view toString(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::Running: return "RUNNING";
    case ExecutionStatus::Succeeded: return "SUCCEEDED";
    case ExecutionStatus::Failed: return "FAILED";
    case ExecutionStatus::TimedOut: return "TIMED_OUT";
    case ExecutionStatus::Stopped: return "STOPPED";
  }
  return "?";
}

std::string_view toString(InvocationOutcome o) {
  switch (o) {
    case InvocationOutcome::Succeeded: return "SUCCEEDED";
    case InvocationOutcome::Failed: return "FAILED";
    case InvocationOutcome::Pending: return "PENDING";
    case InvocationOutcome::Crashed: return "CRASHED";
    case InvocationOutcome::TimedOut: return "TIMED_OUT";
  }
  return "?";
}

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
    o.interceptOutcome = options.interceptExecutionOutcome;
    o.requestId = req.requestId;
    o.executionStart = options.epoch;
    o.invocationIndex = req.index;
    o.completedSinceLast.insert(completions.begin(), completions.end());
    o.unseenCompletions = unseenCompletions;
    o.reportedHookFailures = sinks.reportedHookFailures;
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

// ---- ExecutionResult ----------------------------------------------------------------

Json ExecutionResult::getResult() const {
  if (!result_) return Json();
  return Json::parse(*result_);
}

// ---- LocalDurableTestRunner ---------------------------------------------------------

LocalDurableTestRunner::LocalDurableTestRunner(RawHandler handler, RunnerOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (!handler) runnerError("no_handler", "LocalDurableTestRunner needs a handler");
  impl_->handler = std::move(handler);
  impl_->options = std::move(options);
}

LocalDurableTestRunner::~LocalDurableTestRunner() {
  if (impl_->threaded) impl_->joinWorker();
}

const RunnerOptions& LocalDurableTestRunner::options() const noexcept { return impl_->options; }

const ExecutionResult& LocalDurableTestRunner::runPayload(Payload input) {
  Impl& m = *impl_;
  if (m.threaded) m.joinWorker();
  std::unique_lock lock(m.mu);
  m.begin(std::move(input));
  m.driveLocked(std::nullopt);
  return m.snapshot;
}

void LocalDurableTestRunner::startPayload(Payload input) {
  Impl& m = *impl_;
  if (m.threaded) m.joinWorker();
  {
    std::lock_guard lock(m.mu);
    m.begin(std::move(input));
    m.threaded = true;
  }
  m.worker = std::thread([&m] { m.workerLoop(); });
}

const ExecutionResult& LocalDurableTestRunner::waitForResult() {
  Impl& m = *impl_;
  std::unique_lock lock(m.mu);
  if (!m.started) runnerError("not_started", "waitForResult() before start()");
  if (!m.threaded) return m.snapshot;
  ++m.testWaiting;
  m.cv.notify_all();
  m.cv.wait(lock, [&] { return m.done || m.idleLocked(); });
  --m.testWaiting;
  if (!m.done) {
    m.blockedReason = m.store->hasTimers() ? "waiting for time to pass (manual clock)" : m.describeBlocked();
    m.takeSnapshot();
    runnerError("blocked", fmt::format("waitForResult: {}", m.blockedReason));
  }
  m.takeSnapshot();
  return m.snapshot;
}

const ExecutionResult& LocalDurableTestRunner::advanceTime(Duration d) {
  Impl& m = *impl_;
  std::unique_lock lock(m.mu);
  if (!m.started) runnerError("not_started", "advanceTime() before run()");
  TimePoint until = m.store->now() + d;
  if (m.threaded) {
    while (auto next = m.store->nextTimerAt()) {
      if (*next > until || m.done) break;
      m.fireNext();
      m.cv.notify_all();
      m.cv.wait(lock, [&] { return m.done || !m.pendingInvocation; });
    }
    if (!m.done && m.store->now() < until) m.store->setNow(until);
    m.takeSnapshot();
    return m.snapshot;
  }
  m.driveLocked(until);
  return m.snapshot;
}

const ExecutionResult& LocalDurableTestRunner::advanceToNextTimer() {
  std::optional<TimePoint> next;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started) runnerError("not_started", "advanceToNextTimer() before run()");
    next = impl_->store->nextTimerAt();
  }
  if (!next) runnerError("no_timer", "advanceToNextTimer(): no timer is pending");
  return advanceTime(std::chrono::duration_cast<Duration>(*next - now()));
}

TimePoint LocalDurableTestRunner::now() const {
  std::lock_guard lock(impl_->mu);
  return impl_->store ? impl_->store->now() : impl_->options.epoch;
}

std::optional<TimePoint> LocalDurableTestRunner::nextTimer() const {
  std::lock_guard lock(impl_->mu);
  return impl_->store ? impl_->store->nextTimerAt() : std::nullopt;
}

std::vector<std::string> LocalDurableTestRunner::unmatchedResponders() const {
  std::lock_guard lock(impl_->mu);
  std::unordered_set<std::string> names;
  for (const Operation& op : impl_->snapshot.getOperations())
    if (op.name) names.insert(*op.name);
  if (impl_->store)
    for (const Operation& op : impl_->store->operations())
      if (op.name) names.insert(*op.name);
  std::vector<std::string> out;
  for (const auto& r : impl_->responders)
    if (!r.used && !r.matcher && r.name != "*" && !names.count(r.name)) out.push_back(r.name);
  return out;
}

std::optional<std::string> LocalDurableTestRunner::describeNextTimer() const {
  std::lock_guard lock(impl_->mu);
  if (!impl_->store) return std::nullopt;
  std::vector<Timer> timers = impl_->store->timers();
  if (timers.empty()) return std::nullopt;
  const Timer& t = *std::min_element(timers.begin(), timers.end(), [](const Timer& a, const Timer& b) {
    return a.at != b.at ? a.at < b.at : a.seq < b.seq;
  });
  // The operation's name; a waitForCallback's CALLBACK child goes by its context's name.
  std::string what = t.opId;
  if (const Operation* op = impl_->store->find(t.opId)) {
    what = op->name ? *op->name : "#" + op->stepId;
    if (!op->name && op->parentId)
      if (const Operation* parent = impl_->store->find(*op->parentId); parent && parent->name) what = *parent->name;
  }
  switch (t.kind) {
    case Timer::Kind::Wait:
      return "wait " + what;
    case Timer::Kind::Retry:
      return "the next attempt of " + what;
    case Timer::Kind::CallbackTimeout:
      return "the timeout of callback " + what;
    case Timer::Kind::CallbackHeartbeat:
      return "the heartbeat timeout of callback " + what;
    case Timer::Kind::CallbackAction:
      return "the responder's answer to callback " + what;
    case Timer::Kind::Invoke:
      return "the result of invoke " + what;
    case Timer::Kind::ExecutionTimeout:
      return std::string("the execution timeout");
  }
  return what;
}

void LocalDurableTestRunner::onCallback(std::string name, CallbackResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->responders.push_back({std::move(name), nullptr, std::move(response)});
}

void LocalDurableTestRunner::onCallback(CallbackNameMatcher matcher, CallbackResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->responders.push_back({"", std::move(matcher), std::move(response)});
}

void LocalDurableTestRunner::registerFunction(std::string name, RawFunction fn) {
  std::lock_guard lock(impl_->mu);
  impl_->functions[std::move(name)] = std::move(fn);
}

void LocalDurableTestRunner::registerDurableFunction(std::string name, RawHandler handler, HandlerConfig config) {
  std::lock_guard lock(impl_->mu);
  impl_->durableFunctions[std::move(name)] = {std::move(handler), config};
}

OperationHandle LocalDurableTestRunner::getOperation(std::string_view name) {
  return OperationHandle(this, OperationHandle::By::Name, std::string(name), 0);
}
OperationHandle LocalDurableTestRunner::getOperationByIndex(std::size_t index) {
  return OperationHandle(this, OperationHandle::By::Index, "", index);
}
OperationHandle LocalDurableTestRunner::getOperationByNameAndIndex(std::string_view name, std::size_t index) {
  return OperationHandle(this, OperationHandle::By::NameAndIndex, std::string(name), index);
}
OperationHandle LocalDurableTestRunner::getOperationById(std::string_view id) {
  return OperationHandle(this, OperationHandle::By::Id, std::string(id), 0);
}

const ExecutionResult& LocalDurableTestRunner::result() const {
  std::lock_guard lock(impl_->mu);
  if (impl_->threaded && impl_->store) impl_->takeSnapshot();
  return impl_->snapshot;
}

void LocalDurableTestRunner::stop() {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  if (!m.started || m.done) return;
  m.finish(ExecutionStatus::Stopped, std::nullopt,
           ErrorObject{"Execution.Stopped", "the execution was stopped", std::nullopt, std::nullopt});
  m.takeSnapshot();
  m.cv.notify_all();
}

void LocalDurableTestRunner::reset() {
  Impl& m = *impl_;
  if (m.threaded) m.joinWorker();
  std::lock_guard lock(m.mu);
  m.store.reset();
  m.drained = false;
  m.started = false;
  m.done = false;
  m.pendingInvocation = false;
  m.invocations.clear();
  m.logs.clear();
  m.snapshot = ExecutionResult();
  for (auto& r : m.responders) r.used = false;
}

// ---- crash snapshots (the checker's hooks) -------------------------------------------

struct CrashSnapshot {
  internal::ExecutionStore store;
  Payload input;
  InvocationRequest request;
  std::size_t plannedUpTo = 0;
  std::vector<InvocationRecord> invocations;
  std::vector<Json> logs;
  std::unordered_set<std::string> reportedHookFailures;
  std::vector<bool> respondersUsed;
};

std::shared_ptr<const CrashSnapshot> LocalDurableTestRunner::crashSnapshot() const {
  const Impl& m = *impl_;
  if (!m.current || !m.store || !m.external.empty()) return nullptr;
  std::vector<bool> used;
  used.reserve(m.responders.size());
  for (const auto& r : m.responders) used.push_back(r.used);
  return std::make_shared<const CrashSnapshot>(CrashSnapshot{
      *m.store, m.input, *m.current, m.plannedUpTo, m.invocations, m.logs, m.reportedHookFailures, std::move(used)});
}

const ExecutionResult& LocalDurableTestRunner::resumeAfterCrash(const CrashSnapshot& s,
                                                                const OperationUpdate* persisted,
                                                                std::size_t nextCheckpointSequence) {
  Impl& m = *impl_;
  if (m.threaded) m.joinWorker();
  std::unique_lock lock(m.mu);
  m.begin(s.input);
  m.store = std::make_unique<internal::ExecutionStore>(s.store);
  m.pendingInvocation = false;
  m.checkpointSeq = nextCheckpointSequence;
  m.plannedUpTo = s.plannedUpTo;
  m.invocations = s.invocations;
  m.logs = s.logs;
  m.reportedHookFailures = s.reportedHookFailures;
  for (std::size_t i = 0; i < m.responders.size() && i < s.respondersUsed.size(); ++i)
    m.responders[i].used = s.respondersUsed[i];
  internal::InvocationOutcomeData out;
  out.end = internal::InvocationEnd::Crashed;
  if (persisted) {
    try {
      m.store->apply(*persisted);
    } catch (const InvalidCheckpointError&) {  // as in-process: the invocation fails the execution
      out.end = internal::InvocationEnd::Failed;
      out.error = currentErrorInfo().toObject();
    }
  }
  m.finishInvocation(s.request, out);
  m.driveLocked(std::nullopt);
  return m.snapshot;
}

// ---- OperationHandle ----------------------------------------------------------------

std::string OperationHandle::describe() const {
  switch (by_) {
    case By::Name: return fmt::format("operation '{}'", key_);
    case By::Index: return fmt::format("operation #{}", index_);
    case By::NameAndIndex: return fmt::format("operation '{}' #{}", key_, index_);
    case By::Id: return fmt::format("operation with id {}", key_);
  }
  return "operation";
}

std::optional<Operation> OperationHandle::get() const {
  std::lock_guard lock(runner_->impl_->mu);
  const Operation* op = runner_->impl_->lookup(by_, key_, index_);
  if (!op) return std::nullopt;
  return *op;
}

Operation OperationHandle::require() const {
  auto op = get();
  if (!op) runnerError("no_operation", fmt::format("{} does not exist (yet)", describe()));
  return *op;
}

StepDetails OperationHandle::getStepDetails() const {
  Operation op = require();
  if (!op.stepDetails) runnerError("wrong_type", fmt::format("{} is a {}, not a STEP", describe(), toString(op.type)));
  return *op.stepDetails;
}
WaitDetails OperationHandle::getWaitDetails() const {
  Operation op = require();
  if (!op.waitDetails) runnerError("wrong_type", fmt::format("{} is a {}, not a WAIT", describe(), toString(op.type)));
  return *op.waitDetails;
}
CallbackDetails OperationHandle::getCallbackDetails() const {
  Operation op = require();
  if (op.subType == OperationSubType::WaitForCallback) {
    std::lock_guard lock(runner_->impl_->mu);
    if (const Operation* cb = runner_->impl_->findOperation(operationIdFor(op.stepId + "-1")); cb && cb->callbackDetails)
      return *cb->callbackDetails;
  }
  if (!op.callbackDetails)
    runnerError("wrong_type", fmt::format("{} is a {}, not a CALLBACK", describe(), toString(op.type)));
  return *op.callbackDetails;
}
ContextDetails OperationHandle::getContextDetails() const {
  Operation op = require();
  if (!op.contextDetails)
    runnerError("wrong_type", fmt::format("{} is a {}, not a CONTEXT", describe(), toString(op.type)));
  return *op.contextDetails;
}
ChainedInvokeDetails OperationHandle::getChainedInvokeDetails() const {
  Operation op = require();
  if (!op.chainedInvokeDetails)
    runnerError("wrong_type", fmt::format("{} is a {}, not a CHAINED_INVOKE", describe(), toString(op.type)));
  return *op.chainedInvokeDetails;
}

std::vector<Operation> OperationHandle::getChildOperations() const {
  Operation op = require();
  std::lock_guard lock(runner_->impl_->mu);
  std::vector<Operation> out;
  runner_->impl_->forEachOperation([&](const Operation& o) {
    if (o.parentId == op.id) out.push_back(o);
  });
  return out;
}

OperationHandle& OperationHandle::waitForData(WaitingStatus status) {
  LocalDurableTestRunner::Impl& m = *runner_->impl_;
  std::unique_lock lock(m.mu);
  if (!m.started) runnerError("not_started", fmt::format("waitForData({}) before run()/start()", describe()));
  auto reached = [&]() -> bool {
    const Operation* op = m.lookup(by_, key_, index_);
    if (!op) return false;
    switch (status) {
      case WaitingStatus::Started: return true;
      case WaitingStatus::Submitted: {
        if (op->subType != OperationSubType::WaitForCallback) return true;
        const Operation* sub = m.findOperation(operationIdFor(op->stepId + "-2"));
        return sub && isTerminal(sub->status);
      }
      case WaitingStatus::Completed: return isTerminal(op->status);
    }
    return false;
  };
  ++m.testWaiting;
  m.waiterSatisfied = reached;
  m.cv.notify_all();
  m.cv.wait(lock, [&] { return reached() || m.done || (!m.threaded || m.idleLocked()); });
  --m.testWaiting;
  m.waiterSatisfied = nullptr;
  if (reached()) return *this;
  if (m.done)
    runnerError("wait_ended", fmt::format("waitForData: the execution ended ({}) before {} got there",
                                          toString(m.status), describe()));
  runnerError("blocked", fmt::format("waitForData: {} can never get there: {}", describe(),
                                     m.store->hasTimers() ? "waiting for time to pass (manual clock)"
                                                          : m.describeBlocked()));
}

void OperationHandle::sendAnswer(CallbackResponse::Kind kind, Payload payload, ErrorObject error) {
  Operation op = require();
  LocalDurableTestRunner::Impl& m = *runner_->impl_;
  std::string target = op.subType == OperationSubType::WaitForCallback ? operationIdFor(op.stepId + "-1") : op.id;
  std::unique_lock lock(m.mu);
  // As the service's SendDurableExecutionCallback* calls: an answer that cannot apply is
  // an error, never silently dropped (a test mistake must not go unnoticed).
  auto refuse = [&](std::string_view code, const std::string& why) {
    throw std::runtime_error(fmt::format("[rewind.callback.{}] cannot send {} to {}: {}", code,
                                         kind == CallbackResponse::Kind::Heartbeat ? "a heartbeat" : "an answer",
                                         describe(), why));
  };
  if (m.done) refuse("execution_ended", fmt::format("the execution already ended ({})", toString(m.status)));
  const Operation* rec = m.store->find(target);
  if (!rec || rec->type != OperationType::Callback)
    refuse("not_a_callback", fmt::format("it is a {}/{}, not a callback", toString(op.type), toString(op.subType)));
  if (rec->status != OperationStatus::Started)
    refuse("closed", fmt::format("the callback is already {}", toString(rec->status)));
  for (const auto& queued : m.external)
    if (queued.opId == target && queued.kind != CallbackResponse::Kind::Heartbeat &&
        queued.kind != CallbackResponse::Kind::Never)
      refuse("closed", "the callback was already answered");
  m.external.push_back({target, kind, std::move(payload), std::move(error)});
  if (!m.threaded) m.driveLocked(std::nullopt);
  m.cv.notify_all();
}

void OperationHandle::sendCallbackSuccess(Payload payload) {
  sendAnswer(CallbackResponse::Kind::Success, std::move(payload), {});
}

void OperationHandle::sendCallbackFailure(ErrorObject error) {
  sendAnswer(CallbackResponse::Kind::Failure, std::nullopt, std::move(error));
}

void OperationHandle::sendCallbackHeartbeat() {
  sendAnswer(CallbackResponse::Kind::Heartbeat, std::nullopt, {});
}

}  // namespace rwd
