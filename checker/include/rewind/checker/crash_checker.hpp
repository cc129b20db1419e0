// CrashChecker: the replay verifier's engine. Runs a handler crash-free to record the
// reference checkpoint log, then re-runs it under schedules that crash invocations at
// checkpoint boundaries (both sides of each) and resume from the persisted log, and
// checks five oracles on every run:
//
//   determinism    no NonDeterministicExecutionError / swallowed suspension, and every
//                  operation (id, type, subtype, name, parent, arguments) as in the
//                  reference run
//   result         same final status and result as the crash-free run; when a re-run
//                  step legally checkpointed another value (a fresh id, a timestamp), as
//                  a crash-free run whose step bodies run live but whose step results are
//                  replaced by the values the resumed run checkpointed
//   exactly-once   no step body runs after its SUCCEED/FAIL was persisted; at-most-once
//                  steps never run twice per attempt; ledger effects as often as in
//                  the crash-free run
//   rollback       "rollback:<name>" undo steps complete in exact reverse order of
//                  their forward steps, each exactly once, the same set as the reference
//   append-only    the persisted log is only appended to: no operation lost, reordered
//                  or rewritten after it reached a terminal state
//
//   rwd::checker::CrashChecker checker(rwd::makeHandler(myHandler), R"({"id":1})");
//   rwd::checker::CheckReport report = checker.checkExhaustive();
//   EXPECT_TRUE(report.findings.empty()) << report.summary();
//
// Every run's invocations execute in-process (fast) or each in a fresh fork()ed child
// (CheckOptions::mode = CheckMode::Fork, the faithful mode: state kept in statics does not
// survive a crash); each finding names the mode that found it.
//
// Step bodies are counted (and injected step failures thrown) through the runtime's
// stepBodyObserver, effects through the EffectLedger. Not thread-safe: one checker per thread (the ledger is
// process-wide, so checkers must not run concurrently in one process).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/checker/effect_ledger.hpp"
#include "rewind/checker/schedule.hpp"
#include "rewind/handler.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/plugin.hpp"

namespace rwd::checker {

namespace internal {
struct RefIndex;
}  // namespace internal

enum class Oracle { Determinism, Result, ExactlyOnce, Rollback, AppendOnly };
inline constexpr std::size_t kOracleCount = 5;
std::string_view toString(Oracle o);

// Where the checker runs each invocation of a check (reference and crash runs alike).
enum class CheckMode {
  InProcess,  // fast: in the checker's process; memory outlives a simulated crash
  Fork,       // faithful: each invocation in a fresh fork()ed child (fork_executor.hpp),
              // so statics, singletons and caches of a crashed invocation are gone
};
std::string_view toString(CheckMode m);  // "in-process", "fork"
// "in-process" / "fork" (also "inprocess"); nullopt for anything else.
std::optional<CheckMode> checkModeFromString(std::string_view s);

struct CheckOptions {
  CheckMode mode = CheckMode::InProcess;
  // No longer needed: the runtime tells the checker which steps are AtMostOncePerRetry
  // (StepBodyStart::semantics). Steps named here are judged as at-most-once too.
  std::set<std::string> atMostOnceSteps;
  // Answer for callbacks a schedule says nothing about.
  CallbackAnswer defaultCallbackAnswer{};
  int maxInvocations = 200;
  // Include the "invocation timed out as a step body started" crash points.
  bool midStepCrashes = true;
  // Splits the exhaustive crash points: point i is checked when i % shardCount == shardIndex.
  std::size_t shardIndex = 0;
  std::size_t shardCount = 1;
  // Re-run each reported failure once to confirm it reproduces.
  bool confirm = true;
  // Called on every fresh runner before it runs (register invoke targets here).
  std::function<void(LocalDurableTestRunner&)> configureRunner;
  // Plugins registered with every run's handler (rewind-check --plugin).
  PluginList plugins;
};

// What one run did, as seen through the runtime's seams.
struct RunTrace {
  struct Update {
    OperationUpdate update;
    std::size_t sequence = 0;
    CheckpointFate fate = CheckpointFate::Persist;
    std::size_t effectsBefore = 0;  // EffectLedger::events() when the update was checkpointed
  };
  struct BodyStart {
    std::string stepId;
    std::optional<std::string> name;
    int attempt = 0;
    std::size_t updatesBefore = 0;  // index into updates at the time the body started
    std::size_t effectsBefore = 0;  // EffectLedger::events() when the body started
    StepSemantics semantics = StepSemantics::AtLeastOncePerRetry;  // as the runtime declared it
  };
  std::vector<Update> updates;
  std::vector<BodyStart> bodyStarts;
  // Index into updates at which each invocation began (the reference run only).
  std::vector<std::size_t> invocationStarts;
  std::size_t crashesFired = 0;
  ExecutionStatus status = ExecutionStatus::Running;
  Payload result;
  std::optional<ErrorObject> error;
  std::vector<Operation> operations;
  EffectCounts effects;
  std::string blockedReason;
  Json history;        // GetDurableExecutionHistory events (only when asked for)
  Json executionJson;  // ExecutionResult::toJson() (only when asked for)
  Json chromeTrace;    // the run as Chrome Trace Event JSON, rwd::chromeTraceJson (only when asked for)
};

struct Finding {
  Oracle oracle = Oracle::Determinism;
  std::string message;  // what went wrong, naming the operation and both values
  Schedule schedule;    // minimal schedule that shows it
  std::string mode = "in-process";  // the CheckMode that found it: "in-process" or "fork"
  bool reproduced = false;  // the confirming re-run failed the same way
  // Filled by confirm(): both runs as ExecutionResult::toJson() documents and as Chrome
  // Trace Event JSON (rwd::chromeTraceJson; open in ui.perfetto.dev). Null before.
  Json referenceHistory;
  Json failingHistory;
  Json referenceTrace;
  Json failingTrace;
};

struct CheckReport {
  std::size_t crashPoints = 0;  // crash points explored (exhaustive), merged ones included
  std::size_t schedules = 0;    // schedules judged (exhaustive + property)
  // Crash points judged by the run of an equivalent point (same persisted log, nothing
  // observable between them); each still counts in crashPoints, schedules and the oracles.
  std::size_t equivalentCrashPoints = 0;
  std::size_t passed[kOracleCount] = {};
  std::size_t failed[kOracleCount] = {};
  // Resumed runs whose re-run steps checkpointed other values than the crash-free run, and
  // were therefore judged against a crash-free run fed those values (legal variation).
  std::size_t valueOverrideReferences = 0;
  std::vector<Finding> findings;
  bool ok() const { return findings.empty(); }
  // "crash points 20, schedules 21; determinism 21/21 ..." plus one block per finding.
  std::string summary() const;
};

using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

class CrashChecker {
 public:
  CrashChecker(RawHandler handler, Payload input, CheckOptions options = {});
  ~CrashChecker();
  CrashChecker(const CrashChecker&) = delete;
  CrashChecker& operator=(const CrashChecker&) = delete;

