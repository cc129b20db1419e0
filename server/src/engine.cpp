// The durable execution service behind rewind-server: executions, invocations, timers,
// callbacks, and their rows in the database (queries: engine_queries.cpp).
#include "engine.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "engine_execution.hpp"
#include "execution_store.hpp"
#include "local_service.hpp"
#include "random_ids.hpp"
#include "record_codec.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/durable_api_json.hpp"
#include "rewind/error.hpp"
#include "rewind/json_text.hpp"
#include "rewind/operation_json.hpp"
#include "service_error.hpp"

namespace rwd::server::internal {

using rwd::internal::Timer;

namespace {

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint fromMs(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

std::string errorText(const std::optional<ErrorObject>& e) {
  return e ? rwd::internal::errorToJson(*e).dump() : std::string();
}

// The records a function is given (invocation input, GetDurableExecutionState), in order: as
// the service model says, the children of a finished CONTEXT are left out unless it was
// checkpointed with ContextOptions.ReplayChildren (and so are their descendants). A parent
// always precedes its children in `records`.
std::vector<const Operation*> visibleOperations(const std::deque<Operation>& records) {
  std::vector<const Operation*> out;
  out.reserve(records.size());
  std::set<std::string_view> hidden, closed;  // hidden: left out; closed: hides its children
  for (const Operation& op : records) {
    if (op.parentId && (hidden.count(*op.parentId) || closed.count(*op.parentId))) {
      hidden.insert(op.id);
      continue;
    }
    if (op.type == OperationType::Context && (op.status == OperationStatus::Succeeded || op.status == OperationStatus::Failed) &&
        !(op.contextDetails && op.contextDetails->replayChildren))
      closed.insert(op.id);
    out.push_back(&op);
  }
  return out;
}

bool isExecutionEvent(HistoryEventType t) {
  return t == HistoryEventType::ExecutionStarted || t == HistoryEventType::ExecutionSucceeded ||
         t == HistoryEventType::ExecutionFailed || t == HistoryEventType::ExecutionTimedOut ||
         t == HistoryEventType::ExecutionStopped;
}

}  // namespace

Engine::Engine(Database& db, ServerClock& clock, EngineOptions options, std::vector<std::string> functions)
    : db_(db), clock_(clock), options_(std::move(options)), functions_(functions.begin(), functions.end()) {}

Engine::~Engine() { shutdown(); }

void Engine::start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    recover();
  }
  timerThread_ = std::thread([this] { timerLoop(); });
}

void Engine::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  readyCv_.notify_all();
  endCv_.notify_all();
  timerCv_.notify_all();
  if (timerThread_.joinable()) timerThread_.join();
}

bool Engine::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

std::string Engine::functionArn(const std::string& function) const {
  return fmt::format("arn:aws:lambda:{}:{}:function:{}", options_.region, options_.account, function);
}

bool Engine::knowsFunction(const std::string& function) const { return functions_.count(function) > 0; }

std::vector<std::string> Engine::functionNames() const { return {functions_.begin(), functions_.end()}; }

std::int64_t Engine::executionTimeoutOf(const std::string& function) const {
  auto it = options_.functionTimeouts.find(function);
  return it == options_.functionTimeouts.end() ? options_.executionTimeoutSeconds : it->second;
}

std::string Engine::newArn(const std::string& function, const std::string& name) {
  return fmt::format("{}:$LATEST/durable-execution/{}/{}", functionArn(function), name, randomHex(16));
}

// ---- persistence ----

// A callback answer that arrives while an invocation runs waits (durably) for its end.
void Engine::keepPending(Execution& e, PendingAction a) {
  storePending(e.arn, a);
  e.pending.push_back(std::move(a));
}

void Engine::storePending(const std::string& arn, const PendingAction& a) {
  db_.prepare("INSERT INTO pending_actions (arn, seq, kind, op_id, body) VALUES (?, ?, ?, ?, ?)")
      .bind(1, arn)
      .bind(2, a.seq)
      .bind(3, a.kind)
      .bind(4, a.opId)
      .bind(5, a.body)
      .run();
}

void Engine::persistRow(Execution& e) {
  Statement u = db_.prepare(
      "UPDATE executions SET needs_invocation=?, failed_invocations=?, running_request=?, running_start_ms=? "
      "WHERE arn=?");
  u.bind(1, std::int64_t{e.queued || e.running ? 1 : 0}).bind(2, std::int64_t{e.failedInvocations});
  if (e.running && e.running->worker >= 0) {
    u.bind(3, e.running->requestId).bind(4, ms(e.running->start));
  } else {
    u.bindNull(3).bindNull(4);
  }
  u.bind(5, e.arn).run();
}

