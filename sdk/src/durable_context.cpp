// The durable operations. Each follows the same shape: take the next positional id,
// compare with the log (replay), return the recorded outcome when there is one, else
// checkpoint, run and checkpoint again. Awaiting something unresolved suspends.
#include "rewind/durable_context.hpp"
#include "rewind/json_text.hpp"
#include "rewind/service_limits.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "invocation.hpp"
#include "md5.hpp"

namespace rwd {

using internal::ContextState;
using internal::Invocation;
using internal::kLargeResultBytes;
using internal::OpRef;

namespace {

std::string nameOrId(const std::optional<std::string>& name, const std::string& stepId) {
  return name ? fmt::format("'{}'", *name) : fmt::format("at step {}", stepId);
}

std::string describeOp(OperationType t, OperationSubType s, const std::optional<std::string>& name) {
  return fmt::format("{}/{} {}", toString(t), toString(s), name ? fmt::format("'{}'", *name) : "(unnamed)");
}

void checkNotInStepBody(Invocation& inv, std::string_view what) {
  if (inv.stepBodyDepth > 0)
    inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
        "rewind.step.nested_operation",
        fmt::format("{} was called inside a step body; durable operations cannot nest in a step "
                    "(use runInChildContext to group operations)",
                    what))));
}

// The attempt's info when plugins observe it (hasPlugins()), else nothing: without
// plugins nobody reads it, and building it copies the ids and reads the clock.
std::optional<AttemptInfo> attemptInfoIfObserved(const ContextState& st, const OpRef& op,
                                                 const std::optional<std::string>& name, OperationSubType sub,
                                                 int attempt) {
  if (!st.inv->hasPlugins()) return std::nullopt;
  AttemptInfo a;
  a.id = op.id;
  a.stepId = op.stepId;
  a.name = name;
  a.subType = sub;
  a.attempt = attempt;
  a.type = OperationType::Step;
  a.parentId = st.parentId;
  a.startTimestamp = st.inv->now();
  return a;
}

// Runs one attempt's function, with the plugins' attempt hooks around it when there are any.
// `info` is set exactly when plugins observe the attempt (attemptInfoIfObserved).
template <class F>
void runAttempt(Invocation& inv, std::optional<AttemptInfo>& info, F&& fn) {
  if (!info) {
    fn();
    return;
  }
  inv.notify("onAttemptStart", [&](Plugin& p) { p.onAttemptStart(*info); });
  inv.wrapAttempt(*info, fn);
}

// `retryDelay`: the delay before the next attempt when this failed one will be retried.
void endAttempt(Invocation& inv, std::optional<AttemptInfo>& info, const std::optional<ErrorObject>& error,
                std::optional<Duration> retryDelay = std::nullopt) {
  if (!info) return;
  info->outcome = error ? AttemptOutcome::Failed : AttemptOutcome::Succeeded;
  info->error = error;
  info->endTimestamp = inv.now();
  info->nextAttemptDelay = retryDelay;
  inv.notify("onAttemptEnd", [&](Plugin& p) { p.onAttemptEnd(*info); });
}

// Runs a context operation's user function with the user-function hooks around it.
template <class F>
Payload runUserFunction(Invocation& inv, const ContextState& st, const OpRef& op,
                        const std::optional<std::string>& name, OperationSubType sub, bool replayingChildren, F&& fn) {
  if (!inv.hasPlugins()) return fn();
  UserFunctionInfo info = inv.userFunctionInfo(op.id, op.stepId, name, sub, st.parentId, op.rec != nullptr);
  info.replayingChildren = replayingChildren;
  return inv.runUserFunction(info, std::forward<F>(fn));
}

// The operation's next update, prepared in the invocation's reused request (commit it
// with commitCheckpoint()).
OperationUpdate& prepareUpdate(const ContextState& st, const OpRef& op, OperationType type, OperationSubType sub,
                               const std::optional<std::string>& name, OperationAction action) {
  return st.inv->prepareUpdate(op.id, op.stepId, st.parentId, name, type, sub, action);
}

[[noreturn]] void throwContextError(OperationSubType sub, const ErrorObject& e) {
  if (sub == OperationSubType::WaitForCallback) CallbackError::throwFromObject(e);
  throw ChildContextError(e.errorMessage, e.errorType, e.errorData);
}

