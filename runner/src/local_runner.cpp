// LocalDurableTestRunner's public methods, ExecutionResult and the checker's crash
// snapshots, on top of the runner's Impl (local_runner_impl.hpp).
#include "local_runner_impl.hpp"

namespace rwd {

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

std::vector<Operation> LocalDurableTestRunner::takeOperations() {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  if (m.threaded && m.store) m.takeSnapshot();
  return std::exchange(m.snapshot.operations_, {});
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
  // Not a const object (only handed out as one): resumeAfterCrash may move it when it
  // holds the last reference.
  return std::make_shared<CrashSnapshot>(CrashSnapshot{*m.store, m.input, *m.current, m.plannedUpTo, m.invocations,
                                                       m.logs, m.reportedHookFailures, std::move(used)});
}

const ExecutionResult& LocalDurableTestRunner::resumeAfterCrash(std::shared_ptr<const CrashSnapshot> snapshot,
                                                                const OperationUpdate* persisted,
                                                                std::size_t nextCheckpointSequence) {
  Impl& m = *impl_;
  if (m.threaded) m.joinWorker();
  std::unique_lock lock(m.mu);
  const CrashSnapshot& s = *snapshot;
  // The last reference: nobody else can see the snapshot, so its state moves.
  CrashSnapshot* own = snapshot.use_count() == 1 ? const_cast<CrashSnapshot*>(snapshot.get()) : nullptr;
  m.begin(s.input);
  m.store = own ? std::make_unique<internal::ExecutionStore>(std::move(own->store))
                : std::make_unique<internal::ExecutionStore>(s.store);
  m.store->setRecordHistory(m.options.recordHistory || !m.responders.empty());
  m.pendingInvocation = false;
  m.checkpointSeq = nextCheckpointSequence;
  m.plannedUpTo = s.plannedUpTo;
  if (own) {
    m.invocations = std::move(own->invocations);
    m.logs = std::move(own->logs);
    m.reportedHookFailures = std::move(own->reportedHookFailures);
  } else {
    m.invocations = s.invocations;
    m.logs = s.logs;
    m.reportedHookFailures = s.reportedHookFailures;
  }
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

}  // namespace rwd
