// The crash-injection engine: drives runs through the runner's seams (checkpoint
// interceptor, step-body observer, branch scheduler, manual clock) and judges them.
#include "rewind/checker/crash_checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "rewind/checker/fault_injection.hpp"
#include "rewind/history_json.hpp"

namespace rwd::checker {

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

std::map<std::string, const Operation*> byId(const std::vector<Operation>& ops) {
  std::map<std::string, const Operation*> m;
  for (const Operation& op : ops) m.emplace(op.id, &op);
  return m;
}

// Step ids whose checkpointed value differs between the runs: a legal variation when a
// step re-ran after its checkpoint was lost.
std::vector<std::string> variedSteps(const RunTrace& ref, const RunTrace& t) {
  std::vector<std::string> out;
  auto refOps = byId(ref.operations);
  for (const Operation& op : t.operations) {
    if (op.type != OperationType::Step || op.status != OperationStatus::Succeeded) continue;
    auto it = refOps.find(op.id);
    if (it == refOps.end() || it->second->status != OperationStatus::Succeeded) continue;
    if (!sameJsonText(op.stepDetails->result, it->second->stepDetails->result)) out.push_back(op.stepId);
  }
  return out;
}

struct Judge {
  const RunTrace& ref;
  const RunTrace& t;
  const Schedule& schedule;
  const CheckOptions& options;
  std::vector<Finding>& findings;
  bool failed[kOracleCount] = {};

  void report(Oracle o, std::string message) {
    failed[static_cast<std::size_t>(o)] = true;
    Finding f;
    f.oracle = o;
    f.message = std::move(message);
    f.schedule = schedule;
    findings.push_back(std::move(f));
  }