bool isContextError(OperationSubType sub, std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const CallbackError&) {
    return sub == OperationSubType::WaitForCallback;
  } catch (const ChildContextError&) {
    return sub != OperationSubType::WaitForCallback;
  } catch (...) {
    return false;
  }
}

// A delay chosen by a retry or wait strategy must fit the service's range (it is
// rounded up to 1 s, so only the upper bound can be exceeded).
void checkDelay(Duration d, std::string_view what, const std::optional<std::string>& name, const std::string& stepId) {
  if (d.count() > internal::kMaxDelaySeconds)
    throw ValidationError("rewind.step.delay", fmt::format("{} {} is {} s, over the {}-second (366-day) limit", what,
                                                           nameOrId(name, stepId), d.count(), internal::kMaxDelaySeconds));
}

const RetryStrategy& orDefault(const RetryStrategy& s) {
  static const RetryStrategy kDefault = retryPresets::defaultStrategy();
  return s ? s : kDefault;
}

}  // namespace

namespace internal {

void assignChildStepId(std::string& out, std::string_view prefix, std::uint32_t n) {
  char digits[12];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.clear();
  out.reserve(prefix.size() + 1 + static_cast<std::size_t>(end - digits));  // keeps a larger buffer
  if (!prefix.empty()) {
    out.append(prefix);
    out.push_back('-');
  }
  out.append(digits, end);
}

std::string childStepId(const std::string& prefix, std::uint32_t n) {
  std::string out;
  assignChildStepId(out, prefix, n);
  return out;
}

OpRef beginOp(ContextState& st, OperationType type, OperationSubType sub, const std::optional<std::string>& name) {
  Invocation& inv = *st.inv;
  inv.guard();
  if (inv.stepBodyDepth > 0) checkNotInStepBody(inv, describeOp(type, sub, name));
  OpRef op;
  op.stepId = childStepId(st.prefix, ++st.counter);
  assignOperationId(op.id, op.stepId);
  op.rec = st.fresh ? nullptr : inv.state().find(op.id);
  if (op.rec) {
    inv.markVisited(op.id);
    if (op.rec->type != type || op.rec->subType != sub || op.rec->name != name)
      inv.fail(std::make_exception_ptr(NonDeterministicExecutionError(
          "rewind.replay.mismatch",
          fmt::format("non-deterministic replay at step {} (id {}): the log recorded {}, the code now calls {}",
                      op.stepId, op.id, describeOp(op.rec->type, op.rec->subType, op.rec->name),
                      describeOp(type, sub, name)))));
    inv.touched(*op.rec);
    inv.onReplayedOperation(*op.rec);
  }
  return op;
}

}  // namespace internal

DurableContext::DurableContext(std::unique_ptr<ContextState> state) : state_(std::move(state)) {}
DurableContext::~DurableContext() = default;

const std::string& DurableContext::stepIdPrefix() const noexcept { return state_->prefix; }

Logger DurableContext::logger() {
  ContextState& st = *state_;
  bool replaying = st.inv->preexisting(operationIdFor(internal::childStepId(st.prefix, st.counter + 1)));
  return Logger(st.inv, replaying, st.parentId.value_or(""), 0);
}

// ---- step -------------------------------------------------------------------------

