// parallel() and map(): a CONTEXT whose items are child contexts (NESTED) or share its
// id space's parent (FLAT), run cooperatively on the handler's thread in an order chosen
// by the scheduler. A suspended item keeps its maxConcurrency slot; the batch suspends
// when every started item is blocked.
#include <algorithm>

#include <fmt/format.h>

#include "invocation.hpp"
#include "rewind/durable_context.hpp"
#include "rewind/json_text.hpp"

namespace rwd {

using internal::Invocation;
using internal::kLargeResultBytes;

namespace {

// Admitted: holds a concurrency slot but has not run yet (it counts nowhere until it does).
enum class ItemState { NotStarted, Admitted, Active, Succeeded, Failed };

std::optional<CompletionReason> completionReason(std::size_t succ, std::size_t fail, std::size_t n,
                                                 const internal::BatchOptions& o) {
  if (o.minSuccessful && succ >= *o.minSuccessful) return CompletionReason::MinSuccessfulReached;
  bool noTolerance = !o.toleratedFailureCount && !o.toleratedFailurePercentage && !o.minSuccessful;
  if (noTolerance && fail > 0) return CompletionReason::FailureToleranceExceeded;
  if (o.toleratedFailureCount && fail > *o.toleratedFailureCount) return CompletionReason::FailureToleranceExceeded;
  if (o.toleratedFailurePercentage && n > 0 &&
      static_cast<double>(fail) * 100.0 > *o.toleratedFailurePercentage * static_cast<double>(n))
    return CompletionReason::FailureToleranceExceeded;
  if (succ + fail == n) return CompletionReason::AllCompleted;
  return std::nullopt;
}

}  // namespace

namespace internal {

Payload batchJsonText(const RawBatch& raw) {
  // nlohmann objects keep their keys sorted: "all" < "completionReason", and per item
  // "error" < "index" < "result" < "status".
  std::string out = "{\"all\":[";
  for (std::size_t k = 0; k < raw.items.size(); ++k) {
    const RawBatchItem& it = raw.items[k];
    if (k) out.push_back(',');
    out.push_back('{');
    if (it.error) {
      out += "\"error\":";
      out += dumpJson(errorToJson(*it.error));
      out.push_back(',');
    }
    out += "\"index\":";
    out += std::to_string(it.index);
    if (it.status == BatchItemStatus::Succeeded) {
      if (!it.payload) return std::nullopt;
      out += ",\"result\":";
      out += *it.payload;
    }
    out += ",\"status\":\"";
    out += toString(it.status);
    out += "\"}";
  }
  out += "],\"completionReason\":\"";
  out += toString(raw.reason);
  out += "\"}";
  return out;
}

}  // namespace internal

Payload DurableContext::batchCore(std::optional<std::string> name, OperationSubType sub, OperationSubType itemSub,
                                  std::size_t n, const std::function<Payload(DurableContext&, std::size_t)>& runItem,
                                  const std::function<std::optional<std::string>(std::size_t)>& itemName,
                                  const internal::BatchOptions& options,
                                  const std::function<Payload(const internal::RawBatch&)>& serializeBatch) {
  std::string label = name ? fmt::format("'{}'", *name) : std::string("(unnamed)");
  if (options.maxConcurrency && *options.maxConcurrency < 1)
    throw ValidationError("rewind.batch.max_concurrency",
                          fmt::format("{} {}: maxConcurrency must be unset or at least 1, got {}", toString(sub), label,
                                      *options.maxConcurrency));
  if (options.toleratedFailurePercentage &&
      (*options.toleratedFailurePercentage < 0 || *options.toleratedFailurePercentage > 100))
    throw ValidationError("rewind.batch.tolerated_percentage",
                          fmt::format("{} {}: toleratedFailurePercentage must be within 0..100", toString(sub), label));
  if (options.minSuccessful && *options.minSuccessful > n)
    throw ValidationError("rewind.batch.min_successful",
                          fmt::format("{} {}: minSuccessful {} exceeds the {} items", toString(sub), label,
                                      *options.minSuccessful, n));

  internal::ContextState& st = *state_;
  Invocation& inv = *st.inv;
  internal::OpRef op = internal::beginOp(st, OperationType::Context, sub, name);
  const std::string& stepId = op.stepId;
  const std::string& id = op.id;
  const Operation* rec = op.rec;
  bool wasSucceeded = rec && rec->status == OperationStatus::Succeeded;
  if (wasSucceeded && !rec->contextDetails->replayChildren) return rec->contextDetails->result;

  auto makeUpd = [&](const std::string& uid, const std::string& usid, std::optional<std::string> parent,
                     OperationSubType s, std::optional<std::string> nm, OperationAction a) {
    OperationUpdate u;
    u.id = uid;
    u.stepId = usid;
    u.parentId = std::move(parent);
    u.name = std::move(nm);
    u.type = OperationType::Context;
    u.subType = s;
    u.action = a;
    return u;
  };
  if (!rec) inv.checkpoint(makeUpd(id, stepId, st.parentId, sub, name, OperationAction::Start));
  inv.markEntered(rec);

  std::vector<ItemState> states(n, ItemState::NotStarted);
  std::vector<Payload> payloads(n);
  std::vector<std::optional<ErrorObject>> errors(n);
  std::vector<std::string> itemStepIds(n), itemIds(n);
  for (std::size_t i = 0; i < n; ++i) {
    itemStepIds[i] = fmt::format("{}-{}", stepId, i + 1);
    itemIds[i] = operationIdFor(itemStepIds[i]);
  }
  const bool flat = options.nesting == Nesting::Flat;
  // Items the scheduler may run now: started items that can progress, then admitted ones.
  std::vector<std::size_t> runnable;
  std::size_t active = 0;
  // The items started in earlier invocations. A scheduler may start any admitted item
  // first, so they are not a prefix by index: every item is looked up.
  if (rec && !flat) {
    for (std::size_t i = 0; i < n; ++i) {
      const Operation* irec = inv.state().find(itemIds[i]);
      if (!irec) continue;
      inv.markVisited(irec->id);
      inv.onReplayedOperation(*irec);
      if (irec->status == OperationStatus::Succeeded && !irec->contextDetails->replayChildren) {
        states[i] = ItemState::Succeeded;
        payloads[i] = irec->contextDetails->result;
      } else if (irec->status == OperationStatus::Failed) {
        states[i] = ItemState::Failed;
        errors[i] = irec->contextDetails->error;
      } else {
        states[i] = ItemState::Active;
        ++active;
        runnable.push_back(i);
      }
    }
  } else if (rec && flat) {
    // FLAT items have no records: an item started when its first operation exists, and
    // what it reached is found by running it from the log only (a probe). An item that
    // ends without new work and without an operation completed since it last ran ended
    // in an earlier invocation (NESTED: a terminal item record); one that needs work is
    // runnable (NESTED: an open item record); one that only suspends is blocked.
    // Known limit: an item that never calls a durable operation leaves no trace, so it
    // counts as not started until it runs again.
    for (std::size_t i = 0; i < n; ++i) {
      if (!inv.state().find(operationIdFor(itemStepIds[i] + "-1"))) continue;
      std::unique_ptr<DurableContext> ictx = inv.makeContext(itemStepIds[i], id);
      internal::BranchFrame frame;
      ItemState outcome = ItemState::Active;
      bool unwound = false;  // ended by the suspension itself (not swallowed by user code)
      inv.beginProbe();
      try {
        payloads[i] = inv.runBranch(frame, [&] { return runItem(*ictx, i); });
        if (!frame.suspended) outcome = ItemState::Succeeded;
      } catch (const internal::Suspension&) {
        unwound = true;
      } catch (const internal::CrashSignal&) {
        inv.endProbe(false);
        inv.markCrashed();
        throw;
      } catch (...) {
        if (!frame.suspended) {
          outcome = ItemState::Failed;
          errors[i] = currentErrorInfo().toObject();
        }
      }
      bool needed = inv.endProbe(outcome != ItemState::Active);
      inv.guard();  // a fatal error found while probing (non-determinism) is fatal
      if (needed) outcome = ItemState::Active;
      if (outcome == ItemState::Active) {
        payloads[i].reset();
        errors[i].reset();
        ++active;
        // A blocked item keeps its slot with nothing to run; one whose code swallowed the
        // suspension runs again so that the real run reports it.
        if (needed || !unwound) runnable.push_back(i);
      }
      states[i] = outcome;
    }
  }

  auto runOne = [&](std::size_t i) {
    const std::string& iid = itemIds[i];
    const Operation* irec = flat ? nullptr : inv.state().find(iid);
    std::optional<std::string> iname = itemName(i);
    if (flat) {
      std::unique_ptr<DurableContext> ictx = inv.makeContext(itemStepIds[i], id);
      internal::BranchFrame frame;
      try {
        payloads[i] = inv.runBranch(frame, [&] { return runItem(*ictx, i); });
        states[i] = ItemState::Succeeded;
      } catch (const internal::Suspension&) {
        if (!frame.suspended) throw;
        return;
      } catch (const internal::CrashSignal&) {
        inv.markCrashed();
        throw;
      } catch (...) {
        inv.guard();
        if (frame.suspended) throw;
        states[i] = ItemState::Failed;
        errors[i] = currentErrorInfo().toObject();
        return;
      }
      inv.guard();
      if (frame.suspended)
        inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
            "rewind.suspension.swallowed",
            fmt::format("batch item {} suspended at {} but user code caught the suspension and returned normally",
                        itemStepIds[i], frame.suspendedAt))));
      return;
    }
    if (irec && (irec->subType != itemSub || irec->name != iname))
      inv.fail(std::make_exception_ptr(NonDeterministicExecutionError(
          "rewind.replay.mismatch", fmt::format("batch item {} changed: the log recorded {} {}, the code now runs {} {}",
                                                itemStepIds[i], toString(irec->subType), irec->name.value_or("(unnamed)"),
                                                toString(itemSub), iname.value_or("(unnamed)")))));
    bool replayingChildren = irec && irec->status == OperationStatus::Succeeded;
    if (!irec) inv.checkpoint(makeUpd(iid, itemStepIds[i], id, itemSub, iname, OperationAction::Start));
    inv.markEntered(irec);
    std::unique_ptr<DurableContext> ictx = inv.makeContext(itemStepIds[i], iid);
    internal::BranchFrame frame;
    Payload value;
    try {
      value = inv.runBranch(frame, [&] {
        if (!inv.hasPlugins()) return runItem(*ictx, i);
        UserFunctionInfo info = inv.userFunctionInfo(iid, itemStepIds[i], iname, itemSub, id, irec != nullptr);
        info.replayingChildren = irec != nullptr;
        // End carries the item's error when it throws (a destructor could not see it).
        return inv.runUserFunction(info, [&] { return runItem(*ictx, i); });
      });
    } catch (const internal::Suspension&) {
      if (frame.suspended) return;  // blocked: keeps its slot
      throw;
    } catch (const internal::CrashSignal&) {
      inv.markCrashed();
      throw;
    } catch (...) {
      inv.guard();
      if (frame.suspended) inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
          "rewind.suspension.swallowed",
          fmt::format("batch item {} suspended at {} but user code caught the suspension and threw something else; "
                      "do not catch (...) without rethrowing",
                      itemStepIds[i], frame.suspendedAt))));
      ErrorInfo e = currentErrorInfo();
      OperationUpdate u = makeUpd(iid, itemStepIds[i], id, itemSub, iname, OperationAction::Fail);
      u.error = e.toObject();
      inv.checkpoint(std::move(u));
      states[i] = ItemState::Failed;
      errors[i] = e.toObject();
      return;
    }
    inv.guard();
    if (frame.suspended)
      inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
          "rewind.suspension.swallowed",
          fmt::format("batch item {} suspended at {} but user code caught the suspension and returned normally; "
                      "do not catch (...) without rethrowing",
                      itemStepIds[i], frame.suspendedAt))));
    if (!replayingChildren) {
      OperationUpdate u = makeUpd(iid, itemStepIds[i], id, itemSub, iname, OperationAction::Succeed);
      if (value && value->size() > kLargeResultBytes)
        u.replayChildren = true;
      else
        u.payload = value;
      inv.checkpoint(std::move(u));
    }
    states[i] = ItemState::Succeeded;
    payloads[i] = std::move(value);
  };

  // Runnable items (started or admitted, not yet run in this invocation), ascending.
  // The default order takes them from the front; a custom scheduler sees them all.
  std::size_t head = 0, succ = 0, fail = 0, nextNew = 0;
  for (std::size_t i = 0; i < n; ++i) {
    succ += states[i] == ItemState::Succeeded;
    fail += states[i] == ItemState::Failed;
  }
  std::optional<CompletionReason> reason;
  while (true) {
    reason = completionReason(succ, fail, n, options);
    if (reason) break;
    // Items are admitted in index order, skipping those started earlier.
    while (!options.maxConcurrency || active < static_cast<std::size_t>(*options.maxConcurrency)) {
      while (nextNew < n && states[nextNew] != ItemState::NotStarted) ++nextNew;
      if (nextNew == n) break;
      states[nextNew] = ItemState::Admitted;
      ++active;
      runnable.push_back(nextNew++);
    }
    if (head == runnable.size()) break;
    std::size_t pick;
    if (!inv.hasCustomScheduler()) {
      pick = runnable[head++];
    } else {
      runnable.erase(runnable.begin(), runnable.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
      pick = inv.scheduler().pick(runnable);
      auto it = std::find(runnable.begin(), runnable.end(), pick);
      if (it == runnable.end())
        throw std::logic_error(
            fmt::format("[rewind.batch.scheduler] the scheduler picked item {}, which is not runnable", pick));
      runnable.erase(it);
    }
    if (states[pick] == ItemState::Admitted) states[pick] = ItemState::Active;  // it starts now
    runOne(pick);
    if (states[pick] != ItemState::Active) {
      --active;
      succ += states[pick] == ItemState::Succeeded;
      fail += states[pick] == ItemState::Failed;
    }
  }
  if (!reason) inv.suspend(fmt::format("{} {} (every started item is blocked)", toString(sub), label));

  internal::RawBatch raw;
  raw.reason = *reason;
  for (std::size_t i = 0; i < n; ++i) {
    if (states[i] == ItemState::NotStarted || states[i] == ItemState::Admitted)
      continue;  // never started: counts nowhere
    internal::RawBatchItem item;
    item.index = i;
    item.status = states[i] == ItemState::Succeeded ? BatchItemStatus::Succeeded
                  : states[i] == ItemState::Failed  ? BatchItemStatus::Failed
                                                    : BatchItemStatus::Started;
    item.payload = std::move(payloads[i]);
    item.error = std::move(errors[i]);
    raw.items.push_back(std::move(item));
  }
  Payload payload = serializeBatch(raw);
  if (!wasSucceeded) {
    OperationUpdate u = makeUpd(id, stepId, st.parentId, sub, name, OperationAction::Succeed);
    if (payload && payload->size() > kLargeResultBytes)
      u.replayChildren = true;
    else
      u.payload = payload;
    inv.checkpoint(std::move(u));
  }
  return payload;
}

}  // namespace rwd
