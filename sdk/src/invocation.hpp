// The SDK side of one invocation: replay state, the branch stack used for suspension,
// the checkpoint seam, and logging. One Invocation lives for exactly one run of the
// handler from its top; a DurableContext points at it. It reaches the service only
// through a DurableService (durable_service.hpp).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "operation_table.hpp"
#include "rewind/durable_context.hpp"
#include "rewind/durable_invocation.hpp"
#include "rewind/durable_service.hpp"
#include "rewind/handler.hpp"
#include "rewind/invocation_hooks.hpp"
#include "rewind/plugin.hpp"
#include "rewind/service_limits.hpp"

namespace rwd::internal {

// Internal suspension signal; deliberately not a std::exception.
struct Suspension {};
// A simulated process death (from the crash seam or testing::simulateProcessCrash()).
struct CrashSignal {};

// One unit that suspends independently: the invocation's root, a parallel branch or a
// map item.
struct BranchFrame {
  bool suspended = false;
  std::string suspendedAt;  // describes the operation that suspended
};

// Assigns into a buffer that keeps its capacity. Most such assignments are of the length
// the buffer already holds (16-character ids, a context's parent, a loop's step name):
// those overwrite its characters without std::string's general path.
inline void assignChars(std::string& to, std::string_view from) {
  if (to.size() == from.size()) {
    std::char_traits<char>::move(to.data(), from.data(), from.size());  // `from` may be `to` itself
  } else {
    to.assign(from);
  }
}

struct ContextState {
  Invocation* inv = nullptr;
  std::string prefix;                 // positional id prefix ("" at the root)
  std::optional<std::string> parentId;  // wire ParentId of this context's operations
  std::uint32_t counter = 0;
  std::vector<Compensation> compensations;
  // This context's operation was started by this invocation (it had no record in the log
  // this invocation replays): none of its children can be in the log, so looking them up
  // is skipped.
  bool fresh = false;

  // Becomes the state Invocation::makeContext(prefix, parentId, fresh) builds, keeping the
  // strings' buffers: a batch reuses one context for its items, which run one at a time.
  void reset(std::string_view newPrefix, std::string_view newParentId, bool isFresh) {
    assignChars(prefix, newPrefix);
    if (parentId)
      assignChars(*parentId, newParentId);
    else
      parentId.emplace(newParentId);
    counter = 0;
    compensations.clear();
    fresh = isFresh;
  }
};

// One invocation's settings (the public InvocationOptions) plus the plugins it runs with.
struct InvocationSettings : InvocationOptions {
  std::vector<Plugin*> plugins;  // this invocation's plugins, in order
};

enum class InvocationEnd { Succeeded, Failed, Pending, Crashed, InvocationFailed };

struct InvocationOutcomeData {
  InvocationEnd end = InvocationEnd::Pending;
  Payload result;
  std::optional<ErrorObject> error;
};

// The next operation of a context: its positional id, wire id and the log's record.
struct OpRef {
  std::string stepId;
  OperationId id;
  const Operation* rec = nullptr;
};

// "<prefix>-<n>", or "<n>" at the root.
std::string childStepId(const std::string& prefix, std::uint32_t n);
// The same, into `out` (keeping its buffer).
void assignChildStepId(std::string& out, std::string_view prefix, std::uint32_t n);
// Takes the context's next id and compares what the code does now with the log at that
// position (durable_context.cpp): every durable operation starts here.
OpRef beginOp(ContextState& st, OperationType type, OperationSubType sub, const std::optional<std::string>& name);
// The seeded 64-bit mixer behind jitter and the runner's derived ids.
std::uint64_t splitmix64(std::uint64_t x);

class Invocation {
 public:
  // `input`'s state is the log this invocation replays; a NextMarker is followed with
  // GetDurableExecutionState here (throws what the service throws).
  Invocation(DurableService& service, DurableExecutionInvocationInput& input, const InvocationSettings& settings);

  // Runs the handler once from its top.
  InvocationOutcomeData run(const RawHandler& handler, const Payload& input);

  // The execution's records as this invocation knows them (kept current by checkpoints).
  const ExecutionStateView& state() const noexcept { return *view_; }
  TimePoint now() const { return settings_.clock(); }
  const std::string& arn() const noexcept { return arn_; }
  const InvocationSettings& settings() const noexcept { return settings_; }

  // Raises the pending fatal condition (crash, unrecoverable error) or the branch's
  // suspension: every durable call of a dead invocation or a suspended branch rethrows.
  void guard();
  [[noreturn]] void suspend(std::string what);
  // A checkpoint of one update, in two calls: prepareUpdate() builds the update in place
  // in the reused request (every field reset, the identity assigned into strings that
  // keep their capacity, so that an update's 16-character ids, one past the short-string
  // buffer, allocate nothing); the caller fills in the rest; commitCheckpoint() sends it.
  // Nothing may prepare another update in between.
  OperationUpdate& prepareUpdate(std::string_view id, std::string_view stepId,
                                 const std::optional<std::string>& parentId, const std::optional<std::string>& name,
                                 OperationType type, OperationSubType sub, OperationAction action);
  void commitCheckpoint();
  [[noreturn]] void fail(std::exception_ptr error);  // records a fatal error, throws it
  [[noreturn]] void timedOut();                      // the wall-clock limit passed

