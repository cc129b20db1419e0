// Operation records and history, as the durable execution service keeps them.
//
// Transition table (what a checkpoint may do; anything else is rejected):
//   STEP           START (none | READY) -> STARTED; SUCCEED/FAIL (STARTED|READY) -> SUCCEEDED/FAILED;
//                  RETRY (STARTED|READY) -> PENDING, READY when its timer fires
//   CONTEXT        START (none) -> STARTED; SUCCEED/FAIL (STARTED) -> SUCCEEDED/FAILED
//   WAIT           START (none) -> STARTED, SUCCEEDED when its timer fires; CANCEL -> CANCELLED
//   CALLBACK       START (none) -> STARTED, then SUCCEEDED/FAILED/TIMED_OUT from outside; CANCEL
//   CHAINED_INVOKE START (none) -> STARTED, then SUCCEEDED/FAILED from the target; CANCEL
//   EXECUTION      SUCCEED/FAIL only
#include "execution_store.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
#include "rewind/error.hpp"
#include "rewind/json_text.hpp"

namespace rwd::internal {

namespace {

bool heapLess(const Timer& a, const Timer& b) {
  // std::push_heap builds a max-heap: invert so the earliest (then oldest) is on top.
  if (a.at != b.at) return a.at > b.at;
  return a.seq > b.seq;
}

std::string describe(const OperationUpdate& u) {
  std::string who = u.name ? fmt::format("'{}'", *u.name) : std::string("(unnamed)");
  if (!u.stepId.empty()) who += fmt::format(" at step {}", u.stepId);
  return fmt::format("{} {} {} (id {})", toString(u.type), who, toString(u.action), u.id);
}

[[noreturn]] void reject(const OperationUpdate& u, std::string_view rule, const std::string& why) {
  throw InvalidCheckpointError(fmt::format("rewind.checkpoint.{}", rule),
                               fmt::format("checkpoint rejected for {}: {}", describe(u), why));
}

bool allowed(OperationType t, OperationAction a) {
  using A = OperationAction;
  switch (t) {
    case OperationType::Step:
      return a == A::Start || a == A::Fail || a == A::Retry || a == A::Succeed;
    case OperationType::Context:
      return a == A::Start || a == A::Fail || a == A::Succeed;
    case OperationType::Wait:
    case OperationType::Callback:
    case OperationType::ChainedInvoke:
      return a == A::Start || a == A::Cancel;
    case OperationType::Execution:
      return a == A::Succeed || a == A::Fail;
  }
  return false;
}

// [A-Za-z0-9_-], by byte (every update's id is checked: a table, not five comparisons).
constexpr std::array<bool, 256> kIdChar = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  return t;
}();

bool validId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return kIdChar[static_cast<unsigned char>(c)]; });
}

std::size_t errorBytes(const ErrorObject& e) { return dumpJson(errorToJson(e)).size(); }

std::size_t updateBytes(const OperationUpdate& u) {
  return u.id.size() + (u.name ? u.name->size() : 0) + (u.payload ? u.payload->size() : 0);
}

}  // namespace