Payload DurableContext::stepCore(std::optional<std::string> name, const StepBody& body, const RetryStrategy& retry,
                                 StepSemantics semantics) {
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  OpRef op = beginOp(st, OperationType::Step, OperationSubType::Step, name);
  auto update = [&](OperationAction a) -> OperationUpdate& {
    return prepareUpdate(st, op, OperationType::Step, OperationSubType::Step, name, a);
  };
  std::optional<OperationStatus> status;
  if (op.rec) status = op.rec->status;
  if (status == OperationStatus::Succeeded) return op.rec->stepDetails->result;
  if (status == OperationStatus::Failed) throw StepError::fromObject(*op.rec->stepDetails->error);
  if (status == OperationStatus::Pending) inv.suspend(fmt::format("the retry delay of step {}", nameOrId(name, op.stepId)));

  ErrorInfo error;
  std::optional<RetryDecision> decided;  // taken when an attempt failed
  std::optional<Duration> retryDelay;
  if (status == OperationStatus::Started && semantics == StepSemantics::AtMostOncePerRetry) {
    error = ErrorInfo{"StepInterruptedError",
                      fmt::format("step {} was interrupted before its result was checkpointed", nameOrId(name, op.stepId)),
                      std::nullopt, nullptr};
  } else {
    // An at-least-once step left STARTED re-runs without a new START.
    if (status != OperationStatus::Started) {
      update(OperationAction::Start);
      inv.commitCheckpoint();
    }
    inv.liveWork();
    const Operation* rec = inv.state().find(op.id);
    int attempt = rec->stepDetails->attempt;
    StepContext sc(&inv, op.id, attempt);
    bool failed = false;
    Payload payload;
    std::optional<AttemptInfo> ai = attemptInfoIfObserved(st, op, name, OperationSubType::Step, attempt);
    ++inv.stepBodyDepth;
    try {
      runAttempt(inv, ai, [&] {
        // The observer runs inside the attempt: what it throws is this attempt's failure.
        if (inv.settings().stepBodyObserver)
          inv.settings().stepBodyObserver({op.stepId, name, attempt, semantics, OperationSubType::Step});
        try {
          payload = body(sc);
        } catch (const internal::Suspension&) {
          throw;
        } catch (const internal::CrashSignal&) {
          throw;
        } catch (...) {
          if (inv.settings().stepErrorOverride) inv.settings().stepErrorOverride(op.stepId, attempt);
          throw;
        }
        if (inv.settings().stepResultOverride) payload = inv.settings().stepResultOverride(op.stepId, attempt, payload);
      });
    } catch (const internal::Suspension&) {
      --inv.stepBodyDepth;
      throw;
    } catch (const internal::CrashSignal&) {
      --inv.stepBodyDepth;
      inv.markCrashed();
      throw;
    } catch (...) {
      failed = true;
      error = currentErrorInfo();
    }
    --inv.stepBodyDepth;
    inv.guard();
    if (!failed && payload && payload->size() > kLargeResultBytes) {
      failed = true;
      error = ErrorInfo{"StepError",
                        fmt::format("the result of step {} is {} bytes, over the {}-byte limit for a step result",
                                    nameOrId(name, op.stepId), payload->size(), kLargeResultBytes),
                        std::nullopt, nullptr};
    }
    // A failed attempt's end names the delay before the next one, so the decision is
    // taken first (the same one the RETRY below uses: nothing checkpoints in between).
    if (failed) {
      decided = orDefault(retry)(error, attempt);
      if (decided->shouldRetry) retryDelay = inv.jitteredDelay(decided->delay, decided->jitter, op.stepId, attempt);
    }
    endAttempt(inv, ai, failed ? std::optional(error.toObject()) : std::nullopt, retryDelay);
    if (!failed) {
      {
        OperationUpdate& u = update(OperationAction::Succeed);
        u.payload = payload;
        inv.commitCheckpoint();
        return payload;
      }
    }
  }
  int attempt = inv.state().find(op.id)->stepDetails->attempt;
  RetryDecision decision = decided ? *decided : orDefault(retry)(error, attempt);
  if (decision.shouldRetry) {
    checkDelay(decision.delay, "the retry delay of step", name, op.stepId);
    OperationUpdate& u = update(OperationAction::Retry);
    u.error = error.toObject();
    u.nextAttemptDelaySeconds =
        (retryDelay ? *retryDelay : inv.jitteredDelay(decision.delay, decision.jitter, op.stepId, attempt)).count();
    inv.commitCheckpoint();
    inv.suspend(fmt::format("the retry delay of step {}", nameOrId(name, op.stepId)));
  }
  OperationUpdate& u = update(OperationAction::Fail);
  u.error = error.toObject();
  inv.commitCheckpoint();
  throw StepError::fromObject(error.toObject());
}

// ---- wait -------------------------------------------------------------------------

void DurableContext::waitCore(std::optional<std::string> name, Duration d) {
  if (d.count() < 1 || d.count() > internal::kMaxDelaySeconds)
    throw ValidationError("rewind.wait.duration",
                          fmt::format("wait {}: the duration must be 1 to {} seconds (366 days), got {} s",
                                      name ? *name : std::string("(unnamed)"), internal::kMaxDelaySeconds, d.count()));
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  OpRef op = beginOp(st, OperationType::Wait, OperationSubType::Wait, name);
  if (!op.rec) {
    OperationUpdate& u =
        prepareUpdate(st, op, OperationType::Wait, OperationSubType::Wait, name, OperationAction::Start);
    u.waitSeconds = d.count();
    inv.commitCheckpoint();
  } else if (op.rec->status == OperationStatus::Succeeded) {
    return;
  }
  inv.suspend(fmt::format("wait {}", nameOrId(name, op.stepId)));  // always suspends, however short
}

