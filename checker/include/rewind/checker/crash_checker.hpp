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
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/checker/effect_ledger.hpp"
#include "rewind/checker/schedule.hpp"
#include "rewind/checker/shared_prefix.hpp"
#include "rewind/handler.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/plugin.hpp"

namespace rwd::checker {

namespace internal {
struct RefCache;
struct CallbackAction;
struct Resume;
}  // namespace internal

enum class Oracle { Determinism, Result, ExactlyOnce, Rollback, AppendOnly, Invariant };
inline constexpr std::size_t kOracleCount = 6;
std::string_view toString(Oracle o);

// Where the checker runs each invocation of a check, and so which kind of resume after a
// crash it explores. Lambda resumes an execution sometimes in the process that ran the
// crashed invocation (warm: statics, singletons, caches survive) and sometimes in a fresh
// one (cold); a bug may need either.
enum class CheckMode {
  InProcess,  // warm resumes only: invocations run in the checker's process, so memory
              // outlives a simulated crash (and every earlier run of the check)
  Fork,       // cold resumes only: each invocation in a fresh fork()ed child
              // (fork_executor.hpp), so statics of a crashed invocation are gone
  Both,       // the default: every crash point is resumed cold (fork, explored first, while
              // the checker's process has not run the handler) and then warm (in-process)
};
// "in-process", "fork", "both"
std::string_view toString(CheckMode m);
// "in-process" / "fork" / "both" (also "inprocess"); nullopt for anything else.
std::optional<CheckMode> checkModeFromString(std::string_view s);
// "warm" (in-process) or "cold" (fork); "warm and cold" for Both.
std::string_view resumeKind(CheckMode m);

// A declared answer to the callbacks whose name (or whose waitForCallback's name) is
// `name` ("*": any), consumed in declaration order exactly as
// LocalDurableTestRunner::onCallback and `rewind-run --respond` consume theirs.
struct CallbackRule {
  std::string name;
  CallbackResponse response;
};

// Parses a `--respond` spec exactly as `rewind-run --respond` reads it:
// NAME=success[:JSON] | failure[:TYPE[:MESSAGE]] | heartbeat | never, optionally @SECONDS.
// Throws std::invalid_argument ([rewind.checker.bad_respond]) naming the spec.
CallbackRule parseCallbackRule(std::string_view spec);

// What a user invariant sees: the final state of one explored execution.
struct FinalState {
  ExecutionStatus status = ExecutionStatus::Running;
  const Payload& result;
  const std::optional<ErrorObject>& error;
  const EffectCounts& effects;  // the effect ledger as the external world saw it
  const std::vector<Operation>& operations;
};

// A property of every explored execution's final state that only the user can state
// ("every hold is released or captured"). `check` returns nullopt when it holds, else what
// is wrong; it runs after every explored execution (the reference run included).
struct Invariant {
  std::string name;
  std::function<std::optional<std::string>(const FinalState&)> check;
};

struct CheckOptions {
  // Default: both kinds of resume at every crash point (see CheckMode).
  CheckMode mode = CheckMode::Both;
  // APPROXIMATE, off by default: judge crash points that leave the same persisted log by
  // one run (a lost update right after a persisted one with no body start, effect or
  // invocation boundary between; a timeout as a body starts and the START before it; a
  // lost SUCCEED/FAIL/RETRY of a body without ledger effects and its START). Handler code
  // between the two points (a remote read, a registry written by a retry strategy, a
  // static bumped in a body) can make them differ, and a merged point hides that.
  bool mergeEquivalentPoints = false;
  // The crash-free reference run may end FAILED or TIMED_OUT (the workflow is meant to
  // fail on this input). Otherwise a reference run that does not succeed is an error of
  // its own (CheckReport::referenceError) and nothing is explored from it.
  bool expectFailure = false;
  // No longer needed: the runtime tells the checker which steps are AtMostOncePerRetry
  // (StepBodyStart::semantics). Steps named here are judged as at-most-once too.
  std::set<std::string> atMostOnceSteps;
  // How callbacks are answered, as the user declares it. A callback no rule matches stays
  // open: the checker never invents a payload.
  std::vector<CallbackRule> callbackResponders;
  int maxInvocations = 200;
  // Wall-clock limit of each invocation (RunnerOptions::invocationTimeout): a run whose
  // handler hangs fails with [rewind.invocation.timeout] instead of hanging the check.
  std::optional<std::chrono::milliseconds> invocationTimeout;
  std::chrono::milliseconds invocationTimeoutGrace{5000};
  // Include the "invocation timed out as a step body started" crash points.
  bool midStepCrashes = true;
  // Splits the exhaustive crash points: point i is checked when i % shardCount == shardIndex.
  std::size_t shardIndex = 0;
  std::size_t shardCount = 1;
  // Re-run each reported failure once to confirm it reproduces.
  bool confirm = true;
  // Called once per explored execution, before it starts (never per invocation): reset
  // the test's fakes (mail server, card gateway, warehouse) here. In fork mode it runs in
  // the checker's process, so every invocation's child starts from the world it left:
  // state a fake keeps in the child's memory is lost with each child (keep it in the
  // effect ledger or outside the process).
  std::function<void()> setup;
  // Called on every fresh runner before it runs (register invoke targets here).
  std::function<void(LocalDurableTestRunner&)> configureRunner;
  // Checked after every explored execution (Oracle::Invariant).
  std::vector<Invariant> invariants;
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
    std::size_t updatesBefore = 0;                                 // index into updates at the time the body started
    std::size_t effectsBefore = 0;                                 // EffectLedger::events() when the body started
    StepSemantics semantics = StepSemantics::AtLeastOncePerRetry;  // as the runtime declared it
  };
  // A crash run resumed from the reference run's state shares the reference's updates and
  // body starts before its crash point (SharedPrefixVector) instead of copying them.
  SharedPrefixVector<Update> updates;
  SharedPrefixVector<BodyStart> bodyStarts;
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
  // The schedule in the user's terms: each crash named by operation and action ("crash
  // after 'fraud' SUCCEED was persisted (checkpoint 8, in 'risk-checks')"), injected
  // failures by step name.
  std::string crash;
  std::string mode = "in-process";  // the CheckMode that found it: "in-process" or "fork"
  std::string resume = "warm";      // the kind of resume that exposed it: "warm" or "cold"
  bool confirmed = false;           // confirm() re-ran the schedule
  bool reproduced = false;          // ... and the re-run failed the same way (confirmed && !reproduced: flaky)
  // Filled by confirm(): both runs as ExecutionResult::toJson() documents and as Chrome
  // Trace Event JSON (rwd::chromeTraceJson; open in ui.perfetto.dev). Null before.
  Json referenceHistory;
  Json failingHistory;
  Json referenceTrace;
  Json failingTrace;
  // Filled by confirm(): the operation logs of the reference and the failing run side by
  // side at their first divergence (a few lines; the full histories are above).
  std::string historyDiff;
};