void Engine::persist(Execution& e, const std::vector<std::string>& touched, const std::function<void()>& more) {
  Transaction tx(db_);
  if (more) more();
  writeState(e, touched);
  tx.commit();
}

void Engine::writeState(Execution& e, const std::vector<std::string>& touched) {
  std::set<std::string> done;
  for (const std::string& id : touched) {
    if (!done.insert(id).second) continue;
    auto idx = e.store.indexOf(id);
    if (!idx) continue;
    const Operation& op = e.store.operations()[*idx];
    db_.prepare("INSERT OR REPLACE INTO operations (arn, idx, id, record) VALUES (?, ?, ?, ?)")
        .bind(1, e.arn)
        .bind(2, static_cast<std::int64_t>(*idx))
        .bind(3, id)
        .bind(4, encodeRecord(op))
        .run();
    if (op.type == OperationType::Callback && op.callbackDetails && op.status == OperationStatus::Started &&
        !callbacks_.count(op.callbackDetails->callbackId)) {
      callbacks_[op.callbackDetails->callbackId] = {e.arn, op.id};
      db_.prepare("INSERT OR REPLACE INTO callbacks (callback_id, arn, op_id) VALUES (?, ?, ?)")
          .bind(1, op.callbackDetails->callbackId)
          .bind(2, e.arn)
          .bind(3, op.id.view())
          .run();
    }
  }
  std::int64_t events = 0;
  for (const HistoryEvent& ev : e.store.drainHistory()) {
    Json wire = wireEvent(ev);
    if (ev.type == HistoryEventType::ExecutionStarted)
      wire["ExecutionStartedDetails"]["ExecutionTimeout"] = executionTimeoutOf(e.functionName);
    // The execution's own events name its EXECUTION operation, as every other event names its
    // operation (readers such as the AWS JS testing SDK's CloudDurableTestRunner require an Id).
    if (isExecutionEvent(ev.type) && !wire.contains("Id"))
      wire["Id"] = rwd::internal::LocalDurableService::kExecutionOperationId;
    if (ev.type == HistoryEventType::ChainedInvokeStarted && ev.id) {
      // The execution the invoke started (none when its function is unknown).
      Json& d = wire["ChainedInvokeStartedDetails"];
      auto child = e.invokeChildren.find(*ev.id);
      if (child != e.invokeChildren.end())
        d["DurableExecutionArn"] = child->second;
      else
        d.erase("DurableExecutionArn");
    }
    db_.prepare("INSERT INTO history (arn, event_id, event) VALUES (?, ?, ?)")
        .bind(1, e.arn)
        .bind(2, ev.eventId)
        .bind(3, wire.dump())
        .run();
    events = ev.eventId;
  }
  if (events) db_.prepare("UPDATE executions SET events=? WHERE arn=?").bind(1, events).bind(2, e.arn).run();
  db_.prepare("DELETE FROM timers WHERE arn=?").bind(1, e.arn).run();
  std::int64_t n = 0;
  for (const Timer& t : e.store.timers())
    db_.prepare("INSERT INTO timers (arn, seq, kind, at_ms, op_id) VALUES (?, ?, ?, ?, ?)")
        .bind(1, e.arn)
        .bind(2, ++n)
        .bind(3, static_cast<std::int64_t>(t.kind))
        .bind(4, ms(t.at))
        .bind(5, t.opId)
        .run();
  persistRow(e);
  db_.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)")
      .bind(1, fmt::format("{} {}", ms(clock_.now()), ms(ServerClock::realNow())))
      .run();
}

// ---- recovery ----

void Engine::recover() {
  {
    Statement s = db_.prepare("SELECT COALESCE(MAX(seq), 0) FROM executions");
    if (s.step()) nextSeq_ = s.integer(0) + 1;
  }
  std::vector<std::string> arns;
  {
    Statement s = db_.prepare("SELECT arn FROM executions WHERE status='RUNNING' ORDER BY seq");
    while (s.step()) arns.push_back(s.text(0));
  }
  TimePoint now = clock_.now();
  for (const std::string& arn : arns) loadRunning(arn, now);
  collectEndedInvokes();
}

