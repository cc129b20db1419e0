// parallel() and map(): a CONTEXT whose items are child contexts (NESTED) or share its
// id space's parent (FLAT), run cooperatively on the handler's thread in an order chosen
// by the scheduler. A suspended item keeps its maxConcurrency slot; the batch suspends
// when every started item is blocked.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "invocation.hpp"
#include "md5.hpp"
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

// A FLAT batch whose result is over the checkpoint limit is checkpointed with
// ReplayChildren and rebuilt by re-running its items. With no item records, an item that
// was still running when the batch completed but has reached its end since (its wait
// fired, its callback was answered) would then count as ended. So such a batch's
// SUCCEED carries, instead of the result, the items still running then:
// {"startedItems":"3-5,9"} (index ranges), and its replay keeps them STARTED. Nothing
// when no item was running (or, past any realistic batch, when the ranges themselves
// exceed the limit: then the replay probes every item, as before).
std::optional<std::string> startedItemsSummary(const std::vector<ItemState>& states) {
  std::string ranges;
  for (std::size_t i = 0; i < states.size();) {
    if (states[i] != ItemState::Active) {
      ++i;
      continue;
    }
    std::size_t last = i;
    while (last + 1 < states.size() && states[last + 1] == ItemState::Active) ++last;
    if (!ranges.empty()) ranges += ',';
    ranges += last == i ? fmt::format("{}", i) : fmt::format("{}-{}", i, last);
    i = last + 1;
  }
  if (ranges.empty() || ranges.size() > kLargeResultBytes - 32) return std::nullopt;
  return fmt::format("{{\"startedItems\":\"{}\"}}", ranges);
}

// The items a FLAT batch's summary names (empty: none, or no summary).
std::vector<bool> startedItemsOf(const Payload& summary, std::size_t n) {
  std::vector<bool> started;
  if (!summary) return started;
  Json j = Json::parse(*summary, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("startedItems") || !j["startedItems"].is_string())
    throw NonDeterministicExecutionError(
        "rewind.replay.bad_batch_summary",
        fmt::format("a FLAT batch recorded without its result carries '{}', not the items still running when it "
                    "completed ({{\"startedItems\":\"0-2,5\"}})",
                    summary->substr(0, 200)));
  started.assign(n, false);
  const std::string text = j["startedItems"].get<std::string>();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string_view range(text.data() + pos, (comma == std::string::npos ? text.size() : comma) - pos);
    std::size_t dash = range.find('-');
    std::size_t first = 0, last = 0;
    auto number = [](std::string_view digits, std::size_t& out) {
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
      return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
    };
    bool ok = dash == std::string_view::npos
                  ? number(range, first) && (last = first, true)
                  : number(range.substr(0, dash), first) && number(range.substr(dash + 1), last);
    if (!ok || first > last || last >= n)
      throw NonDeterministicExecutionError(
          "rewind.replay.bad_batch_summary",
          fmt::format("a FLAT batch's startedItems '{}' is not index ranges below its {} items", text.substr(0, 200),
                      n));
    for (std::size_t i = first; i <= last; ++i) started[i] = true;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return started;
}

}  // namespace

