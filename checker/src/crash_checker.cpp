// The crash-injection engine: drives runs through the runner's seams (checkpoint
// interceptor, step-body observer, branch scheduler, manual clock) and judges them.
#include "rewind/checker/crash_checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "rewind/checker/fault_injection.hpp"
#include "rewind/checker/fork_executor.hpp"
#include "rewind/history_json.hpp"
#include "rewind/plugin.hpp"
#include "rewind/plugins/chrome_trace.hpp"

namespace rwd::checker {

namespace internal {

// Lookups into a reference run, built once per reference instead of once per judged run.
struct RefIndex {
  std::unordered_map<std::string_view, const Operation*> ops;
  std::unordered_map<std::string_view, const OperationUpdate*> starts;
  explicit RefIndex(const RunTrace& r) {
    ops.reserve(r.operations.size());
    for (const Operation& op : r.operations) ops.emplace(op.id, &op);
    for (const auto& u : r.updates)
      if (u.update.action == OperationAction::Start) starts.emplace(u.update.id, &u.update);
  }
  const Operation* op(std::string_view id) const {
    auto it = ops.find(id);
    return it == ops.end() ? nullptr : it->second;
  }
};

}  // namespace internal

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Picks among ready branches pseudo-randomly from the schedule's seed.
class SeededScheduler final : public BranchScheduler {
 public:
  explicit SeededScheduler(std::uint64_t seed) : state_(seed) {}
  std::size_t pick(const std::vector<std::size_t>& runnable) override {
    state_ = splitmix64(state_);
    return runnable[state_ % runnable.size()];
  }

 private:
  std::uint64_t state_;
};

std::string opLabel(const std::optional<std::string>& name, const std::string& stepId) {
  return name ? fmt::format("'{}' (step {})", *name, stepId) : fmt::format("step {}", stepId);
}

std::string opLabel(const Operation& op) { return opLabel(op.name, op.stepId); }

std::string describeOutcome(ExecutionStatus s, const Payload& result, const std::optional<ErrorObject>& error) {
  if (s == ExecutionStatus::Succeeded) return fmt::format("SUCCEEDED with {}", result.value_or("no result"));
  if (error) return fmt::format("{} with {}: {}", toString(s), error->errorType, error->errorMessage);
  return std::string(toString(s));
}

bool sameJsonText(const Payload& a, const Payload& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  Json ja = Json::parse(*a, nullptr, false);
  Json jb = Json::parse(*b, nullptr, false);
  return !ja.is_discarded() && !jb.is_discarded() && ja == jb;
}

const Payload* checkpointedValue(const Operation& op) {
  if (op.stepDetails) return &op.stepDetails->result;
  if (op.contextDetails) return &op.contextDetails->result;
  return nullptr;
}

// An AtMostOncePerRetry step, as the runtime said when its body started (or named in
// CheckOptions::atMostOnceSteps, which older command lines still pass).
bool isAtMostOnce(const RunTrace::BodyStart& b, const std::set<std::string>& named) {
  return b.semantics == StepSemantics::AtMostOncePerRetry || (b.name && named.count(*b.name) > 0);
}

// Counts invocations (the reference run only: it tells where invocations begin).
class InvocationMarker final : public Plugin {
 public:
  explicit InvocationMarker(RunTrace& trace) : trace_(trace) {}
  std::string pluginName() const override { return "rewind-checker"; }
  void onInvocationStart(const InvocationInfo&) override {
    trace_.invocationStarts.push_back(trace_.updates.size());
    if (ForkChannel* ch = ForkChannel::current()) ch->send(Json{{"t", "i"}, {"at", trace_.updates.size()}});
  }

 private:
  RunTrace& trace_;
};

struct Judge {
  const RunTrace& ref;
  const internal::RefIndex& refIndex;
  const RunTrace& t;
  const Schedule& schedule;
  const CheckOptions& options;
  std::vector<Finding>& findings;
  bool valueReference = false;  // ref is a crash-free run fed the resumed run's step values
  bool failed[kOracleCount] = {};

  void report(Oracle o, std::string message) {
    failed[static_cast<std::size_t>(o)] = true;
    Finding f;
    f.oracle = o;
    f.mode = std::string(toString(options.mode));
    f.message = std::move(message);
    f.schedule = schedule;
    findings.push_back(std::move(f));
  }

