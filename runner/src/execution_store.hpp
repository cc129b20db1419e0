// The service side of an execution: operation records, checkpoint validation, history
// events and timers on the virtual clock. Completions (timers, callback answers, invoke
// results) are applied here between invocations.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "operation_index.hpp"
#include "rewind/execution_state_view.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"
#include "rewind/service_limits.hpp"
#include "rewind/time.hpp"

namespace rwd::internal {

// Validates one checkpoint call against the current records (DESIGN.md section 1,
// "Checkpoint validation"). Throws InvalidCheckpointError naming the operation.
class ExecutionStore;
void validateCheckpoint(std::span<const OperationUpdate> updates, const ExecutionStore& store);

struct Timer {
  enum class Kind { Wait, Retry, CallbackTimeout, CallbackHeartbeat, CallbackAction, Invoke, ExecutionTimeout };
  TimePoint at{};
  std::uint64_t seq = 0;
  Kind kind = Kind::Wait;
  std::string opId;
  std::size_t action = 0;  // CallbackAction: index in the runner's action list
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The records are also the SDK's view of the execution when the local runner lends them
// (local_service.hpp): nothing is copied across the in-process boundary.
class ExecutionStore final : public ExecutionStateView {
 public:
  ExecutionStore(TimePoint epoch, std::uint64_t seed, std::string arn);

  // ---- records ----
  const Operation* find(std::string_view id) const override;
  std::optional<std::size_t> indexOf(std::string_view id) const override;
  const std::deque<Operation>& operations() const noexcept override { return ops_; }
  std::size_t size() const noexcept { return ops_.size(); }

  // Adds a record as it was recorded elsewhere (history replay); no event, no timer.
  void seed(const Operation& op);

  // ---- checkpoint API (validated) ----
  void apply(const OperationUpdate& update);

  // Moves the records and the history out (the execution has ended; the store keeps
  // only its clock and timers afterwards).
  std::deque<Operation> drainOperations() {
    index_.clear();
    parentHint_ = 0;
    return std::exchange(ops_, {});
  }
  // EventIds continue across a drain: the next event after draining N events is N+1.
  std::vector<HistoryEvent> drainHistory() {
    eventIdBase_ += static_cast<std::int64_t>(history_.size());
    return std::exchange(history_, {});
  }
  // A store rebuilt from a database whose history holds `count` events already.
  void setEventCount(std::int64_t count) { eventIdBase_ = count - static_cast<std::int64_t>(history_.size()); }

  // ---- history ----
  HistoryEvent& addEvent(HistoryEventType type, const Operation* op = nullptr);
  const std::vector<HistoryEvent>& history() const noexcept { return history_; }
  // false: addEvent() fills a scratch event and keeps nothing (nobody reads the history).
  void setRecordHistory(bool on) noexcept { recordHistory_ = on; }

  // ---- clock and timers ----
  TimePoint now() const noexcept { return now_; }
  void setNow(TimePoint t) { now_ = t; }
  void schedule(Timer::Kind kind, TimePoint at, std::string opId, std::size_t action = 0);
  // Whether a live timer is pending (dead ones, whose operation ended, do not count).
  bool hasTimers() const { return nextTimerAt().has_value(); }
  // When the earliest live timer fires.
  std::optional<TimePoint> nextTimerAt() const;
  // Whether firing `t` would still do something.
  bool timerLive(const Timer& t) const;
  // Removes and returns the earliest timer (ties: creation order) and moves the clock to it.
  std::optional<Timer> popNextTimer();
  std::vector<Timer> timers() const;

  // ---- completions; each returns true when it starts a new invocation ----
  bool fire(const Timer& timer);
  bool callbackSuccess(const std::string& opId, const Payload& payload);
  bool callbackFailure(const std::string& opId, const ErrorObject& error);
  bool callbackHeartbeat(const std::string& opId);
  bool invokeSucceeded(const std::string& opId, const Payload& payload);
  bool invokeFailed(const std::string& opId, const ErrorObject& error);
  // The invoked execution ended otherwise: `status` Failed, TimedOut or Stopped
  // (ChainedInvokeFailed / TimedOut / Stopped).
  bool invokeEnded(const std::string& opId, OperationStatus status, const ErrorObject& error);
  // Operations made terminal from outside (timers, callbacks, invokes) since the last call.
  std::vector<std::string> takeCompletions() { return std::exchange(completions_, {}); }
  // Chained invokes started since the last call (to be run by the runner).
  std::vector<std::string> takeStartedInvokes();

  const std::string& arn() const noexcept { return arn_; }
  std::uint64_t seed() const noexcept { return seed_; }

  // Where callback ids come from. Unset: derived from the seed, so that local runs are
  // reproducible; a real service sets an unguessable source (rewind-server).
  void setCallbackIdSource(std::function<std::string()> source) { callbackIdSource_ = std::move(source); }

 private:
  Operation& newRecord(const OperationUpdate& u);
  Operation* mutableFind(std::string_view id);
  // Where the record of `id` is: the last two records and the parent of the last update
  // are compared first (a checkpoint mostly names an operation just started, or its
  // parent), then the index.
  std::optional<std::size_t> positionOf(std::string_view id) const;
  void applyStep(const OperationUpdate& u, Operation* rec);
  void applyWait(const OperationUpdate& u);
  void applyCallback(const OperationUpdate& u);
  void applyContext(const OperationUpdate& u, Operation* rec);
  void applyInvoke(const OperationUpdate& u);

  TimePoint now_;
  std::uint64_t seed_;
  std::string arn_;
  std::deque<Operation> ops_;
  OperationIndex index_;  // positions in ops_ by id
  std::size_t parentHint_ = 0;  // the position of the last update's parent found beyond the last two records
  // A vector, so that the finished execution hands it to its result without a copy;
  // addEvent's reference is valid until the next event.
  std::vector<HistoryEvent> history_;
  std::vector<Timer> timers_;  // a binary heap ordered by (at, seq)
  std::uint64_t timerSeq_ = 0;
  std::uint64_t callbackCounter_ = 0;
  std::int64_t eventIdBase_ = 0;
  std::function<std::string()> callbackIdSource_;
  std::vector<std::string> startedInvokes_;
  std::vector<std::string> completions_;
  bool recordHistory_ = true;
  HistoryEvent scratch_;  // what addEvent() returns when the history is not kept
};

}  // namespace rwd::internal