void Engine::loadRunning(const std::string& arn, TimePoint now) {
  {
    auto e = std::make_unique<Execution>(arn, now);
    e->store.setCallbackIdSource([] { return randomHex(24); });
    bool needsInvocation = false;
    std::optional<std::string> runningRequest;
    std::int64_t runningStart = 0, events = 0;
    {
      Statement s = db_.prepare(
          "SELECT function_name, name, seq, input, start_ms, events, needs_invocation, failed_invocations, "
          "running_request, running_start_ms FROM executions WHERE arn=?");
      s.bind(1, arn);
      if (!s.step()) return;
      e->functionName = s.text(0);
      e->name = s.text(1);
      e->seq = s.integer(2);
      e->input = s.optionalText(3);
      e->start = fromMs(s.integer(4));
      events = s.integer(5);
      needsInvocation = s.integer(6) != 0;
      e->failedInvocations = static_cast<int>(s.integer(7));
      runningRequest = s.optionalText(8);
      runningStart = s.isNull(9) ? 0 : s.integer(9);
    }
    {
      Statement s = db_.prepare("SELECT record FROM operations WHERE arn=? ORDER BY idx");
      s.bind(1, arn);
      while (s.step()) e->store.seed(decodeRecord(s.text(0)));
    }
    e->store.setEventCount(events);
    {
      Statement s = db_.prepare("SELECT kind, at_ms, op_id FROM timers WHERE arn=? ORDER BY seq");
      s.bind(1, arn);
      while (s.step()) e->store.schedule(static_cast<Timer::Kind>(s.integer(0)), fromMs(s.integer(1)), s.text(2));
    }
    {
      Statement s = db_.prepare("SELECT seq, kind, op_id, body FROM pending_actions WHERE arn=? ORDER BY seq");
      s.bind(1, arn);
      while (s.step()) {
        e->pending.push_back({s.integer(0), s.text(1), s.text(2), s.optionalText(3)});
        e->pendingSeq = std::max(e->pendingSeq, s.integer(0));
      }
    }
    for (const Operation& op : e->store.operations())
      if (op.callbackDetails && op.status == OperationStatus::Started)
        callbacks_[op.callbackDetails->callbackId] = {arn, op.id};
    loadInvokeLinks(*e);
    Execution& ex = *e;
    executions_[arn] = std::move(e);
    ex.store.setNow(now);
    if (runningRequest) {
      // The server stopped while this invocation ran: it ends with an error, as a crashed
      // sandbox's would, and the execution is invoked again.
      ex.running = Running{*runningRequest, -1, fromMs(runningStart), {}};
      ex.token.clear();
      --ex.failedInvocations;  // a restart is not the function's failure
      failInvocation(ex, ErrorObject{"Runtime.ExitError",
                                     fmt::format("RequestId: {} Error: the server stopped while the invocation ran",
                                                 *runningRequest),
                                     std::nullopt, std::nullopt});
    } else {
      if (needsInvocation) enqueue(ex);
      persist(ex, {});
      // Answers kept while an invocation ran, whose end was committed just before the
      // server stopped: they are applied now, as that invocation's end would have.
      applyPending(ex);
    }
  }
}

// ---- starting and ending ----

std::string Engine::startExecution(const std::string& function, std::optional<std::string> name, Payload input) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) throw ServiceError(503, "ServiceException", "[rewind.server.stopping] the server is stopping");
  std::string execName = name ? *name : randomUuid();
  {
    Statement s = db_.prepare("SELECT arn, input FROM executions WHERE function_name=? AND name=?");
    s.bind(1, function).bind(2, execName);
    if (s.step()) {
      if (s.optionalText(1) == input) return s.text(0);
      throw ServiceError(409, "DurableExecutionAlreadyStartedException",
                         fmt::format("[rewind.server.name_taken] the durable execution '{}' of function '{}' was "
                                     "already started with another input",
                                     execName, function));
    }
  }
  Execution& ex = newExecution(function, execName, std::move(input));
  std::string arn = ex.arn;
  enqueue(ex);
  try {
    persist(ex, {}, [&] { insertExecutionRow(ex); });
  } catch (...) {
    auto& q = ready_[function];
    q.erase(std::remove(q.begin(), q.end(), arn), q.end());
    executions_.erase(arn);
    throw;
  }
  return arn;
}

Engine::Execution& Engine::newExecution(const std::string& function, const std::string& name, Payload input) {
  TimePoint now = clock_.now();
  std::string arn = newArn(function, name);
  auto e = std::make_unique<Execution>(arn, now);
  e->store.setCallbackIdSource([] { return randomHex(24); });
  e->functionName = function;
  e->name = name;
  e->seq = nextSeq_++;
  e->input = std::move(input);
  e->start = now;
  HistoryEvent& ev = e->store.addEvent(HistoryEventType::ExecutionStarted);
  ev.hasResult = true;
  ev.result = e->input ? e->input : Payload("null");
  e->store.schedule(Timer::Kind::ExecutionTimeout, now + Duration{executionTimeoutOf(function)}, "");
  Execution& ex = *e;
  executions_[arn] = std::move(e);
  return ex;
}