  // Replay bookkeeping.
  bool preexisting(std::string_view id) const;
  void markVisited(std::string_view id);
  // A context operation of the log (`rec`; null: a new one) whose children this run
  // reaches: its unvisited children vanished (checkVanished). New operations need no
  // mark: only records of the log at the start are checked.
  void markEntered(const Operation* rec) {
    if (!rec) return;
    auto idx = view_->indexOf(rec->id);
    if (idx && *idx < startCount_) entered_[*idx] = true;
  }

  // Branch boundaries.
  BranchFrame& currentBranch() { return *branches_.back(); }
  template <class F>
  auto runBranch(BranchFrame& frame, F&& fn) -> decltype(fn());

  int stepBodyDepth = 0;
  Duration jitteredDelay(Duration base, JitterStrategy jitter, std::string_view stepId, int attempt) const;
  void log(LogLevel level, std::string_view message, bool replaying, const std::string& operationId,
           int attempt);
  BranchScheduler& scheduler();
  // ---- probing (FLAT batch items; batch.cpp) ----
  // While probing, a branch runs from the log only: the first thing that would be new
  // work (a checkpoint, a step body, an operation completed since the item last ran)
  // marks the probe as needing work and suspends; logs are held back and plugins are
  // silent, so that a probe that needs work leaves no trace.
  // Probes nest (a FLAT item's probe can meet a FLAT batch of its own): a probe's end
  // returns to the probe around it, whose logs then hold what the inner one kept.
  void beginProbe();
  // Ends the probe; returns true when it needed work. The held-back logs are written
  // (or handed to the enclosing probe) when `keepLogs`, dropped otherwise.
  bool endProbe(bool keepLogs);
  bool probing() const noexcept { return probing_; }
  // Called where live work is about to happen; suspends when probing.
  void liveWork() {
    if (probing_) needsWork();
  }
  // Called when replay reaches a recorded operation.
  void touched(const Operation& rec) {
    if (probing_ && settings_.unseenCompletions.count(rec.id)) needsWork();
  }

  // ---- plugin hooks (no cost when no plugin is registered) ----
  bool hasPlugins() const noexcept { return !probing_ && !settings_.plugins.empty(); }
  // Calls `hook` on every plugin in order; a throwing plugin is reported once and skipped.
  template <class F>
  void notify(const char* hookName, F&& hook) {
    for (Plugin* p : settings_.plugins) {
      try {
        hook(*p);
      } catch (...) {
        reportHookFailure(*p, hookName);
      }
    }
  }
  // Runs `body` wrapped by every plugin's wrapAttempt; body runs exactly once and its
  // exception (if any) is rethrown after the wrappers, which cannot see or swallow it.
  void wrapAttempt(const AttemptInfo& info, const std::function<void()>& body);
  void wrapInvocation(const InvocationInfo& info, const std::function<void()>& body);
  void reportHookFailure(const Plugin& plugin, const char* hookName);
  OperationInfo operationInfo(const Operation& op, bool isReplay) const;
  // The info of a context operation's user function (child context, map item, parallel
  // branch); `isReplay`: the operation was started by an earlier invocation.
  UserFunctionInfo userFunctionInfo(const std::string& id, const std::string& stepId,
                                    const std::optional<std::string>& name, OperationSubType sub,
                                    const std::optional<std::string>& parentId, bool isReplay) const;
  // Runs `fn` between onUserFunctionStart and onUserFunctionEnd. End fires once, also when
  // `fn` suspends; when it throws, End carries the error and the exception is rethrown.
  // A simulated crash ends the process: no End.
  Payload runUserFunction(UserFunctionInfo& info, const std::function<Payload()>& fn);
  // Hooks at the points where an operation's life is observed.
  void onReplayedOperation(const Operation& op);  // beginOp found a record
  void afterCheckpoint(const OperationUpdate& update);
  bool hasCustomScheduler() const noexcept { return settings_.scheduler != nullptr; }
  // Builds a context (DurableContext's constructor is private); `fresh`: see ContextState.
  std::unique_ptr<DurableContext> makeContext(std::string prefix, std::optional<std::string> parentId,
                                              bool fresh = false);
  static Invocation* current();
  void markCrashed() { crashed_ = true; }

 private:
  [[noreturn]] void needsWork();
  void checkVanished(InvocationOutcomeData& outcome);

  // Takes the service's answer: a lent view, or records merged into the owned table.
  void takeState(ExecutionState& state);

  DurableService& service_;
  const InvocationSettings& settings_;
  std::string arn_;
  OperationTable owned_;
  const ExecutionStateView* view_ = &owned_;
  CheckpointDurableExecutionRequest request_;  // reused (its vector keeps its capacity); holds the current token
  std::size_t startCount_;
  std::vector<bool> visited_;
  std::vector<bool> entered_;  // by index in the log at the start, as visited_
  std::vector<BranchFrame*> branches_;
  std::exception_ptr fatal_;
  bool probing_ = false;
  bool probeNeedsWork_ = false;
  std::vector<Json> probeLogs_;
  struct EnclosingProbe {
    bool probing;
    bool needsWork;
    std::vector<Json> logs;
  };
  std::vector<EnclosingProbe> enclosingProbes_;
  bool crashed_ = false;
  std::unordered_set<std::string> reportedHookFailures_;
};

template <class F>
auto Invocation::runBranch(BranchFrame& frame, F&& fn) -> decltype(fn()) {
  branches_.push_back(&frame);
  struct Pop {
    std::vector<BranchFrame*>& b;
    ~Pop() { b.pop_back(); }
  } pop{branches_};
  return fn();
}


}  // namespace rwd::internal