namespace internal {

// The pieces of a batch's JSON text. nlohmann objects keep their keys sorted: "all" <
// "completionReason", and per item "error" < "index" < "result" < "status".
constexpr std::string_view kOpen = "{\"all\":[";
constexpr std::string_view kError = "\"error\":";
constexpr std::string_view kIndex = "\"index\":";
constexpr std::string_view kResult = ",\"result\":";
constexpr std::string_view kStatus = ",\"status\":\"";
constexpr std::string_view kItemClose = "\"}";
constexpr std::string_view kReason = "],\"completionReason\":\"";
constexpr std::string_view kClose = "\"}";

std::size_t decimalDigits(std::size_t v) {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

std::optional<std::size_t> batchJsonSize(const RawBatch& raw) {
  std::size_t size = kOpen.size() + kReason.size() + toString(raw.reason).size() + kClose.size();
  for (std::size_t k = 0; k < raw.items.size(); ++k) {
    const RawBatchItem& it = raw.items[k];
    if (it.error) return std::nullopt;
    size += (k ? 1 : 0) + 1 + kIndex.size() + decimalDigits(it.index) + kStatus.size() + toString(it.status).size() +
            kItemClose.size();
    if (it.status == BatchItemStatus::Succeeded) {
      if (!it.payload) return std::nullopt;
      size += kResult.size() + it.payload->size();
    }
  }
  return size;
}

Payload batchJsonText(const RawBatch& raw) {
  // Reserved for what the items without an error take (grown for errors): a large
  // batch's text is built without copying it at each doubling.
  std::size_t estimate = 64;
  for (const RawBatchItem& it : raw.items) estimate += 50 + (it.payload ? it.payload->size() : 0);
  std::string out;
  out.reserve(estimate);
  out += kOpen;
  for (std::size_t k = 0; k < raw.items.size(); ++k) {
    const RawBatchItem& it = raw.items[k];
    if (k) out.push_back(',');
    out.push_back('{');
    if (it.error) {
      out += kError;
      out += dumpJson(errorToJson(*it.error));
      out.push_back(',');
    }
    out += kIndex;
    out += std::to_string(it.index);
    if (it.status == BatchItemStatus::Succeeded) {
      if (!it.payload) return std::nullopt;
      out += kResult;
      out += *it.payload;
    }
    out += kStatus;
    out += toString(it.status);
    out += kItemClose;
  }
  out += kReason;
  out += toString(raw.reason);
  out += kClose;
  return out;
}

}  // namespace internal

Payload DurableContext::batchCore(std::optional<std::string> name, OperationSubType sub, OperationSubType itemSub,
                                  std::size_t n, const std::function<Payload(DurableContext&, std::size_t)>& runItem,
                                  const std::function<std::optional<std::string>(std::size_t)>& itemName,
                                  const internal::BatchOptions& options,
                                  const std::function<internal::BatchText(const internal::RawBatch&)>& serializeBatch) {
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
  const OperationId& id = op.id;
  const Operation* rec = op.rec;
  bool wasSucceeded = rec && rec->status == OperationStatus::Succeeded;
  if (wasSucceeded && !rec->contextDetails->replayChildren) return rec->contextDetails->result;

  if (!rec) {
    inv.prepareUpdate(id, stepId, st.parentId, name, OperationType::Context, sub, OperationAction::Start);
    inv.commitCheckpoint();
  }
  inv.markEntered(rec);

  // Per item, its state; the items that ended, with their payload or error, in the order
  // they ended (by index unless a scheduler or an earlier invocation said otherwise):
  // they become the raw batch as they are, written once. Item ids are made as items
  // run, not kept.
  std::vector<ItemState> states(n, ItemState::NotStarted);
  std::vector<internal::RawBatchItem> ended;
  ended.reserve(n);
  auto itemEnded = [&](std::size_t i, BatchItemStatus status) -> internal::RawBatchItem& {
    internal::RawBatchItem& item = ended.emplace_back();
    item.index = i;
    item.status = status;
    return item;
  };
  const std::optional<std::string> itemParent = id;  // the items' ParentId
  // An item's positional id, built into one buffer reused from item to item.
  std::string istep;
  auto itemStepId = [&](std::size_t i) -> const std::string& {
    internal::assignChildStepId(istep, stepId, static_cast<std::uint32_t>(i + 1));
    return istep;
  };
  OperationId iid;  // the running item's id
  // One context object for every item (they run one at a time), reset before each.
  std::unique_ptr<DurableContext> itemContext;
  auto contextFor = [&](const std::string& prefix, std::string_view parent, bool fresh) -> DurableContext& {
    if (!itemContext)
      itemContext = inv.makeContext(prefix, std::string(parent), fresh);
    else
      itemContext->state_->reset(prefix, parent, fresh);
    return *itemContext;
  };
  const bool flat = options.nesting == Nesting::Flat;
  // Items the scheduler may run now: started items that can progress, then admitted ones.
  std::vector<std::size_t> runnable;
  runnable.reserve(options.maxConcurrency ? std::min<std::size_t>(n, static_cast<std::size_t>(*options.maxConcurrency))
                                          : n);
  std::size_t active = 0;
  // The items started in earlier invocations. A scheduler may start any admitted item
  // first, so they are not a prefix by index: every item is looked up.
  if (rec && !flat) {
    for (std::size_t i = 0; i < n; ++i) {
      internal::assignOperationId(iid, itemStepId(i));
      const Operation* irec = inv.state().find(iid);
      if (!irec) continue;
      inv.markVisited(irec->id);
      inv.onReplayedOperation(*irec);
      if (irec->status == OperationStatus::Succeeded && !irec->contextDetails->replayChildren) {
        states[i] = ItemState::Succeeded;
        itemEnded(i, BatchItemStatus::Succeeded).payload = irec->contextDetails->result;
      } else if (irec->status == OperationStatus::Failed) {
        states[i] = ItemState::Failed;
        itemEnded(i, BatchItemStatus::Failed).error = irec->contextDetails->error;
      } else {
        states[i] = ItemState::Active;
        ++active;
        runnable.push_back(i);
      }
    }
  } else if (rec && flat) {
    // A completed batch replayed to rebuild its result: the items still running when it
    // completed stay so (see startedItemsSummary).
    std::vector<bool> runningAtEnd;
    if (wasSucceeded) {
      try {
        runningAtEnd = startedItemsOf(rec->contextDetails->result, n);
      } catch (...) {
        inv.fail(std::current_exception());
      }
    }
    // FLAT items have no records: an item started when its first operation exists, and
    // what it reached is found by running it from the log only (a probe). An item that
    // ends without new work and without an operation completed since it last ran ended
    // in an earlier invocation (NESTED: a terminal item record); one that needs work is
    // runnable (NESTED: an open item record); one that only suspends is blocked.
    // An item that never reached a durable operation left no trace. Items are admitted in
    // index order and the default order runs every admitted item in the invocation that
    // admits it, so one below the highest traced item did run: it is probed too, and
    // counts as not started only when it needs work (a custom order had not run it).
    // Known limit: an untraced item above the highest traced one counts as not started
    // until it runs again.
    auto traced = [&](std::size_t i) { return inv.state().find(operationIdFor(itemStepId(i) + "-1")) != nullptr; };
    std::size_t traceEnd = n;  // one past the highest traced item
    while (traceEnd > 0 && !traced(traceEnd - 1)) --traceEnd;
    for (std::size_t i = 0; i < traceEnd; ++i) {
      if (!runningAtEnd.empty() && runningAtEnd[i]) {
        states[i] = ItemState::Active;
        ++active;
        continue;
      }
      const bool wasTraced = traced(i);  // leaves istep as item i's positional id
      DurableContext& ictx = contextFor(istep, id, false);
      internal::BranchFrame frame;
      ItemState outcome = ItemState::Active;
      Payload payload;
      std::optional<ErrorObject> error;
      bool unwound = false;  // ended by the suspension itself (not swallowed by user code)
      inv.beginProbe();
      try {
        payload = inv.runBranch(frame, [&] { return runItem(ictx, i); });
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
          error = currentErrorInfo().toObject();
        }
      }
      bool needed = inv.endProbe(outcome != ItemState::Active);
      inv.guard();  // a fatal error found while probing (non-determinism) is fatal
      if (needed) outcome = ItemState::Active;
      // As NESTED: an item whose result is over the checkpoint limit was recorded with
      // ReplayChildren and counts as running until the batch re-runs it to rebuild its
      // result (if the batch completes first, it is reported STARTED).
      if (wasTraced && outcome == ItemState::Succeeded && payload && payload->size() > kLargeResultBytes)
        outcome = ItemState::Active;
      if (!wasTraced && outcome == ItemState::Active) continue;  // it never ran: not started
      if (outcome == ItemState::Succeeded) itemEnded(i, BatchItemStatus::Succeeded).payload = std::move(payload);
      if (outcome == ItemState::Failed) itemEnded(i, BatchItemStatus::Failed).error = std::move(error);
      if (outcome == ItemState::Active) {
        ++active;
        // A blocked item keeps its slot with nothing to run; one whose code swallowed the
        // suspension runs again so that the real run reports it.
        if (needed || !unwound) runnable.push_back(i);
      }
      states[i] = outcome;
    }
  }