namespace {

// Operations a checkpoint STARTs before its later updates (id -> type): a START and then a
// SUCCEED, FAIL or RETRY of the same STEP or CONTEXT in one call, or a START of a CONTEXT
// and of its children, are one call's worth of work (the AWS JS SDK batches them so; AWS's
// own checkpoint emulation in @aws/durable-execution-sdk-js-testing accepts them).
using StartedInBatch = std::unordered_map<std::string_view, OperationType>;

// The checks of one update on its own (everything but the checkpoint-wide ones); adds its
// size to `total` and returns its record (null: none yet, or an EXECUTION update), so
// that applying it needs no second lookup. `batch`: what earlier updates of the same
// checkpoint started (null: the update is applied on its own, its predecessors already are).
const Operation* validateUpdate(const OperationUpdate& u, const ExecutionStore& store, std::size_t& total,
                                const StartedInBatch* batch = nullptr, std::optional<std::size_t>* parentPosition = nullptr) {
  auto startedEarlier = [&](const std::string& id) -> const OperationType* {
    if (!batch) return nullptr;
    auto it = batch->find(id);
    return it == batch->end() ? nullptr : &it->second;
  };
  std::size_t bytesOfError = u.error ? errorBytes(*u.error) : 0;
  total += updateBytes(u) + bytesOfError;
  if (!validId(u.id)) reject(u, "bad_id", "an Id must be 1-64 characters of [A-Za-z0-9_-]");
  if (u.name && (u.name->empty() || u.name->size() > 256))
    reject(u, "bad_name", fmt::format("a Name must be 1-256 characters, got {}", u.name->size()));
  if (u.name && !isValidUtf8(*u.name))
    reject(u, "bad_name", fmt::format("a Name must be UTF-8 text, got {}", dumpJson(Json(*u.name))));
  if (!allowed(u.type, u.action))
    reject(u, "bad_action", fmt::format("{} is not an action of {}", toString(u.action), toString(u.type)));
  if (u.parentId) {
    const std::optional<std::size_t> position = store.indexOf(*u.parentId);
    const Operation* p = position ? &store.operations()[*position] : nullptr;
    const OperationType* inBatch = p ? nullptr : startedEarlier(*u.parentId);
    if (!p && !inBatch) reject(u, "unknown_parent", fmt::format("ParentId {} does not exist", *u.parentId));
    OperationType parentType = p ? p->type : *inBatch;
    if (parentPosition) *parentPosition = position;
    if (parentType != OperationType::Context)
      reject(u, "parent_not_context",
             fmt::format("ParentId {} is a {}, not a CONTEXT", *u.parentId, toString(parentType)));
  }
  if (u.action == OperationAction::Fail && u.payload) reject(u, "fail_with_payload", "FAIL carries a payload");
  if (u.action == OperationAction::Fail && !u.error && u.type != OperationType::Execution)
    reject(u, "fail_without_error", "FAIL carries no error (a failed record is replayed as its error)");
  if (u.waitSeconds && (*u.waitSeconds < 1 || *u.waitSeconds > kMaxDelaySeconds))
    reject(u, "bad_duration", fmt::format("WaitSeconds {} is outside 1-{}", *u.waitSeconds, kMaxDelaySeconds));
  if (u.nextAttemptDelaySeconds && (*u.nextAttemptDelaySeconds < 1 || *u.nextAttemptDelaySeconds > kMaxDelaySeconds))
    reject(u, "bad_duration",
           fmt::format("NextAttemptDelaySeconds {} is outside 1-{}", *u.nextAttemptDelaySeconds, kMaxDelaySeconds));
  if (u.type == OperationType::Wait && u.action == OperationAction::Start && !u.waitSeconds)
    reject(u, "bad_duration", "WAIT START without WaitSeconds");
  for (const auto& t : {u.callbackTimeoutSeconds, u.callbackHeartbeatTimeoutSeconds})
    if (t && (*t < 0 || *t > kMaxCallbackTimeoutSeconds))
      reject(u, "bad_duration",
             fmt::format("a callback timeout of {} s is outside 0-{}", *t, kMaxCallbackTimeoutSeconds));
  if (u.action == OperationAction::Succeed && u.error) reject(u, "succeed_with_error", "SUCCEED carries an error");
  if (u.action == OperationAction::Retry && !u.nextAttemptDelaySeconds)
    reject(u, "retry_without_options", "RETRY without StepOptions");
  if (bytesOfError > kMaxErrorBytes)
    reject(u, "error_too_large",
           fmt::format("the error payload is {} bytes, over the {}-byte limit", bytesOfError, kMaxErrorBytes));
  if (u.type == OperationType::Execution) return nullptr;
  const Operation* rec = store.find(u.id);
  if (const OperationType* started = startedEarlier(u.id)) {
    // STARTED by this checkpoint: its SUCCEED/FAIL/RETRY follows (the only repeat allowed).
    if (*started != u.type) reject(u, "type_changed", fmt::format("the operation is a {}", toString(*started)));
    return rec;
  }
  switch (u.action) {
    case OperationAction::Start:
      if (rec && !(u.type == OperationType::Step && rec->status == OperationStatus::Ready))
        reject(u, "bad_transition", fmt::format("START of an operation that is already {}", toString(rec->status)));
      break;
    case OperationAction::Succeed:
    case OperationAction::Fail:
    case OperationAction::Retry:
      if (!rec) reject(u, "bad_transition", "the operation was never started");
      if (rec->status != OperationStatus::Started && rec->status != OperationStatus::Ready)
        reject(u, "bad_transition", fmt::format("the operation is {}, not STARTED or READY", toString(rec->status)));
      break;
    case OperationAction::Cancel:
      if (!rec) reject(u, "bad_transition", "CANCEL of an operation that was never started");
      if (isTerminal(rec->status)) reject(u, "bad_transition", "CANCEL of a finished operation");
      break;
  }
  if (rec && rec->type != u.type) reject(u, "type_changed", fmt::format("the operation is a {}", toString(rec->type)));
  return rec;
}

void checkTotal(const OperationUpdate& first, std::size_t total) {
  if (total > kMaxCheckpointBytes)
    reject(first, "checkpoint_too_large",
           fmt::format("the checkpoint is {} bytes, over the {}-byte limit", total, kMaxCheckpointBytes));
}

}  // namespace