  void determinism() {
    if (t.error && (t.error->errorType == "NonDeterministicExecutionError" ||
                    t.error->errorMessage.find("[rewind.suspension.swallowed]") != std::string::npos ||
                    t.error->errorType == "InvalidCheckpointError")) {
      report(Oracle::Determinism,
             fmt::format("the execution failed with {}: {}", t.error->errorType, t.error->errorMessage));
      return;
    }
    if (&ref == &t) return;
    // Operation identity and arguments, position by position (ids are positional).
    for (std::size_t i = 0; i < t.operations.size(); ++i) {
      const Operation& op = t.operations[i];
      const Operation* found =
          i < ref.operations.size() && ref.operations[i].id == op.id ? &ref.operations[i] : refIndex.op(op.id);
      if (!found) continue;
      const Operation& r = *found;
      if (r.type != op.type || r.subType != op.subType || r.name != op.name || r.parentId != op.parentId) {
        report(Oracle::Determinism,
               fmt::format("operation at step {} is {}/{} {} (parent {}) after resuming, but {}/{} {} (parent {}) in "
                           "the crash-free run",
                           op.stepId, toString(op.type), toString(op.subType), op.name.value_or("(unnamed)"),
                           op.parentId.value_or("none"), toString(r.type), toString(r.subType),
                           r.name.value_or("(unnamed)"), r.parentId.value_or("none")));
        return;
      }
    }
    for (const auto& u : t.updates) {
      if (u.update.action != OperationAction::Start || u.fate == CheckpointFate::DropAndCrash) continue;
      auto it = refIndex.starts.find(u.update.id);
      if (it == refIndex.starts.end()) continue;
      const OperationUpdate& a = u.update;
      const OperationUpdate& b = *it->second;
      auto differs = [&](std::string_view what, const auto& x, const auto& y) {
        if (x == y) return false;
        report(Oracle::Determinism, fmt::format("operation {} was asked for a different {} after resuming than in "
                                                "the crash-free run (the code's arguments are not deterministic)",
                                                opLabel(a.name, a.stepId), what));
        return true;
      };
      if (differs("wait duration", a.waitSeconds, b.waitSeconds) ||
          differs("callback timeout", a.callbackTimeoutSeconds, b.callbackTimeoutSeconds) ||
          differs("callback heartbeat timeout", a.callbackHeartbeatTimeoutSeconds, b.callbackHeartbeatTimeoutSeconds) ||
          differs("invoke target", a.functionName, b.functionName) ||
          (a.type == OperationType::ChainedInvoke && differs("invoke payload", a.payload, b.payload)))
        return;
    }
  }

  void result() {
    if (&ref == &t) return;
    bool same = t.status == ref.status;
    if (same && t.status == ExecutionStatus::Succeeded) same = sameJsonText(t.result, ref.result);
    if (same && t.status != ExecutionStatus::Succeeded && t.error && ref.error)
      same = t.error->errorType == ref.error->errorType && t.error->errorMessage == ref.error->errorMessage;
    if (same) return;
    std::string why = t.status == ExecutionStatus::Running ? fmt::format(" ({})", t.blockedReason) : std::string();
    report(Oracle::Result,
           fmt::format("the resumed execution ended {}{}, but the crash-free run{} ended {}; every step returned the "
                       "same checkpointed values, so state outside the checkpoints (a closure variable mutated in a "
                       "step, a static, a cache) changed the outcome",
                       describeOutcome(t.status, t.result, t.error), why,
                       valueReference ? " fed the same step values" : "",
                       describeOutcome(ref.status, ref.result, ref.error)));
  }

  void exactlyOnce() {
    // 1. No body runs after its step's SUCCEED/FAIL was persisted.
    std::unordered_map<std::string_view, std::size_t> completedAt;  // stepId -> update index
    completedAt.reserve(t.updates.size());
    for (std::size_t i = 0; i < t.updates.size(); ++i) {
      const auto& u = t.updates[i];
      if (u.fate == CheckpointFate::DropAndCrash) continue;
      if (u.update.type == OperationType::Step &&
          (u.update.action == OperationAction::Succeed || u.update.action == OperationAction::Fail))
        completedAt.emplace(u.update.stepId, i);
    }
    std::map<std::pair<std::string_view, int>, int> runs;
    for (const auto& b : t.bodyStarts) {
      auto it = completedAt.find(b.stepId);
      if (it != completedAt.end() && it->second < b.updatesBefore) {
        report(Oracle::ExactlyOnce, fmt::format("step {} ran again (attempt {}) after its completion was persisted",
                                                opLabel(b.name, b.stepId), b.attempt));
        return;
      }
      if (isAtMostOnce(b, options.atMostOnceSteps) && ++runs[{b.stepId, b.attempt}] > 1) {
        report(Oracle::ExactlyOnce,
               fmt::format("at-most-once step {} ran twice in attempt {}", opLabel(b.name, b.stepId), b.attempt));
        return;
      }
    }
    // 2. Effects as the external world sees them.
    if (&ref == &t) return;
    auto describeKey = [](const std::pair<std::string, std::string>& k) {
      return fmt::format("({}, {})", k.first, k.second);
    };
    if (t.effects == ref.effects) return;
    std::set<std::pair<std::string, std::string>> keys;
    for (const auto& [k, n] : ref.effects) keys.insert(k);
    for (const auto& [k, n] : t.effects) keys.insert(k);
    for (const auto& k : keys) {
      auto ia = t.effects.find(k);
      auto ib = ref.effects.find(k);
      int a = ia == t.effects.end() ? 0 : ia->second;
      int b = ib == ref.effects.end() ? 0 : ib->second;
      if (a != b) {
        report(
            Oracle::ExactlyOnce,
            fmt::format(
                "effect {} happened {} time{} after the crash, {} time{} in the crash-free run{}: {}", describeKey(k),
                a, a == 1 ? "" : "s", b, b == 1 ? "" : "s", valueReference ? " fed the same step values" : "",
                a > b ? "a step re-ran a non-idempotent effect (use an idempotency key)" : "an effect was lost"));
        return;
      }
    }
  }