  void determinism() {
    if (t.error && (t.error->errorType == "NonDeterministicExecutionError" ||
                    t.error->errorMessage.find("[rewind.suspension.swallowed]") != std::string::npos ||
                    t.error->errorType == "InvalidCheckpointError")) {
      report(Oracle::Determinism, fmt::format("the execution failed with {}: {}", t.error->errorType,
                                              t.error->errorMessage));
      return;
    }
    if (&ref == &t) return;
    // Operation identity and arguments, position by position (ids are positional).
    std::map<std::string, const OperationUpdate*> refStarts;
    for (const auto& u : ref.updates)
      if (u.update.action == OperationAction::Start) refStarts.emplace(u.update.id, &u.update);
    auto refOps = byId(ref.operations);
    for (const Operation& op : t.operations) {
      auto it = refOps.find(op.id);
      if (it == refOps.end()) continue;
      const Operation& r = *it->second;
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
      auto it = refStarts.find(u.update.id);
      if (it == refStarts.end()) continue;
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

  void result(bool varied) {
    if (&ref == &t) return;
    bool same = t.status == ref.status;
    if (same && t.status == ExecutionStatus::Succeeded) same = sameJsonText(t.result, ref.result);
    if (same && t.status != ExecutionStatus::Succeeded && t.error && ref.error)
      same = t.error->errorType == ref.error->errorType && t.error->errorMessage == ref.error->errorMessage;
    if (same) return;
    if (varied) return;  // counted as skipped by the caller
    std::string why = t.status == ExecutionStatus::Running ? fmt::format(" ({})", t.blockedReason) : std::string();
    report(Oracle::Result,
           fmt::format("the resumed execution ended {}{}, but the crash-free run ended {}; every step returned the "
                       "same checkpointed values, so state outside the checkpoints (a closure variable mutated in a "
                       "step, a static, a cache) changed the outcome",
                       describeOutcome(t.status, t.result, t.error), why,
                       describeOutcome(ref.status, ref.result, ref.error)));
  }

  void exactlyOnce(bool varied) {
    // 1. No body runs after its step's SUCCEED/FAIL was persisted.
    std::map<std::string, std::size_t> completedAt;  // stepId -> update index
    for (std::size_t i = 0; i < t.updates.size(); ++i) {
      const auto& u = t.updates[i];
      if (u.fate == CheckpointFate::DropAndCrash) continue;
      if (u.update.type == OperationType::Step &&
          (u.update.action == OperationAction::Succeed || u.update.action == OperationAction::Fail))
        completedAt.emplace(u.update.stepId, i);
    }
    std::map<std::pair<std::string, int>, int> runs;
    for (const auto& b : t.bodyStarts) {
      auto it = completedAt.find(b.stepId);
      if (it != completedAt.end() && it->second < b.updatesBefore) {
        report(Oracle::ExactlyOnce, fmt::format("step {} ran again (attempt {}) after its completion was persisted",
                                                opLabel(b.name, b.stepId), b.attempt));
        return;
      }
      if (b.name && options.atMostOnceSteps.count(*b.name) && ++runs[{b.stepId, b.attempt}] > 1) {
        report(Oracle::ExactlyOnce, fmt::format("at-most-once step {} ran twice in attempt {}",
                                                opLabel(b.name, b.stepId), b.attempt));
        return;
      }
    }
    // 2. Effects as the external world sees them.
    if (&ref == &t) return;
    auto describeKey = [](const std::pair<std::string, std::string>& k) {
      return fmt::format("({}, {})", k.first, k.second);
    };
    if (!varied) {
      std::set<std::pair<std::string, std::string>> keys;
      for (const auto& [k, n] : ref.effects) keys.insert(k);
      for (const auto& [k, n] : t.effects) keys.insert(k);
      for (const auto& k : keys) {
        int a = t.effects.count(k) ? t.effects.at(k) : 0;
        int b = ref.effects.count(k) ? ref.effects.at(k) : 0;
        if (a != b) {
          report(Oracle::ExactlyOnce,
                 fmt::format("effect {} happened {} time{} after the crash, {} time{} in the crash-free run: {}",
                             describeKey(k), a, a == 1 ? "" : "s", b, b == 1 ? "" : "s",
                             a > b ? "a step re-ran a non-idempotent effect (use an idempotency key)"
                                   : "an effect was lost"));
          return;
        }
      }
    } else {
      std::map<std::string, int> ka, kb;
      for (const auto& [k, n] : t.effects) ka[k.first] += n;
      for (const auto& [k, n] : ref.effects) kb[k.first] += n;
      if (ka != kb)
        for (const auto& [kind, n] : ka)
          if (kb[kind] != n) {
            report(Oracle::ExactlyOnce, fmt::format("effects of kind '{}' happened {} times after the crash, {} times "
                                                    "in the crash-free run",
                                                    kind, n, kb[kind]));
            return;
          }
    }
  }

  void rollback() {
    const auto& ops = t.operations;
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < ops.size(); ++i) position[ops[i].id] = i;
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
        report(Oracle::Rollback, fmt::format("compensation {} completed twice", opLabel(u.update.name, u.update.stepId)));
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
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < t.operations.size(); ++i) position[t.operations[i].id] = i;
    std::map<std::string, const OperationUpdate*> terminal;
    std::optional<std::size_t> lastPos;
    std::set<std::string> seen;
    for (const auto& u : t.updates) {
      if (u.fate == CheckpointFate::DropAndCrash || u.update.type == OperationType::Execution) continue;
      const OperationUpdate& up = u.update;
      auto pos = position.find(up.id);
      if (pos == position.end()) {
        report(Oracle::AppendOnly,
               fmt::format("operation {} was persisted ({}) but is missing from the final log",
                           opLabel(up.name, up.stepId), toString(up.action)));
        return;
      }
      if (seen.insert(up.id).second) {
        if (lastPos && pos->second < *lastPos) {
          report(Oracle::AppendOnly, fmt::format("operation {} moved in the log: persisted after another operation "
                                                 "but now listed before it",
                                                 opLabel(up.name, up.stepId)));
          return;
        }
        lastPos = pos->second;
      }
      if (up.action == OperationAction::Succeed || up.action == OperationAction::Fail) terminal[up.id] = &up;
    }
    for (const auto& [id, up] : terminal) {
      const Operation& op = t.operations[position[id]];
      bool ok = up->action == OperationAction::Succeed ? op.status == OperationStatus::Succeeded
                                                       : op.status == OperationStatus::Failed;
      if (ok && up->action == OperationAction::Succeed && !up->replayChildren)
        if (const Payload* v = checkpointedValue(op)) ok = *v == up->payload;
      if (!ok) {
        report(Oracle::AppendOnly, fmt::format("operation {} was persisted as {} but the final log holds it {}: the "
                                               "persisted log was rewritten",
                                               opLabel(up->name, up->stepId), toString(up->action),
                                               toString(op.status)));
        return;
      }
    }
  }
};

}  // namespace

