// Chained invokes in rewind-server. A CHAINED_INVOKE START names a function; in the
// transaction that acknowledges the checkpoint the server starts that function's durable
// execution (the child) with the operation's payload as its input, and records the link
// (table chained_invokes). When the child ends, the parent's operation completes as the
// child ended — SUCCEEDED with its result, FAILED / TIMED_OUT / STOPPED with its error
// (ChainedInvokeSucceeded / Failed / TimedOut / Stopped) — between the parent's
// invocations like any outside completion, and the parent is invoked again. A target that
// is not one of the server's functions fails the operation (ResourceNotFoundException)
// once the invocation that started it has ended. After a restart, completions whose
// child ended just before the server stopped are delivered (collectEndedInvokes).
#include <fmt/format.h>

#include "engine.hpp"
#include "engine_execution.hpp"
#include "function_names.hpp"
#include "random_ids.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/json_text.hpp"
#include "rewind/operation_json.hpp"

namespace rwd::server::internal {

bool Engine::applyAction(Execution& e, const PendingAction& a) {
  if (a.kind == "succeed") return e.store.callbackSuccess(a.opId, a.body);
  if (a.kind == "invoke_succeed") return e.store.invokeSucceeded(a.opId, a.body);
  ErrorObject error = rwd::internal::errorFromJson(Json::parse(a.body.value_or("{}")));
  if (a.kind == "fail") return e.store.callbackFailure(a.opId, error);
  if (a.kind == "invoke_timed_out") return e.store.invokeEnded(a.opId, OperationStatus::TimedOut, error);
  if (a.kind == "invoke_stopped") return e.store.invokeEnded(a.opId, OperationStatus::Stopped, error);
  return e.store.invokeEnded(a.opId, OperationStatus::Failed, error);  // "invoke_fail"
}

void Engine::persistCheckpoint(Execution& e, const std::vector<std::string>& touched) {
  std::vector<Execution*> children;
  std::vector<PendingAction> failures;
  for (const std::string& id : e.store.takeStartedInvokes()) {
    const Operation* op = e.store.find(id);
    if (!op || !op->chainedInvokeDetails) continue;
    const std::string& target = op->chainedInvokeDetails->functionName;
    std::optional<FunctionRef> ref = parseFunctionName(target);
    if (!ref || !knowsFunction(ref->name) || ref->qualifier.value_or("$LATEST") != "$LATEST") {
      ErrorObject error{"ResourceNotFoundException",
                        fmt::format("[rewind.server.no_function] Function not found: {} (a chained invoke's target "
                                    "must be one of the server's functions, at $LATEST)",
                                    ref ? functionArn(ref->name) + ":" + ref->qualifier.value_or("$LATEST") : target),
                        std::nullopt, std::nullopt};
      failures.push_back(PendingAction{++e.pendingSeq, "invoke_fail", id, errorBody(error)});
      continue;
    }
    Execution& child = newExecution(ref->name, randomUuid(), op->chainedInvokeDetails->input);
    child.parentArn = e.arn;
    child.parentOpId = id;
    e.invokeChildren[id] = child.arn;
    children.push_back(&child);
  }
  try {
    // One transaction: the checkpoint, the executions it starts and their links.
    persist(e, touched, [&] {
      for (Execution* child : children) {
        insertExecutionRow(*child);
        db_.prepare("DELETE FROM chained_invokes WHERE parent_arn=? AND op_id=?")  // a redriven parent's old one
            .bind(1, e.arn)
            .bind(2, child->parentOpId)
            .run();
        db_.prepare("INSERT INTO chained_invokes (child_arn, parent_arn, op_id) VALUES (?, ?, ?)")
            .bind(1, child->arn)
            .bind(2, e.arn)
            .bind(3, child->parentOpId)
            .run();
        writeState(*child, {});
      }
      // Kept until the invocation ends (applyPending), like a callback answered meanwhile.
      for (const PendingAction& f : failures) storePending(e.arn, f);
    });
  } catch (...) {
    for (Execution* child : children) {
      e.invokeChildren.erase(child->parentOpId);
      executions_.erase(child->arn);
    }
    throw;
  }
  for (PendingAction& f : failures) e.pending.push_back(std::move(f));
  for (Execution* child : children) enqueue(*child);
}

void Engine::completeInvoke(const std::string& parentArn, const std::string& opId, const std::string& childArn,
                            const std::string& status, const Payload& result, const std::optional<ErrorObject>& error) {
  Execution* p = running(parentArn);
  if (!p) return;  // the parent ended (stopped, timed out) meanwhile
  auto link = p->invokeChildren.find(opId);
  if (link == p->invokeChildren.end() || link->second != childArn) return;  // an earlier run's (redrive)
  const Operation* op = p->store.find(opId);
  if (!op || op->status != OperationStatus::Started) return;
  PendingAction a{++p->pendingSeq, "invoke_succeed", opId, result};
  if (status != "SUCCEEDED") {
    a.kind = status == "TIMED_OUT" ? "invoke_timed_out" : status == "STOPPED" ? "invoke_stopped" : "invoke_fail";
    a.body = errorBody(error.value_or(ErrorObject{status, "the invoked execution ended " + status, {}, {}}));
  }
  try {
    if (p->running) {
      keepPending(*p, std::move(a));
      return;
    }
    p->store.setNow(clock_.now());
    bool wake = applyAction(*p, a);
    (void)p->store.takeCompletions();
    if (wake) enqueue(*p);
    persist(*p, {opId});
  } catch (const std::exception&) {
    // A database failure: the child's end is on disk; the next start delivers it
    // (collectEndedInvokes).
  }
  timerCv_.notify_all();
}

void Engine::loadInvokeLinks(Execution& e) {
  {
    Statement s = db_.prepare("SELECT parent_arn, op_id FROM chained_invokes WHERE child_arn=?");
    s.bind(1, e.arn);
    if (s.step()) {
      e.parentArn = s.text(0);
      e.parentOpId = s.text(1);
    }
  }
  Statement s = db_.prepare("SELECT op_id, child_arn FROM chained_invokes WHERE parent_arn=?");
  s.bind(1, e.arn);
  while (s.step()) e.invokeChildren[s.text(0)] = s.text(1);
}

// Children that ended while their parent's completion was not yet committed (the server
// stopped in between): their ends are delivered now.
void Engine::collectEndedInvokes() {
  struct Ended {
    std::string parent, opId, child;
  };
  std::vector<Ended> ended;
  for (auto& [arn, e] : executions_)
    for (const auto& [opId, child] : e->invokeChildren) {
      const Operation* op = e->store.find(opId);
      if (op && op->status == OperationStatus::Started && !executions_.count(child))
        ended.push_back({arn, opId, child});
    }
  for (const Ended& x : ended) {
    ExecutionView v = viewFromDb(x.child);
    if (v.arn.empty() || v.status == "RUNNING") continue;
    completeInvoke(x.parent, x.opId, x.child, v.status, v.result, v.error);
  }
}

}  // namespace rwd::server::internal