void Engine::insertExecutionRow(Execution& e) {
  db_.prepare(
         "INSERT INTO executions (arn, seq, function_name, name, status, input, start_ms) VALUES (?, ?, ?, ?, "
         "'RUNNING', ?, ?)")
      .bind(1, e.arn)
      .bind(2, e.seq)
      .bind(3, e.functionName)
      .bind(4, e.name)
      .bind(5, e.input)
      .bind(6, ms(e.start))
      .run();
}

void Engine::enqueue(Execution& e) {
  if (e.queued || e.running) return;
  e.queued = true;
  ready_[e.functionName].push_back(e.arn);
  readyCv_.notify_all();
}

void Engine::endExecution(Execution& e, const std::string& status, Payload result, std::optional<ErrorObject> error) {
  TimePoint now = clock_.now();
  e.store.setNow(now);
  HistoryEventType t = status == "SUCCEEDED" ? HistoryEventType::ExecutionSucceeded
                       : status == "FAILED"  ? HistoryEventType::ExecutionFailed
                       : status == "STOPPED" ? HistoryEventType::ExecutionStopped
                                             : HistoryEventType::ExecutionTimedOut;
  HistoryEvent& ev = e.store.addEvent(t);
  if (status == "SUCCEEDED") {
    ev.hasResult = true;
    ev.result = result;
  } else {
    ev.error = error;
  }
  if (e.running) requests_.erase(e.running->requestId);
  e.running.reset();
  e.token.clear();
  if (e.queued) {
    auto& q = ready_[e.functionName];
    q.erase(std::remove(q.begin(), q.end(), e.arn), q.end());
    e.queued = false;
  }
  // One transaction: the end event and the end status are on disk together, or neither.
  persist(e, {}, [&] {
    db_.prepare("UPDATE executions SET status=?, result=?, error=?, end_ms=?, needs_invocation=0 WHERE arn=?")
        .bind(1, status)
        .bind(2, status == "SUCCEEDED" ? result : std::nullopt)
        .bind(3, error ? std::optional<std::string>(errorText(error)) : std::nullopt)
        .bind(4, ms(now))
        .bind(5, e.arn)
        .run();
    db_.prepare("DELETE FROM timers WHERE arn=?").bind(1, e.arn).run();
    db_.prepare("DELETE FROM pending_actions WHERE arn=?").bind(1, e.arn).run();
    db_.prepare("DELETE FROM callbacks WHERE arn=?").bind(1, e.arn).run();
  });
  for (auto it = callbacks_.begin(); it != callbacks_.end();) {
    if (it->second.first == e.arn)
      it = callbacks_.erase(it);
    else
      ++it;
  }
  std::string arn = e.arn, parentArn = e.parentArn, parentOpId = e.parentOpId;
  executions_.erase(e.arn);  // `e` is gone from here on
  endCv_.notify_all();
  timerCv_.notify_all();
  if (!parentArn.empty()) completeInvoke(parentArn, parentOpId, arn, status, result, error);
}

// ---- invocations ----

int Engine::addWorker(const std::string& function) {
  std::lock_guard<std::mutex> lock(mu_);
  workers_.push_back(Worker{function, 1});
  return static_cast<int>(workers_.size()) - 1;
}

std::uint64_t Engine::workerGeneration(int worker) {
  std::lock_guard<std::mutex> lock(mu_);
  return workers_.at(static_cast<std::size_t>(worker)).generation;
}

std::optional<Dispatch> Engine::nextInvocation(int worker, std::uint64_t generation,
                                               std::chrono::milliseconds maxWait) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::string function = workers_.at(static_cast<std::size_t>(worker)).function;
  auto& queue = ready_[function];
  auto current = [&] { return workers_[static_cast<std::size_t>(worker)].generation == generation; };
  if (!readyCv_.wait_for(lock, maxWait, [&] { return stopping_ || !current() || !queue.empty(); })) return std::nullopt;
  if (stopping_ || !current() || queue.empty()) return std::nullopt;
  std::string arn = queue.front();
  queue.pop_front();
  Execution* e = running(arn);
  if (!e) return std::nullopt;
  e->queued = false;
  TimePoint now = clock_.now();
  e->store.setNow(now);
  e->running = Running{randomUuid(), worker, now, std::chrono::steady_clock::now() + options_.invocationTimeout};
  e->token = randomHex(16);
  e->answered.clear();
  requests_[e->running->requestId] = arn;

  DurableExecutionInvocationInput in;
  in.durableExecutionArn = arn;
  in.checkpointToken = e->token;
  Operation exec;
  exec.id = rwd::internal::LocalDurableService::kExecutionOperationId;
  exec.type = OperationType::Execution;
  exec.subType = OperationSubType::Execution;
  exec.status = OperationStatus::Started;
  exec.startTimestamp = e->start;
  exec.executionDetails.emplace();
  exec.executionDetails->inputPayload = e->input;
  auto& ops = in.initialExecutionState.operations;
  ops.push_back(std::move(exec));
  std::vector<const Operation*> records = visibleOperations(e->store.operations());
  std::size_t keep = std::min(records.size(), options_.initialStateItems);
  for (std::size_t i = 0; i < keep; ++i) ops.push_back(*records[i]);
  if (keep < records.size()) in.initialExecutionState.nextMarker = std::to_string(keep);
  persist(*e, {});

  Dispatch d;
  d.requestId = e->running->requestId;
  Json payload = toJson(in);
  payload["UpdatedOperationIds"] = Json::array();
  for (const std::string& id : e->untold)
    if (e->store.find(id)) payload["UpdatedOperationIds"].push_back(id);
  e->untold.clear();
  d.payload = payload.dump();
  d.virtualNow = now;
  d.deadlineMs = ms(now) + options_.invocationTimeout.count();
  d.functionArn = functionArn(function);
  return d;
}