  // The crash-free reference run of `base` (no crashes; its other choices apply).
  const RunTrace& reference(const Schedule& base = {});

  // Runs one schedule and returns its trace (history JSON and Chrome trace when withHistory).
  RunTrace run(const Schedule& schedule, bool withHistory = false);

  // Oracle verdicts of `trace` against `ref`: the findings (schedule filled in), and
  // per-oracle pass/fail counted into `report` when given.
  std::vector<Finding> judge(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                             CheckReport* report = nullptr) const;

  // Runs `schedule` and judges it against the reference of its crash-free variant, or,
  // when a re-run step checkpointed another value, against a crash-free run whose step
  // results are replaced by the values this run checkpointed.
  std::vector<Finding> check(const Schedule& schedule, CheckReport* report = nullptr);

  // Every crash point of the reference run (both sides of each checkpoint update, plus
  // each step-body start), one crash per schedule, resuming from the persisted log.
  // Points that leave the same persisted log with nothing observable between them (a
  // lost update right after a persisted one with no body start, effect or invocation
  // boundary between; a timeout as a body starts right after its START) share one run.
  CheckReport checkExhaustive(const Schedule& base = {}, const ProgressFn& progress = nullptr);

  // All crash points of the reference of `base` (not sharded).
  std::vector<CrashPoint> crashPoints(const Schedule& base = {});

  // Re-runs `f.schedule`, sets f.reproduced and fills both histories and traces.
  void confirm(Finding& f);

  const CheckOptions& options() const noexcept { return options_; }
  const Payload& input() const noexcept { return input_; }

 private:
  using Overrides = std::map<std::string, Payload, std::less<>>;
  RunTrace runImpl(const Schedule& schedule, bool withHistory, const Overrides* overrides, bool markInvocations);
  // The resumed run's checkpointed step values, when one differs from `ref`'s.
  std::optional<Overrides> variedValues(const RunTrace& ref, const RunTrace& t) const;
  // judge(); `fedReference`: ref is a crash-free run fed t's step values (for messages).
  std::vector<Finding> judgeImpl(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                 CheckReport* report, bool fedReference) const;

  RawHandler handler_;
  Payload input_;
  CheckOptions options_;
  std::optional<Schedule> referenceKey_;
  RunTrace reference_;
  bool referenceHasCallbacks_ = true;
  mutable std::unique_ptr<internal::RefIndex> refIndex_;  // lookups into reference_
};

}  // namespace rwd::checker