void DurableContext::waitUntilCore(std::optional<std::string> name, TimePoint t) {
  // Compared before subtracting: a far-off (or far-past) time point must not overflow.
  const TimePoint now = state_->inv->now();
  const Duration limit{internal::kMaxDelaySeconds};
  Duration secs{1};
  if (t > now + limit)
    secs = limit + Duration{1};  // out of range: waitCore reports it
  else if (t > now)
    secs = std::max(std::chrono::ceil<Duration>(t - now), Duration{1});
  waitCore(std::move(name), secs);
}

// ---- callbacks --------------------------------------------------------------------

std::pair<std::string, std::string> DurableContext::createCallbackCore(std::optional<std::string> name,
                                                                       std::optional<Duration> timeout,
                                                                       std::optional<Duration> heartbeat) {
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  auto bad = [](const std::optional<Duration>& d) {
    return d && (d->count() < 1 || d->count() > internal::kMaxCallbackTimeoutSeconds);
  };
  if (bad(timeout) || bad(heartbeat))
    throw ValidationError("rewind.callback.timeout",
                          fmt::format("callback {}: timeouts must be 1 to {} seconds (unset: none), got {} s",
                                      name ? *name : std::string("(unnamed)"), internal::kMaxCallbackTimeoutSeconds,
                                      bad(timeout) ? timeout->count() : heartbeat->count()));
  OpRef op = beginOp(st, OperationType::Callback, OperationSubType::Callback, name);
  if (!op.rec) {
    OperationUpdate& u =
        prepareUpdate(st, op, OperationType::Callback, OperationSubType::Callback, name, OperationAction::Start);
    if (timeout) u.callbackTimeoutSeconds = timeout->count();
    if (heartbeat) u.callbackHeartbeatTimeoutSeconds = heartbeat->count();
    inv.commitCheckpoint();
  }
  const Operation* rec = inv.state().find(op.id);
  return {op.id, rec->callbackDetails->callbackId};
}

Payload DurableContext::callbackResultCore(const std::string& opId) {
  Invocation& inv = *state_->inv;
  inv.guard();
  checkNotInStepBody(inv, "awaiting a callback result");
  const Operation* rec = inv.state().find(opId);
  switch (rec->status) {
    case OperationStatus::Succeeded: return rec->callbackDetails->result;
    case OperationStatus::Failed: {
      const ErrorObject& e = *rec->callbackDetails->error;
      throw CallbackExternalError(e.errorMessage, e.errorType, e.errorData);
    }
    case OperationStatus::TimedOut: {
      const ErrorObject& e = *rec->callbackDetails->error;
      throw CallbackTimeoutError(e.errorMessage, e.errorType, e.errorData);
    }
    default: break;
  }
  inv.suspend(fmt::format("callback {}", nameOrId(rec->name, rec->stepId)));
}

Payload DurableContext::waitForCallbackCore(std::optional<std::string> name,
                                            const std::function<void(const std::string&, StepContext&)>& submitter,
                                            std::optional<Duration> timeout, std::optional<Duration> heartbeat,
                                            const RetryStrategy& retry) {
  return childCore(std::move(name), OperationSubType::WaitForCallback, [&](DurableContext& child) -> Payload {
    auto [opId, callbackId] = child.createCallbackCore(std::nullopt, timeout, heartbeat);
    try {
      child.stepCore(
          std::nullopt,
          [&](StepContext& sc) -> Payload {
            submitter(callbackId, sc);
            return std::nullopt;
          },
          retry, StepSemantics::AtLeastOncePerRetry);
    } catch (const StepError& e) {
      throw CallbackSubmitterError(e.message(), "CallbackSubmitterError", e.data());
    }
    return child.callbackResultCore(opId);
  });
}

// ---- child contexts ---------------------------------------------------------------