std::string_view toString(Oracle o) {
  switch (o) {
    case Oracle::Determinism: return "determinism";
    case Oracle::Result: return "result";
    case Oracle::ExactlyOnce: return "exactly-once";
    case Oracle::Rollback: return "rollback";
    case Oracle::AppendOnly: return "append-only";
  }
  return "?";
}

std::string CheckReport::summary() const {
  std::ostringstream out;
  out << fmt::format("crash points explored: {}, schedules tried: {}\n", crashPoints, schedules);
  for (std::size_t i = 0; i < kOracleCount; ++i)
    out << fmt::format("  {:<13} passed {:>6}  failed {:>6}\n", toString(static_cast<Oracle>(i)), passed[i], failed[i]);
  if (skippedLegalVariation)
    out << fmt::format("  result comparisons skipped for legal variation (a re-run step returned another value): {}\n",
                       skippedLegalVariation);
  for (const Finding& f : findings) {
    out << fmt::format("FINDING [{}] {}\n", toString(f.oracle), f.message);
    out << fmt::format("  schedule: {} ({} mode{})\n", describe(f.schedule), f.mode,
                       f.reproduced ? ", reproduced on re-run" : ", NOT reproduced on re-run (flaky)");
    out << fmt::format("  reproduce: --reproduce {}\n", toToken(f.schedule));
  }
  out << (findings.empty() ? "OK: no findings\n" : fmt::format("{} finding(s)\n", findings.size()));
  return out.str();
}

CrashChecker::CrashChecker(RawHandler handler, Payload input, CheckOptions options)
    : handler_(std::move(handler)), input_(std::move(input)), options_(std::move(options)) {}