  void rollback() {
    const auto& ops = t.operations;
    std::optional<std::size_t> lastForward;
    std::optional<std::string> lastParent;
    std::string lastName;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Operation& op = ops[i];
      if (op.type != OperationType::Step || !op.name || op.name->rfind("rollback:", 0) != 0) continue;
      std::string forwardName = op.name->substr(9);
      std::optional<std::size_t> forward;
      for (std::size_t j = i; j-- > 0;)
        if (ops[j].name == forwardName && ops[j].parentId == op.parentId) {
          forward = j;
          break;
        }
      if (!forward) continue;
      if (lastForward && lastParent == op.parentId && *forward > *lastForward) {
        report(Oracle::Rollback,
               fmt::format("compensation '{}' ran after '{}', but '{}' was registered first: undos must run in exact "
                           "reverse order of registration (use stepWithRollback/rollbackAll)",
                           *op.name, "rollback:" + lastName, lastName));
        return;
      }
      lastForward = forward;
      lastParent = op.parentId;
      lastName = forwardName;
    }
    std::map<std::string, int> completions;
    for (const auto& u : t.updates)
      if (u.fate != CheckpointFate::DropAndCrash && u.update.action == OperationAction::Succeed && u.update.name &&
          u.update.name->rfind("rollback:", 0) == 0 && ++completions[u.update.id] > 1) {
        report(Oracle::Rollback,
               fmt::format("compensation {} completed twice", opLabel(u.update.name, u.update.stepId)));
        return;
      }
    if (&ref == &t) return;
    auto undos = [](const RunTrace& r) {
      std::vector<std::string> v;
      for (const Operation& op : r.operations)
        if (op.type == OperationType::Step && op.name && op.name->rfind("rollback:", 0) == 0 &&
            op.status == OperationStatus::Succeeded)
          v.push_back(opLabel(op));
      std::sort(v.begin(), v.end());
      return v;
    };
    auto a = undos(t);
    auto b = undos(ref);
    if (a != b)
      report(Oracle::Rollback,
             fmt::format("after resuming, the completed compensations were [{}]; in the crash-free run [{}]",
                         fmt::join(a, ", "), fmt::join(b, ", ")));
  }

  void appendOnly() {
    std::unordered_map<std::string_view, std::size_t> position;
    position.reserve(t.operations.size());
    for (std::size_t i = 0; i < t.operations.size(); ++i) position[t.operations[i].id] = i;
    std::vector<std::pair<std::size_t, const OperationUpdate*>> terminal;  // (position, terminal update)
    std::vector<bool> seen(t.operations.size(), false);
    std::optional<std::size_t> lastPos;
    for (const auto& u : t.updates) {
      if (u.fate == CheckpointFate::DropAndCrash || u.update.type == OperationType::Execution) continue;
      const OperationUpdate& up = u.update;
      auto pos = position.find(up.id);
      if (pos == position.end()) {
        report(Oracle::AppendOnly, fmt::format("operation {} was persisted ({}) but is missing from the final log",
                                               opLabel(up.name, up.stepId), toString(up.action)));
        return;
      }
      if (!seen[pos->second]) {
        seen[pos->second] = true;
        if (lastPos && pos->second < *lastPos) {
          report(Oracle::AppendOnly, fmt::format("operation {} moved in the log: persisted after another operation "
                                                 "but now listed before it",
                                                 opLabel(up.name, up.stepId)));
          return;
        }
        lastPos = pos->second;
      }
      if (up.action == OperationAction::Succeed || up.action == OperationAction::Fail)
        terminal.emplace_back(pos->second, &up);
    }
    // The last terminal update of each operation is the one its final record must hold.
    std::stable_sort(terminal.begin(), terminal.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < terminal.size(); ++i) {
      if (i + 1 < terminal.size() && terminal[i + 1].first == terminal[i].first) continue;
      const OperationUpdate* up = terminal[i].second;
      const Operation& op = t.operations[terminal[i].first];
      bool ok = up->action == OperationAction::Succeed ? op.status == OperationStatus::Succeeded
                                                       : op.status == OperationStatus::Failed;
      if (ok && up->action == OperationAction::Succeed && !up->replayChildren)
        if (const Payload* v = checkpointedValue(op)) ok = *v == up->payload;
      if (!ok) {
        report(Oracle::AppendOnly,
               fmt::format("operation {} was persisted as {} but the final log holds it {}: the "
                           "persisted log was rewritten",
                           opLabel(up->name, up->stepId), toString(up->action), toString(op.status)));
        return;
      }
    }
  }
};

}  // namespace

std::string_view toString(Oracle o) {
  switch (o) {
    case Oracle::Determinism:
      return "determinism";
    case Oracle::Result:
      return "result";
    case Oracle::ExactlyOnce:
      return "exactly-once";
    case Oracle::Rollback:
      return "rollback";
    case Oracle::AppendOnly:
      return "append-only";
  }
  return "?";
}