Payload DurableContext::childCore(std::optional<std::string> name, OperationSubType sub, const ContextBody& body) {
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  OpRef op = beginOp(st, OperationType::Context, sub, name);
  std::optional<OperationStatus> status;
  if (op.rec) status = op.rec->status;
  bool replayChildren = op.rec && op.rec->contextDetails && op.rec->contextDetails->replayChildren;
  if (status == OperationStatus::Succeeded && !replayChildren) return op.rec->contextDetails->result;
  if (status == OperationStatus::Failed) throwContextError(sub, *op.rec->contextDetails->error);
  auto update = [&](OperationAction a) -> OperationUpdate& {
    return prepareUpdate(st, op, OperationType::Context, sub, name, a);
  };
  if (!op.rec) {
    update(OperationAction::Start);
    inv.commitCheckpoint();
  }
  inv.markEntered(op.rec);
  std::unique_ptr<DurableContext> child = inv.makeContext(op.stepId, op.id, !op.rec);
  Payload value;
  try {
    value = runUserFunction(inv, st, op, name, sub, op.rec != nullptr, [&] { return body(*child); });
  } catch (const internal::Suspension&) {
    throw;
  } catch (const internal::CrashSignal&) {
    inv.markCrashed();
    throw;
  } catch (...) {
    inv.guard();  // a fatal error or a swallowed suspension is not the child's failure
    if (status == OperationStatus::Succeeded) throw;
    std::exception_ptr ep = std::current_exception();
    ErrorInfo e = currentErrorInfo();
    OperationUpdate& u = update(OperationAction::Fail);
    u.error = e.toObject();
    inv.commitCheckpoint();
    if (isContextError(sub, ep)) std::rethrow_exception(ep);
    throwContextError(sub, e.toObject());
  }
  if (status != OperationStatus::Succeeded) {
    OperationUpdate& u = update(OperationAction::Succeed);
    if (value && value->size() > kLargeResultBytes)
      u.replayChildren = true;  // rebuilt from the children on replay
    else
      u.payload = value;
    inv.commitCheckpoint();
  }
  return value;
}

// ---- waitForCondition -------------------------------------------------------------

Payload DurableContext::waitForConditionCore(
    std::optional<std::string> name,
    const std::function<std::pair<Payload, WaitDecision>(const std::optional<Payload>&, StepContext&)>& poll) {
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  constexpr auto kSub = OperationSubType::WaitForCondition;
  OpRef op = beginOp(st, OperationType::Step, kSub, name);
  auto update = [&](OperationAction a) -> OperationUpdate& {
    return prepareUpdate(st, op, OperationType::Step, kSub, name, a);
  };
  std::optional<OperationStatus> status;
  if (op.rec) status = op.rec->status;
  if (status == OperationStatus::Succeeded) return op.rec->stepDetails->result;
  if (status == OperationStatus::Failed) {
    const ErrorObject& e = *op.rec->stepDetails->error;
    throw WaitForConditionError(e.errorMessage, e.errorType, e.errorData);
  }
  if (status == OperationStatus::Pending)
    inv.suspend(fmt::format("the poll delay of waitForCondition {}", nameOrId(name, op.stepId)));
  std::optional<Payload> recorded;
  if (op.rec && op.rec->stepDetails->result) recorded = op.rec->stepDetails->result;
  if (status != OperationStatus::Started) {
    update(OperationAction::Start);
    inv.commitCheckpoint();
  }
  int attempt = inv.state().find(op.id)->stepDetails->attempt;
  StepContext sc(&inv, op.id, attempt);
  std::pair<Payload, WaitDecision> outcome;
  inv.liveWork();
  std::optional<AttemptInfo> ai = attemptInfoIfObserved(st, op, name, kSub, attempt);
  ++inv.stepBodyDepth;
  try {
    runAttempt(inv, ai, [&] {
      if (inv.settings().stepBodyObserver)
        inv.settings().stepBodyObserver(
            {op.stepId, name, attempt, StepSemantics::AtLeastOncePerRetry, OperationSubType::WaitForCondition});
      outcome = poll(recorded, sc);
    });
  } catch (const internal::Suspension&) {
    --inv.stepBodyDepth;
    throw;
  } catch (const internal::CrashSignal&) {
    --inv.stepBodyDepth;
    inv.markCrashed();
    throw;
  } catch (...) {
    --inv.stepBodyDepth;
    inv.guard();
    ErrorInfo e = currentErrorInfo();
    endAttempt(inv, ai, e.toObject());
    OperationUpdate& u = update(OperationAction::Fail);
    u.error = e.toObject();
    inv.commitCheckpoint();
    throw WaitForConditionError(e.message, e.type, e.data);
  }
  --inv.stepBodyDepth;
  std::optional<Duration> pollDelay;
  if (outcome.second.shouldContinue)
    pollDelay = inv.jitteredDelay(outcome.second.delay, outcome.second.jitter, op.stepId, attempt);
  endAttempt(inv, ai, std::nullopt, pollDelay);
  if (outcome.second.shouldContinue) {
    checkDelay(outcome.second.delay, "the poll delay of waitForCondition", name, op.stepId);
    OperationUpdate& u = update(OperationAction::Retry);
    u.payload = outcome.first;
    u.nextAttemptDelaySeconds = pollDelay->count();
    inv.commitCheckpoint();
    inv.suspend(fmt::format("the poll delay of waitForCondition {}", nameOrId(name, op.stepId)));
  }
  OperationUpdate& u = update(OperationAction::Succeed);
  u.payload = outcome.first;
  inv.commitCheckpoint();
  return outcome.first;
}