void validateCheckpoint(std::span<const OperationUpdate> updates, const ExecutionStore& store) {
  if (updates.size() > kMaxUpdatesPerCheckpoint)
    reject(updates.front(), "too_many_updates",
           fmt::format("{} updates in one checkpoint (at most {})", updates.size(), kMaxUpdatesPerCheckpoint));
  std::size_t total = 0;
  // The last action each operation had in this checkpoint. One operation may have two
  // updates in one checkpoint only as a STEP or CONTEXT START followed by its SUCCEED, FAIL
  // or RETRY; any other repeat is rejected.
  std::unordered_map<std::string_view, OperationAction> last;
  StartedInBatch started;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const OperationUpdate& u = updates[i];
    if (u.type == OperationType::Execution && i + 1 != updates.size())
      reject(u, "execution_not_last", "an EXECUTION update must be the only one and the last of its checkpoint");
    auto seen = last.find(u.id);
    if (seen != last.end()) {
      bool completesItsStart = (u.type == OperationType::Step || u.type == OperationType::Context) &&
                               seen->second == OperationAction::Start && u.action != OperationAction::Start;
      if (!completesItsStart)
        reject(u, "duplicate_id",
               "two updates of one operation in one checkpoint (only a STEP or CONTEXT START may be followed by its "
               "SUCCEED, FAIL or RETRY)");
    }
    validateUpdate(u, store, total, &started);
    last[u.id] = u.action;
    if (u.action == OperationAction::Start) started.emplace(u.id, u.type);
  }
  if (!updates.empty()) checkTotal(updates.front(), total);
}

ExecutionStore::ExecutionStore(TimePoint epoch, std::uint64_t seed, std::string arn)
    : now_(epoch), seed_(seed), arn_(std::move(arn)) {}

std::optional<std::size_t> ExecutionStore::positionOf(std::string_view id) const {
  const std::size_t n = ops_.size();
  if (n > 0 && sameId(ops_.back().id, id)) return n - 1;
  if (n > 1 && sameId(ops_[n - 2].id, id)) return n - 2;
  if (parentHint_ < n && sameId(ops_[parentHint_].id, id)) return parentHint_;
  return index_.find(id, ops_);
}

const Operation* ExecutionStore::find(std::string_view id) const {
  std::optional<std::size_t> p = positionOf(id);
  return p ? &ops_[*p] : nullptr;
}

Operation* ExecutionStore::mutableFind(std::string_view id) { return const_cast<Operation*>(find(id)); }

std::optional<std::size_t> ExecutionStore::indexOf(std::string_view id) const { return positionOf(id); }