struct CheckReport {
  // The crash-free reference run's outcome ("SUCCEEDED with 42"), per resume kind explored.
  std::string reference;
  // Set when the reference run did not succeed and CheckOptions::expectFailure was not
  // given ([rewind.checker.reference_failed] / [rewind.checker.reference_blocked]): nothing
  // was explored from it, and ok() is false.
  std::optional<std::string> referenceError;
  std::size_t crashPoints = 0;  // crash points of the reference run
  std::size_t runs = 0;         // crash runs made (each point once per resume kind, unless merged)
  std::size_t schedules = 0;    // schedules judged (exhaustive + property)
  std::size_t generatedSchedules = 0;  // of those, generated by the property mode (explore)
  std::string resumeKinds;      // "warm", "cold" or "warm and cold"
  // Only with CheckOptions::mergeEquivalentPoints (approximate): crash points judged by the
  // run of another point instead of their own.
  std::size_t equivalentCrashPoints = 0;
  std::size_t passed[kOracleCount] = {};
  std::size_t failed[kOracleCount] = {};
  // Resumed runs whose re-run steps checkpointed other values than the crash-free run, and
  // were therefore judged against a crash-free run fed those values (legal variation).
  std::size_t valueOverrideReferences = 0;
  // Resumed runs whose batches (under a seeded branch order) started their items in another
  // order than the crash-free run, judged against a crash-free run fed that order.
  std::size_t orderOverrideReferences = 0;
  // Resumed runs in which the crash interrupted an AtMostOncePerRetry step (its replay
  // failed the attempt with StepInterruptedError), judged against a crash-free run whose
  // same attempts fail so.
  std::size_t interruptedStepReferences = 0;
  std::vector<Finding> findings;
  bool ok() const { return findings.empty() && !referenceError; }
  // The reference outcome, "crash points 20, ..." and one block per finding.
  std::string summary() const;
};

using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

class CrashChecker {
 public:
  CrashChecker(RawHandler handler, Payload input, CheckOptions options = {});
  ~CrashChecker();
  CrashChecker(const CrashChecker&) = delete;
  CrashChecker& operator=(const CrashChecker&) = delete;

  // Where reference(), run(), check() and crashPoints() run invocations: InProcess (warm
  // resumes) or Fork (cold resumes); Both means InProcess here. Starts as options().mode
  // says (Both: InProcess); checkExhaustive() switches it per kind and restores it.
  void useMode(CheckMode m);
  CheckMode mode() const noexcept { return mode_; }

  // The crash-free reference run of `base` (no crashes; its other choices apply).
  const RunTrace& reference(const Schedule& base = {});
  // Why the reference run of `base` cannot be explored from: it did not succeed and
  // CheckOptions::expectFailure does not allow that ([rewind.checker.reference_failed]), or
  // it is blocked, e.g. on a callback nothing answers ([rewind.checker.reference_blocked]).
  std::optional<std::string> referenceError(const Schedule& base = {});

  // Runs one schedule and returns its trace (history JSON and Chrome trace when withHistory).
  RunTrace run(const Schedule& schedule, bool withHistory = false);