Engine::Execution* Engine::running(const std::string& arn) {
  auto it = executions_.find(arn);
  return it == executions_.end() ? nullptr : it->second.get();
}

void Engine::applyPending(Execution& e) {
  if (e.pending.empty()) return;
  std::vector<std::string> touched;
  bool wake = false;
  for (const PendingAction& a : e.pending) {
    touched.push_back(a.opId);
    wake |= applyAction(e, a);
  }
  e.pending.clear();
  e.untold.insert(touched.begin(), touched.end());
  db_.prepare("DELETE FROM pending_actions WHERE arn=?").bind(1, e.arn).run();
  (void)e.store.takeCompletions();
  if (wake) enqueue(e);
  persist(e, touched);
}

void Engine::finishInvocation(Execution& e, std::optional<ErrorObject> invocationError) {
  e.store.setNow(clock_.now());
  HistoryEvent& ev = e.store.addEvent(HistoryEventType::InvocationCompleted);
  ev.invocationStart = e.running->start;
  ev.invocationEnd = e.store.now();
  ev.requestId = e.running->requestId;
  if (invocationError) ev.error = invocationError;
  requests_.erase(e.running->requestId);
  e.running.reset();
  e.token.clear();
  e.answered.clear();
}

void Engine::failInvocation(Execution& e, const ErrorObject& error) {
  finishInvocation(e, error);
  if (++e.failedInvocations >= options_.maxInvocationAttempts) {
    endExecution(e, "FAILED", std::nullopt, error);
    return;
  }
  enqueue(e);
  persist(e, {});
  applyPending(e);
  timerCv_.notify_all();
}

// The execution whose invocation `requestId` is running; a 400 when none is.
Engine::Execution& Engine::byRequest(const std::string& requestId) {
  auto it = requests_.find(requestId);
  if (it == requests_.end())
    throw ServiceError(400, "InvalidRequestContentException",
                       fmt::format("[rewind.server.unknown_request] no invocation {} is running", requestId));
  return *running(it->second);
}

void Engine::invocationOutput(const std::string& requestId, const DurableExecutionInvocationOutput& output) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution& e = byRequest(requestId);
  if (output.status == InvocationStatus::Retrying) {  // not a status of the wire: the invocation failed
    failInvocation(e, output.error.value_or(ErrorObject{"Runtime.InvalidResponse", "RETRYING is not an output status",
                                                        std::nullopt, std::nullopt}));
    return;
  }
  finishInvocation(e, std::nullopt);
  e.failedInvocations = 0;
  switch (output.status) {
    case InvocationStatus::Succeeded:
      endExecution(e, "SUCCEEDED", output.result ? output.result : e.checkpointedResult, std::nullopt);
      return;
    case InvocationStatus::Failed:
      endExecution(e, "FAILED", std::nullopt,
                   output.error.value_or(ErrorObject{"Unknown", "the handler failed", std::nullopt, std::nullopt}));
      return;
    case InvocationStatus::Pending:
    case InvocationStatus::Retrying:
      break;
  }
  bool ready = std::any_of(e.store.operations().begin(), e.store.operations().end(),
                           [](const Operation& op) { return op.status == OperationStatus::Ready; });
  // An operation completed while the invocation ran: the handler suspended without seeing
  // it, so it runs again.
  bool completed = !e.store.takeCompletions().empty();
  if (ready || completed) enqueue(e);
  persist(e, {});
  applyPending(e);
  timerCv_.notify_all();
}