HistoryEvent& ExecutionStore::addEvent(HistoryEventType type, const Operation* op) {
  if (!recordHistory_) return scratch_;  // filled by the caller, never read
  HistoryEvent& ev = history_.emplace_back();
  ev.type = type;
  ev.eventId = eventIdBase_ + static_cast<std::int64_t>(history_.size());
  ev.timestamp = now_;
  if (op) {
    ev.id = op->id;
    ev.parentId = op->parentId;
    ev.name = op->name;
    ev.subType = op->subType;
  }
  return ev;
}

Operation& ExecutionStore::newRecord(const OperationUpdate& u) {
  index_.append(u.id);
  Operation& rec = ops_.emplace_back();
  rec.id = u.id;
  rec.stepId = u.stepId;
  rec.parentId = u.parentId;
  rec.name = u.name;
  rec.type = u.type;
  rec.subType = u.subType;
  rec.status = OperationStatus::Started;
  rec.startTimestamp = now_;
  return rec;
}

void ExecutionStore::seed(const Operation& op) {
  if (index_.find(op.id, ops_))
    throw std::invalid_argument(fmt::format("operation {} appears twice in the log", op.id));
  index_.append(op.id);
  ops_.push_back(op);
}

void ExecutionStore::apply(const OperationUpdate& u) {
  // validateCheckpoint of this one update, keeping the record it found.
  std::size_t total = 0;
  std::optional<std::size_t> parent;
  const std::size_t count = ops_.size();
  Operation* rec = const_cast<Operation*>(validateUpdate(u, *this, total, nullptr, &parent));
  checkTotal(u, total);
  // The next update is likely another of this parent's children (a batch's items). A
  // parent among the last two records is found without the hint: the hint keeps the
  // farther one (a map item's own step must not make the map's next item look it up).
  if (parent && *parent + 2 < count) parentHint_ = *parent;
  switch (u.type) {
    case OperationType::Step:
      applyStep(u, rec);
      break;
    case OperationType::Wait:
      applyWait(u);
      break;
    case OperationType::Callback:
      applyCallback(u);
      break;
    case OperationType::Context:
      applyContext(u, rec);
      break;
    case OperationType::ChainedInvoke:
      applyInvoke(u);
      break;
    case OperationType::Execution:
      break;  // the envelope carries the outcome
  }
}

void ExecutionStore::applyStep(const OperationUpdate& u, Operation* rec) {
  if (u.action == OperationAction::Start) {
    int attempt = rec ? rec->stepDetails->attempt + 1 : 1;
    if (!rec) {
      rec = &newRecord(u);
      rec->stepDetails.emplace();
    }
    rec->status = OperationStatus::Started;
    rec->stepDetails->attempt = attempt;
    rec->stepDetails->nextAttemptTimestamp.reset();
    addEvent(HistoryEventType::StepStarted, rec);
    return;
  }
  StepDetails& sd = *rec->stepDetails;
  if (u.action == OperationAction::Succeed) {
    rec->status = OperationStatus::Succeeded;
    rec->endTimestamp = now_;
    sd.result = u.payload;
    HistoryEvent& ev = addEvent(HistoryEventType::StepSucceeded, rec);
    ev.hasResult = u.payload.has_value();
    ev.result = u.payload;
    ev.currentAttempt = sd.attempt;
  } else if (u.action == OperationAction::Fail) {
    rec->status = OperationStatus::Failed;
    rec->endTimestamp = now_;
    sd.error = u.error;
    HistoryEvent& ev = addEvent(HistoryEventType::StepFailed, rec);
    ev.error = u.error;
    ev.currentAttempt = sd.attempt;
  } else if (u.action == OperationAction::Retry) {
    std::int64_t delay = *u.nextAttemptDelaySeconds;
    rec->status = OperationStatus::Pending;
    sd.nextAttemptTimestamp = now_ + Duration{delay};
    HistoryEvent* ev;
    if (u.error) {
      sd.error = u.error;
      ev = &addEvent(HistoryEventType::StepFailed, rec);
      ev->error = u.error;
    } else {  // a waitForCondition poll: the new state is the attempt's result
      sd.result = u.payload;
      ev = &addEvent(HistoryEventType::StepSucceeded, rec);
      ev->hasResult = true;
      ev->result = u.payload;
    }
    ev->currentAttempt = sd.attempt;
    ev->nextAttemptDelaySeconds = delay;
    schedule(Timer::Kind::Retry, now_ + Duration{delay}, rec->id);
  }
}