  // The running item's name, in a buffer reused from item to item.
  std::optional<std::string> iname;
  const std::string_view defaultName = sub == OperationSubType::Map ? "map-item-" : "parallel-branch-";
  auto nameItem = [&](std::size_t i) {
    if (itemName) {
      if (std::optional<std::string> own = itemName(i)) {
        iname = std::move(own);
        return;
      }
    }
    // The AWS JS SDK 2.4's default name.
    char digits[20];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, i);
    if (!iname) iname.emplace();
    iname->assign(defaultName).append(digits, end);
  };
  auto runOne = [&](std::size_t i) {
    itemStepId(i);
    if (flat) {
      // A batch started by this invocation has no item operations in the log.
      DurableContext& ictx = contextFor(istep, id, !rec);
      internal::BranchFrame frame;
      try {
        Payload payload = inv.runBranch(frame, [&] { return runItem(ictx, i); });
        itemEnded(i, BatchItemStatus::Succeeded).payload = std::move(payload);
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
        itemEnded(i, BatchItemStatus::Failed).error = currentErrorInfo().toObject();
        return;
      }
      inv.guard();
      if (frame.suspended)
        inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
            "rewind.suspension.swallowed",
            fmt::format("batch item {} suspended at {} but user code caught the suspension and returned normally",
                        istep, frame.suspendedAt))));
      return;
    }
    nameItem(i);
    internal::assignOperationId(iid, istep);
    const Operation* irec = rec ? inv.state().find(iid) : nullptr;  // a new batch has no item records
    if (irec && (irec->subType != itemSub || irec->name != iname))
      inv.fail(std::make_exception_ptr(NonDeterministicExecutionError(
          "rewind.replay.mismatch",
          fmt::format("batch item {} changed: the log recorded {} {}, the code now runs {} {}", istep,
                      toString(irec->subType), irec->name.value_or("(unnamed)"), toString(itemSub),
                      iname.value_or("(unnamed)")))));
    bool replayingChildren = irec && irec->status == OperationStatus::Succeeded;
    auto update = [&](OperationAction a) -> OperationUpdate& {
      return inv.prepareUpdate(iid, istep, itemParent, iname, OperationType::Context, itemSub, a);
    };
    if (!irec) {
      update(OperationAction::Start);
      inv.commitCheckpoint();
    }
    inv.markEntered(irec);
    DurableContext& ictx = contextFor(istep, iid, !irec);
    internal::BranchFrame frame;
    // The item's code caught its own suspension and then `how`: fatal.
    auto failSwallowed = [&](std::string_view how) {
      inv.fail(std::make_exception_ptr(UnrecoverableExecutionError(
          "rewind.suspension.swallowed",
          fmt::format("batch item {} suspended at {} but user code caught the suspension and {}; "
                      "do not catch (...) without rethrowing",
                      istep, frame.suspendedAt, how))));
    };
    Payload value;
    try {
      value = inv.runBranch(frame, [&] {
        if (!inv.hasPlugins()) return runItem(ictx, i);
        UserFunctionInfo info = inv.userFunctionInfo(iid, istep, iname, itemSub, itemParent, irec != nullptr);
        info.replayingChildren = irec != nullptr;
        // End carries the item's error when it throws (a destructor could not see it).
        return inv.runUserFunction(info, [&] { return runItem(ictx, i); });
      });
    } catch (const internal::Suspension&) {
      if (frame.suspended) return;  // blocked: keeps its slot
      throw;
    } catch (const internal::CrashSignal&) {
      inv.markCrashed();
      throw;
    } catch (...) {
      inv.guard();
      if (frame.suspended) failSwallowed("threw something else");
      ErrorInfo e = currentErrorInfo();
      update(OperationAction::Fail).error = e.toObject();
      inv.commitCheckpoint();
      states[i] = ItemState::Failed;
      itemEnded(i, BatchItemStatus::Failed).error = e.toObject();
      return;
    }
    inv.guard();
    if (frame.suspended) failSwallowed("returned normally");
    if (!replayingChildren) {
      OperationUpdate& u = update(OperationAction::Succeed);
      if (value && value->size() > kLargeResultBytes)
        u.replayChildren = true;
      else
        u.payload = value;
      inv.commitCheckpoint();
    }
    states[i] = ItemState::Succeeded;
    itemEnded(i, BatchItemStatus::Succeeded).payload = std::move(value);
  };

  // Runnable items (started or admitted, not yet run in this invocation), ascending.
  // The default order takes them from the front; a custom scheduler sees them all.
  std::size_t head = 0, succ = 0, fail = 0, nextNew = 0;
  std::size_t resumed = runnable.size();  // the first ones: items an earlier invocation started
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
      pick = inv.scheduler().choose({stepId, runnable, resumed});
      auto it = std::find(runnable.begin(), runnable.end(), pick);
      if (it == runnable.end())
        throw std::logic_error(
            fmt::format("[rewind.batch.scheduler] the scheduler picked item {}, which is not runnable", pick));
      if (static_cast<std::size_t>(it - runnable.begin()) < resumed) --resumed;
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

  // The started items in index order: those that ended, then those still running (a
  // never-started item counts nowhere).
  for (std::size_t i = 0; i < n; ++i)
    if (states[i] == ItemState::Active) itemEnded(i, BatchItemStatus::Started);
  auto byIndex = [](const internal::RawBatchItem& a, const internal::RawBatchItem& b) { return a.index < b.index; };
  if (!std::is_sorted(ended.begin(), ended.end(), byIndex)) std::sort(ended.begin(), ended.end(), byIndex);
  internal::RawBatch raw;
  raw.reason = *reason;
  raw.items = std::move(ended);
  internal::BatchText text = serializeBatch(raw);
  if (!wasSucceeded) {
    OperationUpdate& u =
        inv.prepareUpdate(id, stepId, st.parentId, name, OperationType::Context, sub, OperationAction::Succeed);
    if (text.oversized || (text.text && text.text->size() > kLargeResultBytes)) {
      u.replayChildren = true;
      if (flat) u.payload = startedItemsSummary(states);
    } else {
      u.payload = text.text;
    }
    inv.commitCheckpoint();
  }
  return std::move(text.text);
}

}  // namespace rwd