void Engine::invocationError(const std::string& requestId, const ErrorObject& error) {
  std::lock_guard<std::mutex> lock(mu_);
  failInvocation(byRequest(requestId), error);
}

void Engine::workerLost(int worker, const ErrorObject& error) {
  std::lock_guard<std::mutex> lock(mu_);
  ++workers_.at(static_cast<std::size_t>(worker)).generation;
  readyCv_.notify_all();
  for (auto& [arn, e] : executions_) {
    if (e->running && e->running->worker == worker) {
      failInvocation(*e, error);
      return;
    }
  }
}

std::vector<int> Engine::expireInvocations() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int> out;
  auto now = std::chrono::steady_clock::now();
  std::vector<Execution*> late;
  for (auto& [arn, e] : executions_)
    if (e->running && e->running->worker >= 0 && e->running->deadline <= now) late.push_back(e.get());
  for (Execution* e : late) {
    int worker = e->running->worker;
    out.push_back(worker);
    ++workers_[static_cast<std::size_t>(worker)].generation;
    failInvocation(
        *e, ErrorObject{"Sandbox.Timedout",
                        fmt::format("RequestId: {} Error: Task timed out after {:.2f} seconds", e->running->requestId,
                                    static_cast<double>(options_.invocationTimeout.count()) / 1000.0),
                        std::nullopt, std::nullopt});
  }
  if (!out.empty()) readyCv_.notify_all();
  return out;
}

// ---- the durable API ----

CheckpointDurableExecutionResponse Engine::checkpoint(const CheckpointDurableExecutionRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = running(request.durableExecutionArn);
  if (!e || e->token.empty() || !e->running) {
    if (!e && !viewFromDb(request.durableExecutionArn).arn.empty())
      throw invalidParameter("[rewind.server.execution_ended] the durable execution is no longer running");
    throw invalidParameter(
        fmt::format("[rewind.server.no_invocation] no invocation of '{}' is running", request.durableExecutionArn));
  }
  if (request.clientToken) {
    if (auto it = e->answered.find(*request.clientToken); it != e->answered.end()) return it->second;
  }
  if (request.checkpointToken != e->token)
    throw invalidParameter("[rewind.server.stale_token] Invalid checkpoint token: not the current invocation's latest");
  e->store.setNow(clock_.now());
  e->visibleToken.clear();  // even a rejected checkpoint may have applied its first updates
  std::vector<std::string> touched;
  try {
    if (request.updates.size() > 1)
      rwd::internal::validateCheckpoint(
          std::span<const OperationUpdate>(request.updates.data(), request.updates.size()), e->store);
    for (const OperationUpdate& u : request.updates) {
      if (u.type == OperationType::Execution && u.action == OperationAction::Succeed) e->checkpointedResult = u.payload;
      e->store.apply(u);
      touched.push_back(u.id);
    }
  } catch (const InvalidCheckpointError& err) {
    persistCheckpoint(*e, touched);  // what was applied before the rejected update stays
    throw invalidParameter(err.what());
  }
  e->token = randomHex(16);
  CheckpointDurableExecutionResponse response;
  response.checkpointToken = e->token;
  std::set<std::string> sent;
  for (const std::string& id : touched)
    if (sent.insert(id).second)
      if (const Operation* op = e->store.find(id)) response.newExecutionState.operations.push_back(*op);
  persistCheckpoint(*e, touched);
  if (request.clientToken) e->answered[*request.clientToken] = response;
  return response;
}

GetDurableExecutionStateResponse Engine::state(const GetDurableExecutionStateRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = running(request.durableExecutionArn);
  if (!e || e->token.empty())
    throw invalidParameter(
        fmt::format("[rewind.server.no_invocation] no invocation of '{}' is running", request.durableExecutionArn));
  if (request.checkpointToken != e->token)
    throw invalidParameter("[rewind.server.stale_token] Invalid checkpoint token: not the current invocation's latest");
  std::size_t from = 0;
  if (e->visibleToken != e->token) {
    e->visible = visibleOperations(e->store.operations());
    e->visibleToken = e->token;
  }
  const std::vector<const Operation*>& ops = e->visible;
  if (request.marker) {
    try {
      std::size_t used = 0;
      from = std::stoul(*request.marker, &used);
      if (used != request.marker->size() || from > ops.size()) throw std::invalid_argument("range");
    } catch (const std::exception&) {
      throw invalidParameter(
          fmt::format("[rewind.server.bad_marker] '{}' is not a marker of this state", *request.marker));
    }
  }
  std::size_t page = request.maxItems && *request.maxItems > 0 ? static_cast<std::size_t>(*request.maxItems) : 100;
  std::size_t to = std::min(ops.size(), from + page);
  GetDurableExecutionStateResponse response;
  for (std::size_t i = from; i < to; ++i) response.operations.push_back(*ops[i]);
  if (to < ops.size()) response.nextMarker = std::to_string(to);
  return response;
}