void ExecutionStore::applyWait(const OperationUpdate& u) {
  if (u.action == OperationAction::Cancel) {
    Operation* rec = mutableFind(u.id);
    rec->status = OperationStatus::Cancelled;
    rec->endTimestamp = now_;
    addEvent(HistoryEventType::WaitCancelled, rec);
    return;
  }
  Operation& rec = newRecord(u);
  std::int64_t secs = u.waitSeconds.value_or(0);
  rec.waitDetails = WaitDetails{now_ + Duration{secs}, secs};
  HistoryEvent& ev = addEvent(HistoryEventType::WaitStarted, &rec);
  ev.durationSeconds = secs;
  ev.scheduledEndTimestamp = rec.waitDetails->scheduledEndTimestamp;
  schedule(Timer::Kind::Wait, rec.waitDetails->scheduledEndTimestamp, rec.id);
}

void ExecutionStore::applyCallback(const OperationUpdate& u) {
  if (u.action == OperationAction::Cancel) {
    Operation* rec = mutableFind(u.id);
    rec->status = OperationStatus::Cancelled;
    rec->endTimestamp = now_;
    return;
  }
  Operation& rec = newRecord(u);
  ++callbackCounter_;
  CallbackDetails cd;
  cd.callbackId = callbackIdSource_ ? callbackIdSource_()
                                    : operationIdFor(fmt::format("callback:{}:{}:{}", seed_, arn_, callbackCounter_)) +
                                          operationIdFor(fmt::format("callback-tail:{}:{}", seed_, callbackCounter_));
  cd.timeoutSeconds = u.callbackTimeoutSeconds;
  cd.heartbeatTimeoutSeconds = u.callbackHeartbeatTimeoutSeconds;
  cd.lastHeartbeat = now_;
  rec.callbackDetails = cd;
  HistoryEvent& ev = addEvent(HistoryEventType::CallbackStarted, &rec);
  ev.callbackId = cd.callbackId;
  ev.timeoutSeconds = cd.timeoutSeconds;
  ev.heartbeatTimeoutSeconds = cd.heartbeatTimeoutSeconds;
  // 0 means no timeout (CallbackOptions).
  if (cd.timeoutSeconds.value_or(0) > 0)
    schedule(Timer::Kind::CallbackTimeout, now_ + Duration{*cd.timeoutSeconds}, rec.id);
  if (cd.heartbeatTimeoutSeconds.value_or(0) > 0)
    schedule(Timer::Kind::CallbackHeartbeat, now_ + Duration{*cd.heartbeatTimeoutSeconds}, rec.id);
}

void ExecutionStore::applyContext(const OperationUpdate& u, Operation* rec) {
  if (u.action == OperationAction::Start) {
    Operation& r = newRecord(u);
    r.contextDetails.emplace();
    addEvent(HistoryEventType::ContextStarted, &r);
  } else if (u.action == OperationAction::Succeed) {
    rec->status = OperationStatus::Succeeded;
    rec->endTimestamp = now_;
    rec->contextDetails = ContextDetails{u.replayChildren, u.payload, std::nullopt};
    HistoryEvent& ev = addEvent(HistoryEventType::ContextSucceeded, rec);
    ev.hasResult = u.payload.has_value();
    ev.result = u.payload;
  } else {
    rec->status = OperationStatus::Failed;
    rec->endTimestamp = now_;
    // ReplayChildren on a FAIL too: the AWS JS SDK asks to keep a failed context's children.
    rec->contextDetails = ContextDetails{u.replayChildren, std::nullopt, u.error};
    HistoryEvent& ev = addEvent(HistoryEventType::ContextFailed, rec);
    ev.error = u.error;
  }
}