std::string_view toString(CheckMode m) { return m == CheckMode::Fork ? "fork" : "in-process"; }

std::optional<CheckMode> checkModeFromString(std::string_view s) {
  if (s == "fork") return CheckMode::Fork;
  if (s == "in-process" || s == "inprocess") return CheckMode::InProcess;
  return std::nullopt;
}

std::string CheckReport::summary() const {
  std::ostringstream out;
  out << fmt::format("crash points explored: {}, schedules tried: {}\n", crashPoints, schedules);
  if (equivalentCrashPoints)
    out << fmt::format(
        "  crash points judged by an equivalent point's run (same persisted log, nothing observable "
        "between): {}\n",
        equivalentCrashPoints);
  for (std::size_t i = 0; i < kOracleCount; ++i)
    out << fmt::format("  {:<13} passed {:>6}  failed {:>6}\n", toString(static_cast<Oracle>(i)), passed[i], failed[i]);
  if (valueOverrideReferences)
    out << fmt::format(
        "  resumed runs judged against a crash-free run fed their step values (a re-run step returned "
        "another value): {}\n",
        valueOverrideReferences);
  for (const Finding& f : findings) {
    out << fmt::format("FINDING [{}] {}\n", toString(f.oracle), f.message);
    out << fmt::format("  schedule: {} ({} mode{})\n", describe(f.schedule), f.mode,
                       f.reproduced ? ", reproduced on re-run" : ", NOT reproduced on re-run (flaky)");
    out << fmt::format("  reproduce: --reproduce {}{}\n", toToken(f.schedule), f.mode == "fork" ? " --mode fork" : "");
  }
  out << (findings.empty() ? "OK: no findings\n" : fmt::format("{} finding(s)\n", findings.size()));
  return out.str();
}

CrashChecker::CrashChecker(RawHandler handler, Payload input, CheckOptions options)
    : handler_(std::move(handler)), input_(std::move(input)), options_(std::move(options)) {}

CrashChecker::~CrashChecker() = default;

RunTrace CrashChecker::run(const Schedule& schedule, bool withHistory) {
  return runImpl(schedule, withHistory, nullptr, false);
}

