// parallel() and map(): a CONTEXT whose items are child contexts, run cooperatively on
// the handler's thread in an order chosen by the scheduler. A suspended item keeps its
// maxConcurrency slot; the batch suspends when every started item is blocked.
#include <algorithm>

#include <fmt/format.h>

#include "invocation.hpp"
#include "rewind/durable_context.hpp"

namespace rwd {

using internal::Invocation;
using internal::kLargeResultBytes;

namespace {

enum class ItemState { NotStarted, Active, Succeeded, Failed };

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
      out += errorToJson(*it.error).dump();
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
  inv.markEntered(id);

  std::vector<ItemState> states(n, ItemState::NotStarted);
  std::vector<Payload> payloads(n);
  std::vector<std::optional<ErrorObject>> errors(n);
  std::vector<std::string> itemStepIds(n), itemIds(n);
  for (std::size_t i = 0; i < n; ++i) {
    itemStepIds[i] = fmt::format("{}-{}", stepId, i + 1);
    itemIds[i] = operationIdFor(itemStepIds[i]);
  }
  // Items start in index order, so the started ones are a prefix. FLAT items have no
  // records of their own: every invocation re-runs them from their top, their
  // operations returning from the log.
  const bool flat = options.nesting == Nesting::Flat;
  std::size_t nextNew = 0;
  for (; !flat && nextNew < n; ++nextNew) {
    const Operation* irec = inv.store().find(itemIds[nextNew]);
    if (!irec) break;
    inv.markVisited(irec->id);
    inv.onReplayedOperation(*irec);
    if (irec->status == OperationStatus::Succeeded && !irec->contextDetails->replayChildren) {
      states[nextNew] = ItemState::Succeeded;
      payloads[nextNew] = irec->contextDetails->result;
    } else if (irec->status == OperationStatus::Failed) {
      states[nextNew] = ItemState::Failed;
      errors[nextNew] = irec->contextDetails->error;
    } else {
      states[nextNew] = ItemState::Active;
    }
  }

  auto runOne = [&](std::size_t i) {
    const std::string& iid = itemIds[i];
    const Operation* irec = flat ? nullptr : inv.store().find(iid);
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
    inv.markEntered(iid);
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
  std::vector<std::size_t> runnable;
  std::size_t head = 0, active = 0, succ = 0, fail = 0;
  for (std::size_t i = 0; i < nextNew; ++i) {
    succ += states[i] == ItemState::Succeeded;
    fail += states[i] == ItemState::Failed;
    if (states[i] == ItemState::Active) {
      ++active;
      runnable.push_back(i);
    }
  }
  std::optional<CompletionReason> reason;
  while (true) {
    reason = completionReason(succ, fail, n, options);
    if (reason) break;
    while (nextNew < n && (!options.maxConcurrency || active < static_cast<std::size_t>(*options.maxConcurrency))) {
      states[nextNew] = ItemState::Active;
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
    if (states[i] == ItemState::NotStarted || (!flat && !inv.store().find(itemIds[i])))
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