void ExecutionStore::applyInvoke(const OperationUpdate& u) {
  if (u.action == OperationAction::Cancel) {
    Operation* rec = mutableFind(u.id);
    rec->status = OperationStatus::Cancelled;
    rec->endTimestamp = now_;
    return;
  }
  Operation& rec = newRecord(u);
  rec.chainedInvokeDetails = ChainedInvokeDetails{u.functionName.value_or(""), u.payload, u.tenantId, {}, {}};
  HistoryEvent& ev = addEvent(HistoryEventType::ChainedInvokeStarted, &rec);
  ev.functionName = rec.chainedInvokeDetails->functionName;
  ev.hasResult = true;  // Input{Payload} is always present
  ev.result = u.payload ? u.payload : Payload("null");
  ev.tenantId = u.tenantId;
  ev.durableExecutionArn = fmt::format("{}/invoke/{}", arn_, rec.id);
  startedInvokes_.push_back(rec.id);
}

std::vector<std::string> ExecutionStore::takeStartedInvokes() { return std::exchange(startedInvokes_, {}); }

void ExecutionStore::schedule(Timer::Kind kind, TimePoint at, std::string opId, std::size_t action) {
  timers_.push_back(Timer{at, ++timerSeq_, kind, std::move(opId), action});
  std::push_heap(timers_.begin(), timers_.end(), heapLess);
}

bool ExecutionStore::timerLive(const Timer& t) const {
  const Operation* rec = find(t.opId);
  switch (t.kind) {
    case Timer::Kind::Wait:
    case Timer::Kind::CallbackTimeout:
      return rec && rec->status == OperationStatus::Started;
    case Timer::Kind::Retry:
      return rec && rec->status == OperationStatus::Pending;
    case Timer::Kind::CallbackHeartbeat: {
      if (!rec || rec->status != OperationStatus::Started || !rec->callbackDetails) return false;
      const CallbackDetails& cd = *rec->callbackDetails;
      // A later heartbeat scheduled a later timer; this one would find the callback alive.
      return cd.heartbeatTimeoutSeconds && t.at >= cd.lastHeartbeat + Duration{*cd.heartbeatTimeoutSeconds};
    }
    case Timer::Kind::CallbackAction:
    case Timer::Kind::Invoke:
    case Timer::Kind::ExecutionTimeout:
      return true;  // the runner's own
  }
  return true;
}

std::optional<TimePoint> ExecutionStore::nextTimerAt() const {
  if (timers_.empty()) return std::nullopt;
  if (timerLive(timers_.front())) return timers_.front().at;
  // Dead timers (a completed wait, an answered callback's timeouts) stay in the heap
  // until popped; they must not stop the manual clock or look like pending work.
  std::optional<TimePoint> best;
  for (const Timer& t : timers_)
    if ((!best || t.at < *best) && timerLive(t)) best = t.at;
  return best;
}

std::optional<Timer> ExecutionStore::popNextTimer() {
  if (timers_.empty()) return std::nullopt;
  std::pop_heap(timers_.begin(), timers_.end(), heapLess);
  Timer t = std::move(timers_.back());
  timers_.pop_back();
  now_ = std::max(now_, t.at);
  return t;
}

std::vector<Timer> ExecutionStore::timers() const {
  std::vector<Timer> out = timers_;
  std::sort(out.begin(), out.end(), [](const Timer& a, const Timer& b) { return heapLess(b, a); });
  return out;
}

bool ExecutionStore::fire(const Timer& t) {
  Operation* rec = mutableFind(t.opId);
  switch (t.kind) {
    case Timer::Kind::Wait:
      if (!rec || rec->status != OperationStatus::Started) return false;
      rec->status = OperationStatus::Succeeded;
      rec->endTimestamp = now_;
      addEvent(HistoryEventType::WaitSucceeded, rec).durationSeconds = rec->waitDetails->durationSeconds;
      completions_.push_back(rec->id);
      return true;
    case Timer::Kind::Retry:
      if (!rec || rec->status != OperationStatus::Pending) return false;
      rec->status = OperationStatus::Ready;  // no history event
      return true;
    case Timer::Kind::CallbackTimeout:
    case Timer::Kind::CallbackHeartbeat: {
      if (!rec || rec->status != OperationStatus::Started) return false;
      CallbackDetails& cd = *rec->callbackDetails;
      bool heartbeat = t.kind == Timer::Kind::CallbackHeartbeat;
      if (heartbeat && now_ < cd.lastHeartbeat + Duration{*cd.heartbeatTimeoutSeconds}) return false;
      ErrorObject err{heartbeat ? "Callback.Heartbeat" : "Callback.Timeout",
                      heartbeat ? "Callback heartbeat timed out" : "Callback timed out", std::nullopt, std::nullopt};
      rec->status = OperationStatus::TimedOut;
      rec->endTimestamp = now_;
      cd.error = err;
      addEvent(HistoryEventType::CallbackTimedOut, rec).error = err;
      completions_.push_back(rec->id);
      return true;
    }
    case Timer::Kind::CallbackAction:
    case Timer::Kind::Invoke:
    case Timer::Kind::ExecutionTimeout:
      return false;  // handled by the runner
  }
  return false;
}