RunTrace CrashChecker::runImpl(const Schedule& schedule, bool withHistory, const Overrides* overrides,
                               bool markInvocations) {
  RunTrace trace;
  if (referenceKey_) {  // a crash run makes about as many updates as the reference
    trace.updates.reserve(reference_.updates.size() + 8);
    trace.bodyStarts.reserve(reference_.bodyStarts.size() + 4);
  }
  std::vector<CrashPoint> checkpointCrashes, midStepCrashes;
  for (const CrashPoint& c : schedule.crashes)
    (c.side == CrashSide::MidStep ? midStepCrashes : checkpointCrashes).push_back(c);
  auto byAt = [](const CrashPoint& a, const CrashPoint& b) { return a.at < b.at; };
  std::sort(checkpointCrashes.begin(), checkpointCrashes.end(), byAt);
  std::sort(midStepCrashes.begin(), midStepCrashes.end(), byAt);
  std::size_t nextCheckpointCrash = 0, nextMidStepCrash = 0;
  EffectLedger& ledger = EffectLedger::global();
  // Injected failures by step id, resolved from the wire ids as the steps START.
  std::vector<std::pair<std::string, int>> failing;

  RunnerOptions o;
  // The manual clock is needed only to answer callbacks at the schedule's times; without
  // callbacks the runner fires timers itself and the run is one runPayload().
  bool manualClock = markInvocations || referenceHasCallbacks_;
  o.skipTime = !manualClock;
  o.seed = schedule.jitterSeed;
  o.maxInvocations = options_.maxInvocations;
  if (schedule.branchSeed) o.scheduler = std::make_shared<SeededScheduler>(schedule.branchSeed);
  o.handlerConfig.plugins = options_.plugins;
  if (markInvocations) o.handlerConfig.plugins.push_back(std::make_shared<InvocationMarker>(trace));
  o.checkpointInterceptor = [&](const OperationUpdate& u, std::size_t seq) {
    CheckpointFate fate = CheckpointFate::Persist;
    while (nextCheckpointCrash < checkpointCrashes.size() && checkpointCrashes[nextCheckpointCrash].at < seq)
      ++nextCheckpointCrash;
    if (nextCheckpointCrash < checkpointCrashes.size() && checkpointCrashes[nextCheckpointCrash].at == seq) {
      fate = checkpointCrashes[nextCheckpointCrash].side == CrashSide::EffectLost ? CheckpointFate::DropAndCrash
                                                                                  : CheckpointFate::PersistAndCrash;
      ++nextCheckpointCrash;
      ++trace.crashesFired;
    }
    if (!schedule.stepFailures.empty() && u.action == OperationAction::Start)
      for (const StepFailure& f : schedule.stepFailures)
        if (f.operationId == u.id &&
            std::find(failing.begin(), failing.end(), std::pair(u.stepId, f.attempt)) == failing.end())
          failing.emplace_back(u.stepId, f.attempt);
    trace.updates.push_back({u, seq, fate, ledger.events()});
    if (ForkChannel* ch = ForkChannel::current())  // fork mode, in the child: tell the parent
      ch->send(Json{{"t", "u"},
                    {"u", toJson(u)},
                    {"seq", seq},
                    {"fate", static_cast<int>(fate)},
                    {"fx", trace.updates.back().effectsBefore},
                    {"next", nextCheckpointCrash},
                    {"crashes", trace.crashesFired},
                    {"failing", failing}});
    return fate;
  };
  // Runs inside the attempt: a crash here leaves the step STARTED, a throw fails the attempt.
  o.stepBodyObserver = [&](const StepBodyStart& body) {
    const std::string& stepId = body.stepId;
    const int attempt = body.attempt;
    std::size_t index = trace.bodyStarts.size();
    trace.bodyStarts.push_back({stepId, body.name, attempt, trace.updates.size(), ledger.events(), body.semantics});
    bool crash = nextMidStepCrash < midStepCrashes.size() && midStepCrashes[nextMidStepCrash].at == index;
    if (crash) {
      ++nextMidStepCrash;
      ++trace.crashesFired;
    }
    if (ForkChannel* ch = ForkChannel::current()) {
      const RunTrace::BodyStart& b = trace.bodyStarts.back();
      ch->send(Json{{"t", "b"},
                    {"id", b.stepId},
                    {"name", b.name ? Json(*b.name) : Json(nullptr)},
                    {"attempt", b.attempt},
                    {"ub", b.updatesBefore},
                    {"fx", b.effectsBefore},
                    {"sem", static_cast<int>(b.semantics)},
                    {"next", nextMidStepCrash},
                    {"crashes", trace.crashesFired}});
      if (crash) ch->die();  // fork mode: the process really dies as the body starts
    }
    if (crash) rwd::testing::simulateProcessCrash();  // the invocation times out as the body starts
    for (const auto& [id, a] : failing)
      if (id == stepId && a == attempt)
        throw InjectedStepFailure(fmt::format("injected failure of step {} attempt {}", stepId, attempt));
  };
  if (overrides)
    o.stepResultOverride = [overrides](const std::string& stepId, int, const Payload& result) {
      auto it = overrides->find(stepId);
      return it == overrides->end() ? result : it->second;
    };

  // Bodies that still call faultPoint() fail on the same attempts (already failed above).
  FaultPlan plan;
  for (const StepFailure& f : schedule.stepFailures) plan.failures.emplace_back(f.operationId, f.attempt);
  struct Install {
    const FaultPlan* prev;
    explicit Install(const FaultPlan* p) : prev(FaultPlan::active()) { FaultPlan::active() = p; }
    ~Install() { FaultPlan::active() = prev; }
  } install(&plan);
  ledger.clear();

  // Fork mode: every invocation runs in a child; what the seams above observe there (and
  // the effects the child records) comes back as observations, applied here to the
  // parent's trace and ledger in the order the child made them.
  struct ListenerReset {
    EffectLedger* ledger = nullptr;
    ~ListenerReset() {
      if (ledger) ledger->setListener(nullptr);
    }
  } listenerReset;
  if (options_.mode == CheckMode::Fork) {
    ledger.setListener([](const EffectLedger::Event& e) {
      if (ForkChannel* ch = ForkChannel::current())
        ch->send(Json{{"t", "e"},
                      {"kind", e.kind},
                      {"key", e.key},
                      {"idem", e.idempotencyKey ? Json(*e.idempotencyKey) : Json(nullptr)}});
    });
    listenerReset.ledger = &ledger;
    ForkExecutorOptions fo;
    fo.onObservation = [&](const Json& e) {
      const std::string& t = e.at("t").get_ref<const std::string&>();
      if (t == "u") {
        trace.updates.push_back({operationUpdateFromJson(e.at("u")), e.at("seq").get<std::size_t>(),
                                 static_cast<CheckpointFate>(e.at("fate").get<int>()), e.at("fx").get<std::size_t>()});
        nextCheckpointCrash = e.at("next").get<std::size_t>();
        trace.crashesFired = e.at("crashes").get<std::size_t>();
        failing = e.at("failing").get<std::vector<std::pair<std::string, int>>>();
      } else if (t == "b") {
        RunTrace::BodyStart b;
        b.stepId = e.at("id").get<std::string>();
        if (!e.at("name").is_null()) b.name = e.at("name").get<std::string>();
        b.attempt = e.at("attempt").get<int>();
        b.updatesBefore = e.at("ub").get<std::size_t>();
        b.effectsBefore = e.at("fx").get<std::size_t>();
        b.semantics = static_cast<StepSemantics>(e.at("sem").get<int>());
        trace.bodyStarts.push_back(std::move(b));
        nextMidStepCrash = e.at("next").get<std::size_t>();
        trace.crashesFired = e.at("crashes").get<std::size_t>();
      } else if (t == "i") {
        trace.invocationStarts.push_back(e.at("at").get<std::size_t>());
      } else if (t == "e") {
        EffectLedger::Event ev{e.at("kind").get<std::string>(), e.at("key").get<std::string>(), std::nullopt};
        if (!e.at("idem").is_null()) ev.idempotencyKey = e.at("idem").get<std::string>();
        ledger.apply(ev);
      }
    };
    o.invocationExecutor = makeForkExecutor(std::move(fo));
  }

  LocalDurableTestRunner runner(handler_, std::move(o));
  if (options_.configureRunner) options_.configureRunner(runner);
  const ExecutionResult* r = &runner.runPayload(schedule.input ? schedule.input : input_);

  // Callbacks: answered per the schedule, keyed by the order the callbacks appear.
  struct Pending {
    TimePoint at;
    std::string opId;
    CallbackAnswer answer;
    bool afterHeartbeat = false;
  };
  std::map<std::string, std::size_t> callbackIndex;
  std::vector<Pending> pending;
  for (int guard = 0; manualClock && r->getStatus() == ExecutionStatus::Running && guard < 100000; ++guard) {
    TimePoint now = runner.now();
    for (const Operation& op : r->getOperations()) {
      if (op.type != OperationType::Callback || op.status != OperationStatus::Started) continue;
      if (callbackIndex.count(op.id)) continue;
      std::size_t i = callbackIndex.size();
      callbackIndex.emplace(op.id, i);
      CallbackAnswer a =
          i < schedule.callbackAnswers.size() ? schedule.callbackAnswers[i] : options_.defaultCallbackAnswer;
      if (a.kind == CallbackAnswerKind::Timeout && op.callbackDetails && op.callbackDetails->timeoutSeconds) continue;
      pending.push_back({now + Duration{std::max<std::int64_t>(0, a.delaySeconds)}, op.id, a});
    }
    auto earliest = std::min_element(pending.begin(), pending.end(),
                                     [](const Pending& a, const Pending& b) { return a.at < b.at; });
    std::optional<TimePoint> timer = runner.nextTimer();
    if (earliest != pending.end() && (!timer || earliest->at <= *timer)) {
      Pending p = *earliest;
      pending.erase(earliest);
      if (p.at > now) r = &runner.advanceTime(std::chrono::ceil<Duration>(p.at - now));
      if (r->getStatus() != ExecutionStatus::Running) break;
      auto handle = runner.getOperationById(p.opId);
      auto op = handle.get();
      if (!op || op->status != OperationStatus::Started) continue;
      switch (p.afterHeartbeat ? CallbackAnswerKind::Success : p.answer.kind) {
        case CallbackAnswerKind::Success:
          handle.sendCallbackSuccess(p.answer.payload);
          break;
        case CallbackAnswerKind::Failure:
          handle.sendCallbackFailure({"CallbackRejected", "rejected by the checker's schedule", std::nullopt, {}});
          break;
        case CallbackAnswerKind::Timeout:
          handle.sendCallbackFailure({"Callback.Timeout", "callback timed out (checker schedule)", std::nullopt, {}});
          break;
        case CallbackAnswerKind::Heartbeat:
          handle.sendCallbackHeartbeat();
          pending.push_back(
              {runner.now() + Duration{std::max<std::int64_t>(1, p.answer.delaySeconds)}, p.opId, p.answer, true});
          break;
      }
      r = &runner.result();
      continue;
    }
    if (!timer) break;
    r = &runner.advanceToNextTimer();
  }

  trace.status = r->getStatus();
  trace.result = r->getResultPayload();
  trace.error = r->getError();
  trace.operations = r->getOperations();
  trace.blockedReason = r->getBlockedReason();
  trace.effects = ledger.counts();
  if (withHistory) {
    trace.history = r->historyJson();
    trace.executionJson = r->toJson();
    trace.chromeTrace = chromeTraceJson(buildTimeline(*r));
  }
  if (!manualClock && trace.status == ExecutionStatus::Running &&
      std::any_of(trace.operations.begin(), trace.operations.end(),
                  [](const Operation& op) { return op.type == OperationType::Callback; })) {
    // A callback the reference never created (the code is not deterministic): answer it
    // as the schedule says, on the manual clock.
    referenceHasCallbacks_ = true;
    RunTrace again = runImpl(schedule, withHistory, overrides, markInvocations);
    referenceHasCallbacks_ = false;
    return again;
  }
  return trace;
}