  // Oracle verdicts of `trace` against `ref`: the findings (schedule filled in), and
  // per-oracle pass/fail counted into `report` when given.
  std::vector<Finding> judge(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                             CheckReport* report = nullptr);

  // Runs `schedule` and judges it against the reference of its crash-free variant, or,
  // when a re-run step checkpointed another value, against a crash-free run whose step
  // results are replaced by the values this run checkpointed.
  std::vector<Finding> check(const Schedule& schedule, CheckReport* report = nullptr);

  // Every crash point of the reference run (both sides of each checkpoint update, the
  // execution's own SUCCEED/FAIL included, plus each step-body start), one crash per
  // schedule, resuming from the persisted log; each point gets its own run, once per kind
  // of resume (CheckOptions::mode), unless CheckOptions::mergeEquivalentPoints asks for the
  // approximation. A reference run that does not succeed is reported
  // (CheckReport::referenceError) instead of explored.
  CheckReport checkExhaustive(const Schedule& base = {}, const ProgressFn& progress = nullptr);

  // All crash points of the reference of `base` (not sharded).
  std::vector<CrashPoint> crashPoints(const Schedule& base = {});

  // Re-runs `f.schedule` in the mode that found it, sets f.confirmed/f.reproduced and fills
  // both histories, traces and the history diff.
  void confirm(Finding& f);

  const CheckOptions& options() const noexcept { return options_; }
  const Payload& input() const noexcept { return input_; }

 private:
  using Overrides = std::map<std::string, Payload, std::less<>>;
  // Per batch (its positional step id), the indices of its items in the order they started.
  using BranchOrders = std::map<std::string, std::vector<std::size_t>, std::less<>>;
  // What a crash run legally did otherwise than the crash-free run, fed to the crash-free
  // run it is then judged against: the values its re-run steps checkpointed, (under a
  // seeded branch order, whose choices after a crash meet other runnable items) the order
  // in which its batches started their items, and the at-most-once step attempts the crash
  // interrupted (they fail with StepInterruptedError, as the service's semantics say).
  // An AtMostOncePerRetry step attempt the crash interrupted (by positional step id and
  // attempt): the error its replay failed the attempt with (StepInterruptedError) and
  // whether its body had run to its end before the crash (its SUCCEED or FAIL was lost).
  struct Interruption {
    ErrorObject error;
    bool bodyRan = false;
  };
  using Interruptions = std::map<std::pair<std::string, int>, Interruption, std::less<>>;
  struct Feed {
    std::optional<Overrides> values;
    std::optional<BranchOrders> orders;
    std::optional<Interruptions> interrupted;
    std::string describe() const;  // "the same step values", "the same item order", ... joined
  };
  // The at-most-once step attempts the crashes of run `t` interrupted.
  static Interruptions interruptedAttempts(const RunTrace& t);
  RunTrace runImpl(const Schedule& schedule, bool withHistory, const Feed* feed, bool markInvocations,
                   const internal::Resume* resume = nullptr);
  // Where a one-crash schedule can resume from a state the reference run recorded instead
  // of re-running the crash-free prefix (in-process, no world setup, nothing else varied).
  std::optional<internal::Resume> resumePoint(const Schedule& schedule);
  // Counts the runs of `points` (one crash each, on `crashFree`) that will resume from each
  // of the reference's snapshots, so that the last one moves the snapshot instead of copying it.
  void planSnapshotUses(const Schedule& crashFree, const std::vector<CrashPoint>& points,
                        const std::vector<std::size_t>& rep, std::size_t shards);
  // The resumed run's checkpointed step values, when one differs from `ref`'s.
  std::optional<Overrides> variedValues(const RunTrace& ref, const RunTrace& t);
  // What to feed the crash-free run that `t` (a crash run of `schedule`) is judged against,
  // when t legally did something otherwise than `ref`.
  std::optional<Feed> legalVariation(const RunTrace& ref, const RunTrace& t, const Schedule& schedule);
  // judge(); `fedWith`: what ref, a crash-free run, was fed of t's (for messages; empty: nothing).
  std::vector<Finding> judgeImpl(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                 CheckReport* report, std::string_view fedWith);
  // Judges a crash run `t` of `schedule` against `ref` or, on legal variation, a fed reference.
  std::vector<Finding> judgeRun(const RunTrace& ref, const RunTrace& t, const Schedule& schedule, CheckReport* report);
  // Plans the answers of a callback the run just created (declared, or varied by `varied`).
  void planCallback(const Operation& op, const std::vector<std::string>& names, const CallbackAnswer* varied,
                    TimePoint now, std::vector<bool>& used, std::vector<internal::CallbackAction>& out) const;
  internal::RefCache& refCache();

  RawHandler handler_;
  Payload input_;
  CheckOptions options_;
  CheckMode mode_ = CheckMode::InProcess;
  std::unique_ptr<internal::RefCache> refs_[2];  // per mode: in-process, fork
};

}  // namespace rwd::checker