// ---- chained invoke ---------------------------------------------------------------

Payload DurableContext::invokeCore(std::optional<std::string> name, std::string_view functionId, Payload input,
                                   std::optional<std::string> tenantId) {
  ContextState& st = *state_;
  Invocation& inv = *st.inv;
  if (functionId.empty()) throw ValidationError("rewind.invoke.function", "invoke needs a function id");
  OpRef op = beginOp(st, OperationType::ChainedInvoke, OperationSubType::ChainedInvoke, name);
  if (!op.rec) {
    OperationUpdate& u = prepareUpdate(st, op, OperationType::ChainedInvoke, OperationSubType::ChainedInvoke, name,
                                       OperationAction::Start);
    u.payload = std::move(input);
    u.functionName = std::string(functionId);
    u.tenantId = std::move(tenantId);
    inv.commitCheckpoint();
  } else if (op.rec->status == OperationStatus::Succeeded) {
    return op.rec->chainedInvokeDetails->result;
  } else if (isTerminal(op.rec->status)) {
    ErrorObject e = op.rec->chainedInvokeDetails->error.value_or(
        ErrorObject{"InvokeError", fmt::format("invoke ended {}", toString(op.rec->status)), {}, {}});
    throw InvokeError(e.errorMessage, e.errorType, e.errorData);
  }
  inv.suspend(fmt::format("invoke {} of '{}'", nameOrId(name, op.stepId), functionId));
}

// ---- rollback ---------------------------------------------------------------------

void DurableContext::registerCompensation(std::optional<std::string> name,
                                          std::function<void(const ErrorInfo&, StepContext&)> undo,
                                          RetryStrategy retry) {
  state_->compensations.push_back({std::move(name), std::move(undo), std::move(retry)});
}

std::size_t DurableContext::registeredCompensations() const { return state_->compensations.size(); }

void DurableContext::rollbackAll(const std::exception& error) {
  ErrorInfo info;
  if (const auto* d = dynamic_cast<const DurableError*>(&error))
    info = {toValidUtf8(d->errorType()), toValidUtf8(d->message()), d->data(), nullptr};
  else
    info = {demangle(typeid(error).name()), toValidUtf8(error.what()), std::nullopt, nullptr};
  rollbackAll(info);
}

void DurableContext::rollbackAll(const ErrorInfo& error) {
  std::vector<internal::Compensation> list = std::move(state_->compensations);
  state_->compensations.clear();
  std::vector<std::string> failures;
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    std::optional<std::string> stepName = it->name ? std::optional(fmt::format("rollback:{}", *it->name)) : std::nullopt;
    try {
      stepCore(
          stepName,
          [&](StepContext& sc) -> Payload {
            it->undo(error, sc);
            return std::nullopt;
          },
          it->retryStrategy ? it->retryStrategy : retryPresets::none(), StepSemantics::AtLeastOncePerRetry);
    } catch (const StepError& e) {
      failures.push_back(fmt::format("{} ({}: {})", stepName.value_or("(unnamed undo)"), e.errorType(), e.message()));
    }
  }
  if (!failures.empty())
    throw Error("RollbackError",
                fmt::format("rollback after {}: {} failed: {}", error.type, failures.size() == 1 ? "an undo" : "undos",
                            fmt::join(failures, "; ")),
                error.message);
}

namespace testing {
void simulateProcessCrash() {
  if (Invocation* inv = Invocation::current()) inv->markCrashed();
  throw internal::CrashSignal{};
}
}  // namespace testing

}  // namespace rwd