const RunTrace& CrashChecker::reference(const Schedule& base) {
  Schedule key = base;
  key.crashes.clear();
  if (!referenceKey_ || !(*referenceKey_ == key)) {
    refIndex_.reset();
    reference_ = runImpl(key, false, nullptr, true);
    referenceKey_ = key;
    referenceHasCallbacks_ = std::any_of(reference_.operations.begin(), reference_.operations.end(),
                                         [](const Operation& op) { return op.type == OperationType::Callback; });
    refIndex_ = std::make_unique<internal::RefIndex>(reference_);
  }
  return reference_;
}

std::optional<CrashChecker::Overrides> CrashChecker::variedValues(const RunTrace& ref, const RunTrace& t) const {
  const internal::RefIndex* index = &ref == &reference_ ? refIndex_.get() : nullptr;
  std::optional<internal::RefIndex> local;
  if (!index) index = &local.emplace(ref);
  bool varied = false;
  for (const Operation& op : t.operations) {
    if (op.type != OperationType::Step || op.status != OperationStatus::Succeeded || !op.stepDetails) continue;
    const Operation* r = index->op(op.id);
    if (!r || r->status != OperationStatus::Succeeded || !r->stepDetails ||
        !sameJsonText(op.stepDetails->result, r->stepDetails->result)) {
      varied = true;
      break;
    }
  }
  if (!varied) return std::nullopt;
  Overrides values;
  for (const Operation& op : t.operations)
    if (op.type == OperationType::Step && op.status == OperationStatus::Succeeded && op.stepDetails)
      values.emplace(op.stepId, op.stepDetails->result);
  return values;
}