// ---- stop and callbacks ----

TimePoint Engine::stop(const std::string& arn, std::optional<ErrorObject> error) {
  std::lock_guard<std::mutex> lock(mu_);
  Execution* e = running(arn);
  if (!e) {
    ExecutionView v = viewFromDb(arn);
    if (v.arn.empty()) throw notFound(fmt::format("[rewind.server.no_execution] no durable execution '{}'", arn));
    throw invalidParameter(
        fmt::format("[rewind.server.not_running] the durable execution is {}, not RUNNING", v.status));
  }
  if (e->running)
    finishInvocation(*e, ErrorObject{"Execution.Stopped", "the execution was stopped", std::nullopt, std::nullopt});
  TimePoint now = clock_.now();
  endExecution(*e, "STOPPED", std::nullopt,
               error.value_or(ErrorObject{"Execution.Stopped", "StopDurableExecution", std::nullopt, std::nullopt}));
  return now;
}

// A redrive keeps the records of the operations that SUCCEEDED and everything below them
// (a finished context's result stands for its subtree) and drops every other record — the
// FAILED, TIMED_OUT and STOPPED operations and those that had not finished, contexts
// included — so the next invocation replays the successes and runs the rest again. A
// waitForCallback that did not succeed goes whole, its submitter step too: that step
// announced the id of a callback that is made anew.
TimePoint Engine::redrive(const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) throw ServiceError(503, "ServiceException", "[rewind.server.stopping] the server is stopping");
  ExecutionView v = running(arn) ? ExecutionView{arn, "", "", "RUNNING", {}, {}, {}, {}, {}} : viewFromDb(arn);
  if (v.arn.empty()) throw notFound(fmt::format("[rewind.server.no_execution] no durable execution '{}'", arn));
  if (v.status == "RUNNING" || v.status == "SUCCEEDED")
    throw ServiceError(400, "ExecutionNotRedrivable",
                       fmt::format("[rewind.server.not_redrivable] the durable execution is {}: only a FAILED, "
                                   "TIMED_OUT or STOPPED one can be redriven",
                                   v.status));
  std::vector<Operation> ops;
  {
    Statement s = db_.prepare("SELECT record FROM operations WHERE arn=? ORDER BY idx");
    s.bind(1, arn);
    while (s.step()) ops.push_back(decodeRecord(s.text(0)));
  }
  std::map<std::string, const Operation*> byId;
  for (const Operation& op : ops) byId[op.id] = &op;
  auto parentOf = [&](const Operation* o) -> const Operation* {
    auto parent = o->parentId ? byId.find(*o->parentId) : byId.end();
    return parent == byId.end() ? nullptr : parent->second;
  };
  auto underSuccess = [&](const Operation* o) {  // `o` or an ancestor SUCCEEDED
    for (; o; o = parentOf(o))
      if (o->status == OperationStatus::Succeeded) return true;
    return false;
  };
  auto kept = [&](const Operation& op) {
    if (!underSuccess(&op)) return false;
    for (const Operation* o = parentOf(&op); o; o = parentOf(o))
      if (o->subType == OperationSubType::WaitForCallback && !underSuccess(o)) return false;
    return true;
  };
  TimePoint now = clock_.now();
  {
    Transaction tx(db_);
    db_.prepare("DELETE FROM operations WHERE arn=?").bind(1, arn).run();
    std::int64_t idx = 0;
    for (const Operation& op : ops) {
      if (!kept(op)) continue;
      db_.prepare("INSERT INTO operations (arn, idx, id, record) VALUES (?, ?, ?, ?)")
          .bind(1, arn)
          .bind(2, idx++)
          .bind(3, op.id.view())
          .bind(4, encodeRecord(op))
          .run();
    }
    db_.prepare(
           "UPDATE executions SET status='RUNNING', result=NULL, error=NULL, end_ms=NULL, needs_invocation=1, "
           "failed_invocations=0, running_request=NULL, running_start_ms=NULL WHERE arn=?")
        .bind(1, arn)
        .run();
    db_.prepare("DELETE FROM timers WHERE arn=?").bind(1, arn).run();
    db_.prepare("INSERT INTO timers (arn, seq, kind, at_ms, op_id) VALUES (?, 1, ?, ?, '')")
        .bind(1, arn)
        .bind(2, static_cast<std::int64_t>(Timer::Kind::ExecutionTimeout))
        .bind(3, ms(now + Duration{executionTimeoutOf(v.functionName)}))
        .run();
    tx.commit();
  }
  loadRunning(arn, now);  // queues its next invocation
  timerCv_.notify_all();
  return now;
}