RunTrace CrashChecker::run(const Schedule& schedule, bool withHistory) {
  RunTrace trace;
  std::vector<CrashPoint> checkpointCrashes, midStepCrashes;
  for (const CrashPoint& c : schedule.crashes)
    (c.side == CrashSide::MidStep ? midStepCrashes : checkpointCrashes).push_back(c);
  auto byAt = [](const CrashPoint& a, const CrashPoint& b) { return a.at < b.at; };
  std::sort(checkpointCrashes.begin(), checkpointCrashes.end(), byAt);
  std::sort(midStepCrashes.begin(), midStepCrashes.end(), byAt);
  std::size_t nextCheckpointCrash = 0, nextMidStepCrash = 0;

  RunnerOptions o;
  o.skipTime = false;  // the checker drives the clock to answer callbacks at chosen times
  o.seed = schedule.jitterSeed;
  o.maxInvocations = options_.maxInvocations;
  if (schedule.branchSeed) o.scheduler = std::make_shared<SeededScheduler>(schedule.branchSeed);
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
    trace.updates.push_back({u, seq, fate});
    return fate;
  };
  o.stepBodyObserver = [&](const std::string& stepId, const std::optional<std::string>& name, int attempt) {
    std::size_t index = trace.bodyStarts.size();
    trace.bodyStarts.push_back({stepId, name, attempt, trace.updates.size()});
    if (nextMidStepCrash < midStepCrashes.size() && midStepCrashes[nextMidStepCrash].at == index) {
      ++nextMidStepCrash;
      ++trace.crashesFired;
      rwd::testing::simulateProcessCrash();  // the invocation times out as the body starts
    }
  };

  FaultPlan plan;
  for (const StepFailure& f : schedule.stepFailures) plan.failures.emplace_back(f.operationId, f.attempt);
  struct Install {
    const FaultPlan* prev;
    explicit Install(const FaultPlan* p) : prev(FaultPlan::active()) { FaultPlan::active() = p; }
    ~Install() { FaultPlan::active() = prev; }
  } install(&plan);
  EffectLedger::global().clear();

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
  for (int guard = 0; r->getStatus() == ExecutionStatus::Running && guard < 100000; ++guard) {
    TimePoint now = runner.now();
    for (const Operation& op : r->getOperations()) {
      if (op.type != OperationType::Callback || op.status != OperationStatus::Started) continue;
      if (callbackIndex.count(op.id)) continue;
      std::size_t i = callbackIndex.size();
      callbackIndex.emplace(op.id, i);
      CallbackAnswer a = i < schedule.callbackAnswers.size() ? schedule.callbackAnswers[i]
                                                              : options_.defaultCallbackAnswer;
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
        case CallbackAnswerKind::Success: handle.sendCallbackSuccess(p.answer.payload); break;
        case CallbackAnswerKind::Failure:
          handle.sendCallbackFailure({"CallbackRejected", "rejected by the checker's schedule", std::nullopt, {}});
          break;
        case CallbackAnswerKind::Timeout:
          handle.sendCallbackFailure({"Callback.Timeout", "callback timed out (checker schedule)", std::nullopt, {}});
          break;
        case CallbackAnswerKind::Heartbeat:
          handle.sendCallbackHeartbeat();
          pending.push_back({runner.now() + Duration{std::max<std::int64_t>(1, p.answer.delaySeconds)}, p.opId,
                             p.answer, true});
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
  trace.effects = EffectLedger::global().counts();
  if (withHistory) {
    trace.history = r->historyJson();
    trace.executionJson = r->toJson();
  }
  return trace;
}

const RunTrace& CrashChecker::reference(const Schedule& base) {
  Schedule key = base;
  key.crashes.clear();
  if (!referenceKey_ || !(*referenceKey_ == key)) {
    reference_ = run(key);
    referenceKey_ = key;
  }
  return reference_;
}

std::vector<Finding> CrashChecker::judge(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                         CheckReport* report) const {
  std::vector<Finding> findings;
  Judge j{ref, trace, schedule, options_, findings};
  bool varied = &ref != &trace && !variedSteps(ref, trace).empty();
  j.determinism();
  j.result(varied);
  j.exactlyOnce(varied);
  j.rollback();
  j.appendOnly();
  if (report) {
    for (std::size_t i = 0; i < kOracleCount; ++i) (j.failed[i] ? report->failed[i] : report->passed[i])++;
    bool resultDiffers = trace.status != ref.status || !sameJsonText(trace.result, ref.result);
    if (varied && resultDiffers) ++report->skippedLegalVariation;
  }
  return findings;
}

std::vector<Finding> CrashChecker::check(const Schedule& schedule, CheckReport* report) {
  const RunTrace& ref = reference(schedule);
  if (schedule.crashes.empty()) return judge(ref, ref, schedule, report);
  RunTrace t = run(schedule);
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
  std::vector<Finding> again = judge(ref, f.schedule.crashes.empty() ? ref : t, f.schedule);
  f.reproduced = std::any_of(again.begin(), again.end(), [&](const Finding& g) { return g.oracle == f.oracle; });
  f.referenceHistory = ref.executionJson;
  f.failingHistory = t.executionJson;
}

CheckReport CrashChecker::checkExhaustive(const Schedule& base, const ProgressFn& progress) {
  CheckReport report;
  Schedule crashFree = base;
  crashFree.crashes.clear();
  std::vector<Finding> all = check(crashFree, &report);
  ++report.schedules;
  std::vector<CrashPoint> points = crashPoints(base);
  std::size_t shards = std::max<std::size_t>(1, options_.shardCount);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % shards != options_.shardIndex) continue;
    Schedule s = crashFree;
    s.crashes = {points[i]};
    auto found = check(s, &report);
    all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
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