std::vector<Finding> CrashChecker::judge(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                         CheckReport* report) const {
  return judgeImpl(ref, trace, schedule, report, false);
}

std::vector<Finding> CrashChecker::judgeImpl(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                             CheckReport* report, bool fedReference) const {
  std::vector<Finding> findings;
  const internal::RefIndex* index = &ref == &reference_ ? refIndex_.get() : nullptr;
  std::optional<internal::RefIndex> local;
  if (!index) index = &local.emplace(ref);
  Judge j{ref, *index, trace, schedule, options_, findings};
  j.valueReference = fedReference;
  j.determinism();
  j.result();
  j.exactlyOnce();
  j.rollback();
  j.appendOnly();
  if (report)
    for (std::size_t i = 0; i < kOracleCount; ++i) (j.failed[i] ? report->failed[i] : report->passed[i])++;
  return findings;
}

std::vector<Finding> CrashChecker::check(const Schedule& schedule, CheckReport* report) {
  const RunTrace& ref = reference(schedule);
  if (schedule.crashes.empty()) return judge(ref, ref, schedule, report);
  RunTrace t = run(schedule);
  if (std::optional<Overrides> values = variedValues(ref, t)) {
    // Legal variation: a re-run step returned another value. The reference is a crash-free
    // run whose bodies run live but whose step results are the values this run checkpointed.
    Schedule key = schedule;
    key.crashes.clear();
    RunTrace fed = runImpl(key, false, &*values, false);
    if (report) ++report->valueOverrideReferences;
    return judgeImpl(fed, t, schedule, report, true);
  }
  return judge(ref, t, schedule, report);
}

std::vector<CrashPoint> CrashChecker::crashPoints(const Schedule& base) {
  const RunTrace& ref = reference(base);
  std::vector<CrashPoint> points;
  for (const auto& u : ref.updates) {
    points.push_back({u.sequence, CrashSide::EffectLost});
    points.push_back({u.sequence, CrashSide::CheckpointPersisted});
  }
  if (options_.midStepCrashes)
    for (std::size_t i = 0; i < ref.bodyStarts.size(); ++i) points.push_back({i, CrashSide::MidStep});
  return points;
}

void CrashChecker::confirm(Finding& f) {
  Schedule key = f.schedule;
  key.crashes.clear();
  RunTrace ref = run(key, true);
  RunTrace t = f.schedule.crashes.empty() ? ref : run(f.schedule, true);
  bool fed = false;
  if (!f.schedule.crashes.empty())
    if (std::optional<Overrides> values = variedValues(ref, t)) {
      ref = runImpl(key, true, &*values, false);
      fed = true;
    }
  std::vector<Finding> again = judgeImpl(ref, f.schedule.crashes.empty() ? ref : t, f.schedule, nullptr, fed);
  f.reproduced = std::any_of(again.begin(), again.end(), [&](const Finding& g) { return g.oracle == f.oracle; });
  f.referenceHistory = ref.executionJson;
  f.failingHistory = t.executionJson;
  f.referenceTrace = ref.chromeTrace;
  f.failingTrace = t.chromeTrace;
}

