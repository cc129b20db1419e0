// OperationHandle: a test's view of one operation of a LocalDurableTestRunner's
// execution (lookups, typed details, waitForData, callback answers).
#include "local_runner_impl.hpp"

namespace rwd {

// ---- OperationHandle ----------------------------------------------------------------

std::string OperationHandle::describe() const {
  switch (by_) {
    case By::Name:
      return fmt::format("operation '{}'", key_);
    case By::Index:
      return fmt::format("operation #{}", index_);
    case By::NameAndIndex:
      return fmt::format("operation '{}' #{}", key_, index_);
    case By::Id:
      return fmt::format("operation with id {}", key_);
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
    if (const Operation* cb = runner_->impl_->findOperation(operationIdFor(op.stepId + "-1"));
        cb && cb->callbackDetails)
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
      case WaitingStatus::Started:
        return true;
      case WaitingStatus::Submitted: {
        if (op->subType != OperationSubType::WaitForCallback) return true;
        const Operation* sub = m.findOperation(operationIdFor(op->stepId + "-2"));
        return sub && isTerminal(sub->status);
      }
      case WaitingStatus::Completed:
        return isTerminal(op->status);
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
  runnerError("blocked",
              fmt::format("waitForData: {} can never get there: {}", describe(),
                          m.store->hasTimers() ? "waiting for time to pass (manual clock)" : m.describeBlocked()));
}

void OperationHandle::sendAnswer(CallbackResponse::Kind kind, Payload payload, ErrorObject error) {
  Operation op = require();
  LocalDurableTestRunner::Impl& m = *runner_->impl_;
  std::string target = op.subType == OperationSubType::WaitForCallback ? operationIdFor(op.stepId + "-1") : op.id.str();
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

void OperationHandle::sendCallbackHeartbeat() { sendAnswer(CallbackResponse::Kind::Heartbeat, std::nullopt, {}); }

}  // namespace rwd