bool ExecutionStore::callbackSuccess(const std::string& opId, const Payload& payload) {
  Operation* rec = mutableFind(opId);
  if (!rec || rec->type != OperationType::Callback || rec->status != OperationStatus::Started) return false;
  rec->status = OperationStatus::Succeeded;
  rec->endTimestamp = now_;
  rec->callbackDetails->result = payload;
  HistoryEvent& ev = addEvent(HistoryEventType::CallbackSucceeded, rec);
  ev.hasResult = payload.has_value();
  ev.result = payload;
  completions_.push_back(rec->id);
  return true;
}

bool ExecutionStore::callbackFailure(const std::string& opId, const ErrorObject& error) {
  Operation* rec = mutableFind(opId);
  if (!rec || rec->type != OperationType::Callback || rec->status != OperationStatus::Started) return false;
  rec->status = OperationStatus::Failed;
  rec->endTimestamp = now_;
  rec->callbackDetails->error = error;
  addEvent(HistoryEventType::CallbackFailed, rec).error = error;
  completions_.push_back(rec->id);
  return true;
}

bool ExecutionStore::callbackHeartbeat(const std::string& opId) {
  Operation* rec = mutableFind(opId);
  if (!rec || rec->type != OperationType::Callback || rec->status != OperationStatus::Started) return false;
  CallbackDetails& cd = *rec->callbackDetails;
  cd.lastHeartbeat = now_;
  if (cd.heartbeatTimeoutSeconds.value_or(0) > 0)
    schedule(Timer::Kind::CallbackHeartbeat, now_ + Duration{*cd.heartbeatTimeoutSeconds}, rec->id);
  return false;  // heartbeats start no invocation and emit no event
}

bool ExecutionStore::invokeSucceeded(const std::string& opId, const Payload& payload) {
  Operation* rec = mutableFind(opId);
  if (!rec || rec->status != OperationStatus::Started || !rec->chainedInvokeDetails) return false;
  rec->status = OperationStatus::Succeeded;
  rec->endTimestamp = now_;
  rec->chainedInvokeDetails->result = payload;
  HistoryEvent& ev = addEvent(HistoryEventType::ChainedInvokeSucceeded, rec);
  ev.hasResult = true;
  ev.result = payload;
  completions_.push_back(rec->id);
  return true;
}

bool ExecutionStore::invokeFailed(const std::string& opId, const ErrorObject& error) {
  return invokeEnded(opId, OperationStatus::Failed, error);
}

bool ExecutionStore::invokeEnded(const std::string& opId, OperationStatus status, const ErrorObject& error) {
  Operation* rec = mutableFind(opId);
  if (!rec || rec->status != OperationStatus::Started || !rec->chainedInvokeDetails) return false;
  rec->status = status;
  rec->endTimestamp = now_;
  rec->chainedInvokeDetails->error = error;
  HistoryEventType type = status == OperationStatus::TimedOut  ? HistoryEventType::ChainedInvokeTimedOut
                          : status == OperationStatus::Stopped ? HistoryEventType::ChainedInvokeStopped
                                                               : HistoryEventType::ChainedInvokeFailed;
  addEvent(type, rec).error = error;
  completions_.push_back(rec->id);
  return true;
}

}  // namespace rwd::internal