namespace {

// For each crash point of `points` (as crashPoints() lists them), the index of an
// equivalent point whose run judges it, or its own index. Equivalent: the persisted log
// at the crash is the same and nothing observable happened between the two points in
// the crashed invocation (no step body started, no effect was recorded, no invocation
// began), so the resumed runs start from the same log and the same external world:
//   EffectLost at update j+1  ~  CheckpointPersisted at update j
//   MidStep at a body start   ~  CheckpointPersisted at the START right before it
//   EffectLost at a step's SUCCEED/FAIL/RETRY  ~  CheckpointPersisted at its START, when
//     its body was the only thing between them and recorded no effect
// The only difference is code between the two checkpoints outside any step (or a body
// without effects), whose in-memory effects a crash discards either way (state in
// statics is the faithful mode's business, see DESIGN.md). A body start counts as
// observable for at-most-once steps (their bodies are counted per attempt), so theirs
// are never merged.
std::vector<std::size_t> equivalentPoints(const RunTrace& ref, const std::vector<CrashPoint>& points,
                                          const std::set<std::string>& atMostOnceSteps) {
  std::vector<std::size_t> rep(points.size());
  for (std::size_t i = 0; i < rep.size(); ++i) rep[i] = i;
  const std::size_t n = ref.updates.size();
  if (points.size() < 2 * n) return rep;
  std::vector<bool> bodyBefore(n + 1, false);  // a body started after update j-1, before update j
  for (const auto& b : ref.bodyStarts)
    if (b.updatesBefore <= n) bodyBefore[b.updatesBefore] = true;
  std::vector<bool> invocationAt(n + 1, false);
  for (std::size_t s : ref.invocationStarts)
    if (s <= n) invocationAt[s] = true;
  // The body start between update j and j+1 when it is the only one and belongs to the
  // step update j STARTed.
  std::vector<const RunTrace::BodyStart*> onlyBody(n + 1, nullptr);
  std::vector<int> bodiesBefore(n + 1, 0);
  for (const auto& b : ref.bodyStarts)
    if (b.updatesBefore <= n && ++bodiesBefore[b.updatesBefore] == 1) onlyBody[b.updatesBefore] = &b;
  auto atMostOnce = [&](const RunTrace::BodyStart& b) { return isAtMostOnce(b, atMostOnceSteps); };
  for (std::size_t j = 0; j + 1 < n; ++j) {
    const auto& a = ref.updates[j];
    const auto& b = ref.updates[j + 1];
    if (points[2 * (j + 1)].side != CrashSide::EffectLost || points[2 * j + 1].side != CrashSide::CheckpointPersisted)
      continue;
    if (invocationAt[j + 1] || a.effectsBefore != b.effectsBefore) continue;
    if (ref.invocationStarts.empty()) continue;  // invocation boundaries unknown: merge nothing
    if (bodyBefore[j + 1]) {
      const RunTrace::BodyStart* body = bodiesBefore[j + 1] == 1 ? onlyBody[j + 1] : nullptr;
      bool ownBody = body && a.update.type == OperationType::Step && a.update.action == OperationAction::Start &&
                     b.update.id == a.update.id && b.update.action != OperationAction::Start &&
                     body->stepId == a.update.stepId && !atMostOnce(*body);
      if (!ownBody) continue;
    }
    rep[2 * (j + 1)] = 2 * j + 1;
  }
  for (std::size_t i = 2 * n; i < points.size(); ++i) {
    if (points[i].side != CrashSide::MidStep || points[i].at >= ref.bodyStarts.size()) continue;
    const auto& body = ref.bodyStarts[points[i].at];
    if (body.updatesBefore == 0) continue;
    std::size_t j = body.updatesBefore - 1;
    const auto& start = ref.updates[j];
    if (start.update.action != OperationAction::Start || start.update.stepId != body.stepId ||
        start.effectsBefore != body.effectsBefore || ref.invocationStarts.empty() || atMostOnce(body))
      continue;
    rep[i] = 2 * j + 1;
  }
  return rep;
}

}  // namespace

CheckReport CrashChecker::checkExhaustive(const Schedule& base, const ProgressFn& progress) {
  CheckReport report;
  Schedule crashFree = base;
  crashFree.crashes.clear();
  std::vector<Finding> all = check(crashFree, &report);
  ++report.schedules;
  std::vector<CrashPoint> points = crashPoints(base);
  std::vector<std::size_t> rep = equivalentPoints(reference(base), points, options_.atMostOnceSteps);
  // Verdicts of the runs made so far, by point index (for the points equivalent to them).
  struct Verdict {
    bool done = false;
    bool failed[kOracleCount] = {};
    bool valueOverride = false;
  };
  std::vector<Verdict> verdicts(points.size());
  std::size_t shards = std::max<std::size_t>(1, options_.shardCount);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % shards != options_.shardIndex) continue;
    Verdict& v = verdicts[rep[i]];
    if (!v.done) {
      Schedule s = crashFree;
      s.crashes = {points[rep[i]]};
      CheckReport one;
      auto found = check(s, &one);
      all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
      v.done = true;
      for (std::size_t o = 0; o < kOracleCount; ++o) v.failed[o] = one.failed[o] > 0;
      v.valueOverride = one.valueOverrideReferences > 0;
    } else {
      ++report.equivalentCrashPoints;
    }
    for (std::size_t o = 0; o < kOracleCount; ++o) (v.failed[o] ? report.failed[o] : report.passed[o])++;
    if (v.valueOverride) ++report.valueOverrideReferences;
    ++report.crashPoints;
    ++report.schedules;
    if (progress) progress(i + 1, points.size());
  }
  // One finding per oracle: the first one is already minimal (a single crash, or none).
  bool seen[kOracleCount] = {};
  for (Finding& f : all) {
    auto o = static_cast<std::size_t>(f.oracle);
    if (seen[o]) continue;
    seen[o] = true;
    if (options_.confirm) confirm(f);
    report.findings.push_back(std::move(f));
  }
  return report;
}

}  // namespace rwd::checker