std::string Engine::callbackOwner(const std::string& callbackId, std::string& opId) {
  auto it = callbacks_.find(callbackId);
  Execution* e = it == callbacks_.end() ? nullptr : running(it->second.first);
  const Operation* op = e ? e->store.find(it->second.second) : nullptr;
  if (!op || op->status != OperationStatus::Started)
    throw ServiceError(400, "CallbackTimeoutException",
                       "[rewind.server.callback_closed] the callback has timed out, was already answered, or does "
                       "not exist");
  opId = it->second.second;
  return it->second.first;
}

void Engine::callbackSuccess(const std::string& callbackId, Payload result) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string opId;
  Execution& e = *running(callbackOwner(callbackId, opId));
  callbacks_.erase(callbackId);
  db_.prepare("DELETE FROM callbacks WHERE callback_id=?").bind(1, callbackId).run();
  if (e.running) {
    keepPending(e, PendingAction{++e.pendingSeq, "succeed", opId, result});
    return;
  }
  e.store.setNow(clock_.now());
  e.untold.insert(opId);
  if (e.store.callbackSuccess(opId, result)) enqueue(e);
  (void)e.store.takeCompletions();
  persist(e, {opId});
}

void Engine::callbackFailure(const std::string& callbackId, ErrorObject error) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string opId;
  Execution& e = *running(callbackOwner(callbackId, opId));
  callbacks_.erase(callbackId);
  db_.prepare("DELETE FROM callbacks WHERE callback_id=?").bind(1, callbackId).run();
  if (e.running) {
    keepPending(e, PendingAction{++e.pendingSeq, "fail", opId, errorBody(error)});
    return;
  }
  e.store.setNow(clock_.now());
  e.untold.insert(opId);
  if (e.store.callbackFailure(opId, error)) enqueue(e);
  (void)e.store.takeCompletions();
  persist(e, {opId});
}

void Engine::callbackHeartbeat(const std::string& callbackId) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string opId;
  Execution& e = *running(callbackOwner(callbackId, opId));
  e.store.setNow(clock_.now());
  e.store.callbackHeartbeat(opId);
  persist(e, {opId});
  timerCv_.notify_all();
}

// ---- timers ----

bool Engine::fireDue(Execution& e, TimePoint now) {
  std::vector<std::string> touched;
  bool wake = false;
  while (!wake && e.store.nextTimerAt() && *e.store.nextTimerAt() <= now) {
    e.store.setNow(now);
    std::optional<Timer> t = e.store.popNextTimer();
    if (t->kind == Timer::Kind::ExecutionTimeout) {
      endExecution(e, "TIMED_OUT", std::nullopt,
                   ErrorObject{"Execution.Timeout",
                               fmt::format("[rewind.server.execution_timeout] the execution ran longer than its "
                                           "ExecutionTimeout of {} seconds",
                                           executionTimeoutOf(e.functionName)),
                               std::nullopt, std::nullopt});
      return true;  // `e` is gone
    }
    touched.push_back(t->opId);
    wake = e.store.fire(*t);
  }
  if (touched.empty()) return false;
  e.untold.insert(touched.begin(), touched.end());
  if (wake) enqueue(e);
  (void)e.store.takeCompletions();
  persist(e, touched);
  return true;
}

std::optional<TimePoint> Engine::nextDue() {
  std::optional<TimePoint> next;
  for (auto& [arn, e] : executions_) {
    if (e->running) continue;
    if (auto t = e->store.nextTimerAt(); t && (!next || *t < *next)) next = t;
  }
  return next;
}

void Engine::timerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    TimePoint now = clock_.now();
    std::vector<Execution*> due;
    for (auto& [arn, e] : executions_)
      if (!e->running && e->store.nextTimerAt() && *e->store.nextTimerAt() <= now) due.push_back(e.get());
    for (Execution* e : due) {
      try {
        fireDue(*e, now);
      } catch (const std::exception&) {
        // A database failure: the timer stays due and fires on the next round.
      }
    }
    std::optional<TimePoint> next = nextDue();
    auto wait = next ? clock_.realDelayUntil(*next) : std::chrono::steady_clock::duration(std::chrono::seconds(5));
    wait = std::min<std::chrono::steady_clock::duration>(wait, std::chrono::seconds(5));
    if (wait.count() > 0) timerCv_.wait_for(lock, wait);
  }
}

}  // namespace rwd::server::internal
