// The crash-injection engine: drives runs through the runner's seams (checkpoint
// interceptor, step-body observer, branch scheduler, manual clock) and judges them
// (judge.cpp); every crash point gets its own run unless the user asks for the
// approximate merging of equivalent points.
#include "rewind/checker/crash_checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>
#include <unordered_map>

#include "judge.hpp"
#include "rewind/checker/fault_injection.hpp"
#include "rewind/checker/fork_executor.hpp"
#include "rewind/history_json.hpp"
#include "rewind/plugin.hpp"
#include "rewind/plugins/chrome_trace.hpp"

namespace rwd::checker {

namespace internal {

// A reference run of one mode, with its lookups, and (in-process) the execution's state
// before each of its checkpoint updates and its ledger events, so that a crash run can
// start at its crash point instead of re-running the same crash-free prefix.
struct RefCache {
  std::optional<Schedule> key;
  RunTrace trace;
  std::unique_ptr<RefIndex> index;
  bool hasCallbacks = true;
  std::vector<std::shared_ptr<const CrashSnapshot>> snapshots;  // by update index; may end early
  // Runs still planned to resume from each snapshot (checkExhaustive): the last one takes
  // the snapshot over instead of copying it.
  std::vector<std::uint32_t> snapshotUses;
  std::vector<EffectLedger::Event> effects;
};

// A crash run started from the reference's state at its crash point.
struct Resume {
  std::size_t snapshot = 0;                    // index into RefCache::snapshots
  const OperationUpdate* persisted = nullptr;  // CheckpointPersisted: applied before the crash
  std::size_t nextSequence = 0;
  std::size_t updates = 0;  // reference updates the crash run shares (the last with `fate`)
  std::optional<CheckpointFate> fate;
  std::size_t bodies = 0;   // reference body starts it shares
  std::size_t effects = 0;  // reference ledger events it shares
};

// Operations copied into snapshots at most (about 1 KB each with their history): past it,
// later crash points re-run their prefix instead.
inline constexpr std::size_t kSnapshotBudget = 100000;

// One planned action on a callback, at a virtual time.
struct CallbackAction {
  TimePoint at;
  std::string opId;
  CallbackResponse::Kind kind = CallbackResponse::Kind::Success;
  Payload payload;
  ErrorObject error;
};

}  // namespace internal

using internal::CallbackAction;

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
  std::size_t pick(const std::vector<std::size_t>& runnable) override { return among(runnable, runnable.size()); }
  // Items an earlier invocation started go first (in a random order among them): a crash
  // must not let new items overtake an item it interrupted, which no crash-free run does
  // (a picked item runs until it ends or suspends), and so change which items a batch
  // that completes early reports.
  std::size_t choose(const BranchChoice& choice) override {
    return among(choice.runnable, choice.resumed ? choice.resumed : choice.runnable.size());
  }

 private:
  std::size_t among(const std::vector<std::size_t>& runnable, std::size_t first) {
    state_ = splitmix64(state_);
    return runnable[state_ % first];
  }

  std::uint64_t state_;
};

// A crash-free run fed a crash run's item order: each batch starts, among its runnable
// items, the first in the order the crash run started them (then the lowest index).
class FedOrderScheduler final : public BranchScheduler {
 public:
  explicit FedOrderScheduler(std::map<std::string, std::vector<std::size_t>, std::less<>> orders)
      : orders_(std::move(orders)) {}
  std::size_t pick(const std::vector<std::size_t>& runnable) override { return runnable.front(); }
  std::size_t choose(const BranchChoice& choice) override {
    if (auto it = orders_.find(choice.batchStepId); it != orders_.end())
      for (std::size_t i : it->second)
        if (std::find(choice.runnable.begin(), choice.runnable.end(), i) != choice.runnable.end()) return i;
    return choice.runnable.front();
  }

 private:
  std::map<std::string, std::vector<std::size_t>, std::less<>> orders_;
};

// Per batch, the order in which the run's persisted item STARTs came (a START the crash
// dropped never reached the service).
std::map<std::string, std::vector<std::size_t>, std::less<>> itemStartOrders(const RunTrace& t) {
  std::map<std::string, std::vector<std::size_t>, std::less<>> orders;
  for (const auto& u : t.updates) {
    const OperationUpdate& up = u.update;
    if (u.fate == CheckpointFate::DropAndCrash || up.type != OperationType::Context ||
        up.action != OperationAction::Start ||
        (up.subType != OperationSubType::MapIteration && up.subType != OperationSubType::ParallelBranch))
      continue;
    const std::size_t dash = up.stepId.rfind('-');
    if (dash == std::string::npos) continue;
    std::size_t k = 0;
    const char* first = up.stepId.data() + dash + 1;
    const char* last = up.stepId.data() + up.stepId.size();
    if (std::from_chars(first, last, k).ptr != last || k == 0) continue;
    std::vector<std::size_t>& order = orders[up.stepId.substr(0, dash)];
    if (std::find(order.begin(), order.end(), k - 1) == order.end()) order.push_back(k - 1);
  }
  return orders;
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

bool hasCallbacks(const RunTrace& t) {
  return std::any_of(t.operations.begin(), t.operations.end(),
                     [](const Operation& op) { return op.type == OperationType::Callback; });
}

// The names a callback answers to: its own and, for waitForCallback, the operation's.
std::vector<std::string> callbackNames(const Operation& op, const std::vector<Operation>& ops) {
  std::vector<std::string> names;
  if (op.name) names.push_back(*op.name);
  if (op.parentId)
    for (const Operation& p : ops)
      if (p.id == *op.parentId && p.subType == OperationSubType::WaitForCallback && p.name) names.push_back(*p.name);
  return names;
}

}  // namespace

CrashChecker::CrashChecker(RawHandler handler, Payload input, CheckOptions options)
    : handler_(std::move(handler)), input_(std::move(input)), options_(std::move(options)) {
  mode_ = options_.mode == CheckMode::Fork ? CheckMode::Fork : CheckMode::InProcess;
}

CrashChecker::~CrashChecker() = default;

void CrashChecker::useMode(CheckMode m) { mode_ = m == CheckMode::Fork ? CheckMode::Fork : CheckMode::InProcess; }

internal::RefCache& CrashChecker::refCache() {
  auto& slot = refs_[mode_ == CheckMode::Fork ? 1 : 0];
  if (!slot) slot = std::make_unique<internal::RefCache>();
  return *slot;
}

RunTrace CrashChecker::run(const Schedule& schedule, bool withHistory) {
  // A run resumed from the reference's state has no history before its crash point (the
  // reference keeps none): runs whose history is reported re-run their prefix.
  if (!withHistory)
    if (std::optional<internal::Resume> r = resumePoint(schedule)) return runImpl(schedule, false, nullptr, false, &*r);
  return runImpl(schedule, withHistory, nullptr, false);
}

std::optional<internal::Resume> CrashChecker::resumePoint(const Schedule& schedule) {
  if (mode_ != CheckMode::InProcess || options_.setup || schedule.crashes.size() != 1 ||
      !schedule.stepFailures.empty() || schedule.branchSeed != 0)
    return std::nullopt;
  internal::RefCache& cache = refCache();
  Schedule key = schedule;
  key.crashes.clear();
  if (!cache.key || !(*cache.key == key) || cache.hasCallbacks) return std::nullopt;
  const RunTrace& ref = cache.trace;
  const CrashPoint& c = schedule.crashes.front();
  internal::Resume r;
  std::size_t k = 0;
  if (c.side == CrashSide::MidStep) {
    if (c.at >= ref.bodyStarts.size()) return std::nullopt;
    const RunTrace::BodyStart& b = ref.bodyStarts[c.at];
    k = b.updatesBefore;  // the body's own checkpoint comes next, in the same invocation
    r.updates = k;
    r.bodies = c.at + 1;
    r.effects = b.effectsBefore;
  } else {
    k = c.at;
    if (k >= ref.updates.size() || ref.updates[k].sequence != c.at) return std::nullopt;
    r.updates = k + 1;
    r.fate = c.side == CrashSide::EffectLost ? CheckpointFate::DropAndCrash : CheckpointFate::PersistAndCrash;
    if (c.side == CrashSide::CheckpointPersisted) r.persisted = &ref.updates[k].update;
    r.bodies =
        static_cast<std::size_t>(std::count_if(ref.bodyStarts.begin(), ref.bodyStarts.end(),
                                               [k](const RunTrace::BodyStart& b) { return b.updatesBefore <= k; }));
    r.effects = ref.updates[k].effectsBefore;
  }
  // The execution's own outcome is not a checkpoint the records hold: re-run those.
  if (k >= ref.updates.size() || k >= cache.snapshots.size() || !cache.snapshots[k] ||
      ref.updates[k].update.type == OperationType::Execution || r.effects > cache.effects.size())
    return std::nullopt;
  r.snapshot = k;
  r.nextSequence = ref.updates[k].sequence + (c.side == CrashSide::MidStep ? 0 : 1);
  return r;
}

void CrashChecker::planSnapshotUses(const Schedule& crashFree, const std::vector<CrashPoint>& points,
                                    const std::vector<std::size_t>& rep, std::size_t shards) {
  internal::RefCache& cache = refCache();
  cache.snapshotUses.assign(cache.snapshots.size(), 0);
  std::vector<bool> planned(points.size(), false);  // as checkExhaustive runs them: each representative once
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % shards != options_.shardIndex || planned[rep[i]]) continue;
    planned[rep[i]] = true;
    Schedule s = crashFree;
    s.crashes = {points[rep[i]]};
    if (std::optional<internal::Resume> r = resumePoint(s)) ++cache.snapshotUses[r->snapshot];
  }
}

std::string CrashChecker::Feed::describe() const {
  std::vector<std::string_view> parts;
  if (values) parts.push_back("the same step values");
  if (orders) parts.push_back("the same item order");
  if (interrupted) parts.push_back("the same interrupted at-most-once steps");
  return fmt::format("{}", fmt::join(parts, " and "));
}

RunTrace CrashChecker::runImpl(const Schedule& schedule, bool withHistory, const Feed* feed, bool markInvocations,
                               const internal::Resume* resume) {
  RunTrace trace;
  internal::RefCache& cache = refCache();
  if (resume) {  // the crash-free prefix, as the reference run made it: shared, not copied
    const std::size_t shared = resume->updates - (resume->fate ? 1 : 0);
    trace.updates.assignPrefix(cache.trace.updates, shared);
    if (resume->fate) {  // the crashed update: the reference's, with the crash's fate
      RunTrace::Update crashed = cache.trace.updates[shared];
      crashed.fate = *resume->fate;
      trace.updates.push_back(std::move(crashed));
    }
    trace.bodyStarts.assignPrefix(cache.trace.bodyStarts, resume->bodies);
    trace.crashesFired = 1;
  }
  if (cache.key) {  // a crash run makes about as many updates as the reference
    trace.updates.reserve(cache.trace.updates.size() + 8);
    trace.bodyStarts.reserve(cache.trace.bodyStarts.size() + 4);
  }
  // The reference run (in-process, no world setup) records its state before each update.
  const bool capture = markInvocations && mode_ == CheckMode::InProcess && !options_.setup;
  std::size_t snapshotCost = 0;
  LocalDurableTestRunner* runnerPtr = nullptr;
  std::vector<CrashPoint> checkpointCrashes, midStepCrashes;
  for (const CrashPoint& c : schedule.crashes)
    (c.side == CrashSide::MidStep ? midStepCrashes : checkpointCrashes).push_back(c);
  auto byAt = [](const CrashPoint& a, const CrashPoint& b) { return a.at < b.at; };
  std::sort(checkpointCrashes.begin(), checkpointCrashes.end(), byAt);
  std::sort(midStepCrashes.begin(), midStepCrashes.end(), byAt);
  std::size_t nextCheckpointCrash = resume ? checkpointCrashes.size() : 0;
  std::size_t nextMidStepCrash = resume ? midStepCrashes.size() : 0;
  EffectLedger& ledger = EffectLedger::global();
  // Injected failures by step id, resolved from the wire ids as the steps START.
  std::vector<std::pair<std::string, int>> failing;

  RunnerOptions o;
  // The manual clock is needed only to answer callbacks at the schedule's times; without
  // callbacks the runner fires timers itself and the run is one runPayload().
  bool manualClock = markInvocations || cache.hasCallbacks;
  o.skipTime = !manualClock;
  o.seed = schedule.jitterSeed;
  o.maxInvocations = options_.maxInvocations;
  o.invocationTimeout = options_.invocationTimeout;
  o.invocationTimeoutGrace = options_.invocationTimeoutGrace;
  o.interceptExecutionOutcome = true;  // the crash point between "handler returned" and its outcome
  o.recordHistory = withHistory;       // only the confirming runs' reports show histories
  if (feed && feed->orders)
    o.scheduler = std::make_shared<FedOrderScheduler>(*feed->orders);
  else if (schedule.branchSeed)
    o.scheduler = std::make_shared<SeededScheduler>(schedule.branchSeed);
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
    if (capture && runnerPtr) {
      snapshotCost += trace.updates.size() / 2 + 1;  // about the operations the copy holds
      cache.snapshots.push_back(snapshotCost <= internal::kSnapshotBudget ? runnerPtr->crashSnapshot() : nullptr);
    }
    if (!schedule.stepFailures.empty() && u.action == OperationAction::Start)
      for (const StepFailure& f : schedule.stepFailures)
        if (f.operationId == u.id &&
            std::find(failing.begin(), failing.end(), std::pair(u.stepId, f.attempt)) == failing.end())
          failing.emplace_back(u.stepId, f.attempt);
    trace.updates.emplace_back(u, seq, fate, ledger.events());  // built in place
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
  // The fed interruption of a step attempt (null: none).
  auto interruption = [feed](const std::string& stepId, int attempt) -> const Interruption* {
    if (!feed || !feed->interrupted) return nullptr;
    auto it = feed->interrupted->find(std::pair(stepId, attempt));
    return it == feed->interrupted->end() ? nullptr : &it->second;
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
    const bool injected = std::find(failing.begin(), failing.end(), std::pair(stepId, attempt)) != failing.end();
    // An attempt the crash run's crash interrupted fails with its error here when its body
    // had not run there (or an injected failure stopped it before the body).
    if (const Interruption* in = interruption(stepId, attempt); in && (!in->bodyRan || injected))
      throw StepError::fromObject(in->error);
    if (injected) throw InjectedStepFailure(fmt::format("injected failure of step {} attempt {}", stepId, attempt));
  };
  // One whose body ran there (its outcome was lost with the crash) fails after the body,
  // whether the body returned or threw.
  auto failInterrupted = [interruption](const std::string& stepId, int attempt) {
    if (const Interruption* in = interruption(stepId, attempt); in && in->bodyRan) throw StepError::fromObject(in->error);
  };
  if (feed && feed->interrupted) o.stepErrorOverride = failInterrupted;
  if (feed && (feed->values || feed->interrupted))
    o.stepResultOverride = [feed, failInterrupted](const std::string& stepId, int attempt, const Payload& result) {
      failInterrupted(stepId, attempt);
      if (!feed->values) return result;
      auto it = feed->values->find(stepId);
      return it == feed->values->end() ? result : it->second;
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
  if (resume)
    for (std::size_t i = 0; i < resume->effects; ++i) ledger.apply(cache.effects[i]);

  // Fork mode: every invocation runs in a child; what the seams above observe there (and
  // the effects the child records) comes back as observations, applied here to the
  // parent's trace and ledger in the order the child made them.
  struct ListenerReset {
    EffectLedger* ledger = nullptr;
    ~ListenerReset() {
      if (ledger) ledger->setListener(nullptr);
    }
  } listenerReset;
  if (capture) {
    ledger.setListener([&cache](const EffectLedger::Event& e) { cache.effects.push_back(e); });
    listenerReset.ledger = &ledger;
  }
  if (mode_ == CheckMode::Fork) {
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

  // The world is reset once per explored execution, never per invocation.
  if (options_.setup) options_.setup();
  LocalDurableTestRunner runner(handler_, std::move(o));
  runnerPtr = &runner;
  if (options_.configureRunner) options_.configureRunner(runner);
  const ExecutionResult* r = nullptr;
  if (resume) {
    std::shared_ptr<const CrashSnapshot> snapshot = cache.snapshots[resume->snapshot];
    if (resume->snapshot < cache.snapshotUses.size() && cache.snapshotUses[resume->snapshot] > 0 &&
        --cache.snapshotUses[resume->snapshot] == 0)
      cache.snapshots[resume->snapshot].reset();  // its last planned run: moved, not copied
    r = &runner.resumeAfterCrash(std::move(snapshot), resume->persisted, resume->nextSequence);
  } else {
    r = &runner.runPayload(schedule.input ? schedule.input : input_);
  }

  // Callbacks: answered as the user declared (CheckOptions::callbackResponders, consumed in
  // order like the runner's responders), or as the schedule varies them (property mode:
  // kinds and delays; payloads only from the user's generators). Never an invented payload.
  std::vector<bool> ruleUsed(options_.callbackResponders.size(), false);
  std::map<std::string, std::size_t> callbackIndex;
  std::vector<CallbackAction> pending;
  for (int guard = 0; manualClock && r->getStatus() == ExecutionStatus::Running && guard < 100000; ++guard) {
    TimePoint now = runner.now();
    const std::vector<Operation>& ops = r->getOperations();
    for (const Operation& op : ops) {
      if (op.type != OperationType::Callback || op.status != OperationStatus::Started) continue;
      if (callbackIndex.count(op.id)) continue;
      std::size_t i = callbackIndex.size();
      callbackIndex.emplace(op.id, i);
      planCallback(op, callbackNames(op, ops),
                   i < schedule.callbackAnswers.size() ? &schedule.callbackAnswers[i] : nullptr, now, ruleUsed,
                   pending);
    }
    auto earliest = std::min_element(pending.begin(), pending.end(),
                                     [](const CallbackAction& a, const CallbackAction& b) { return a.at < b.at; });
    std::optional<TimePoint> timer = runner.nextTimer();
    if (earliest != pending.end() && (!timer || earliest->at <= *timer)) {
      CallbackAction p = *earliest;
      pending.erase(earliest);
      if (p.at > now) r = &runner.advanceTime(std::chrono::ceil<Duration>(p.at - now));
      if (r->getStatus() != ExecutionStatus::Running) break;
      auto handle = runner.getOperationById(p.opId);
      auto op = handle.get();
      if (!op || op->status != OperationStatus::Started) continue;
      switch (p.kind) {
        case CallbackResponse::Kind::Success:
          handle.sendCallbackSuccess(p.payload);
          break;
        case CallbackResponse::Kind::Failure:
          handle.sendCallbackFailure(p.error);
          break;
        case CallbackResponse::Kind::Heartbeat:
          handle.sendCallbackHeartbeat();
          break;
        case CallbackResponse::Kind::Never:
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
  trace.blockedReason = r->getBlockedReason();
  trace.effects = ledger.counts();
  if (withHistory) {
    trace.history = r->historyJson();
    trace.executionJson = r->toJson();
    trace.chromeTrace = chromeTraceJson(buildTimeline(*r));
  }
  trace.operations = runner.takeOperations();  // each run's result is read once, here
  if (!manualClock && trace.status == ExecutionStatus::Running && hasCallbacks(trace)) {
    // A callback the reference never created (the code is not deterministic): answer it
    // as the schedule says, on the manual clock.
    cache.hasCallbacks = true;
    RunTrace again = runImpl(schedule, withHistory, feed, markInvocations);
    cache.hasCallbacks = false;
    return again;
  }
  return trace;
}

void CrashChecker::planCallback(const Operation& op, const std::vector<std::string>& names,
                                const CallbackAnswer* varied, TimePoint now, std::vector<bool>& used,
                                std::vector<internal::CallbackAction>& out) const {
  const std::vector<CallbackRule>& rules = options_.callbackResponders;
  auto matches = [&](const std::string& rule) {
    return rule == "*" || std::find(names.begin(), names.end(), rule) != names.end();
  };
  // The declared rules for this callback, in order: heartbeats, then one final answer.
  std::vector<const CallbackResponse*> declared;
  for (;;) {
    std::size_t k = 0;
    while (k < rules.size() && (used[k] || !matches(rules[k].name))) ++k;
    if (k == rules.size()) break;
    used[k] = true;
    declared.push_back(&rules[k].response);
    if (rules[k].response.kind != CallbackResponse::Kind::Heartbeat) break;
  }
  auto asDeclared = [&] {
    TimePoint t = now;
    for (const CallbackResponse* d : declared) {
      if (d->kind == CallbackResponse::Kind::Never) break;
      t += d->delay;
      out.push_back({t, op.id, d->kind, d->payload, d->error});
    }
  };
  if (!varied) return asDeclared();
  // Property mode: the schedule varies the kind and the delay; a success payload comes from
  // the user's generator for this callback, or from the answer the user declared.
  const CallbackResponse* last = declared.empty() ? nullptr : declared.back();
  std::optional<Payload> payload;
  if (varied->payload)
    payload = Payload(*varied->payload);
  else if (last && last->kind == CallbackResponse::Kind::Success)
    payload = last->payload;
  const TimePoint at = now + Duration{std::max<std::int64_t>(0, varied->delaySeconds)};
  switch (varied->kind) {
    case CallbackAnswerKind::Success:
      if (payload)
        out.push_back({at, op.id, CallbackResponse::Kind::Success, *payload, {}});
      else
        asDeclared();  // nothing to answer a success with: as the user declared it
      break;
    case CallbackAnswerKind::Failure:
      out.push_back({at, op.id, CallbackResponse::Kind::Failure, std::nullopt,
                     last && last->kind == CallbackResponse::Kind::Failure
                         ? last->error
                         : ErrorObject{"CallbackRejected", "rejected by the checker's schedule", std::nullopt, {}}});
      break;
    case CallbackAnswerKind::Timeout:
      if (op.callbackDetails && op.callbackDetails->timeoutSeconds) break;  // its own timeout fires
      out.push_back({at, op.id, CallbackResponse::Kind::Failure, std::nullopt,
                     ErrorObject{"Callback.Timeout", "callback timed out (checker schedule)", std::nullopt, {}}});
      break;
    case CallbackAnswerKind::Heartbeat:
      out.push_back({at, op.id, CallbackResponse::Kind::Heartbeat, std::nullopt, {}});
      if (payload)
        out.push_back({at + Duration{std::max<std::int64_t>(1, varied->delaySeconds)},
                       op.id,
                       CallbackResponse::Kind::Success,
                       *payload,
                       {}});
      break;
  }
}

const RunTrace& CrashChecker::reference(const Schedule& base) {
  Schedule key = base;
  key.crashes.clear();
  internal::RefCache& cache = refCache();
  if (!cache.key || !(*cache.key == key)) {
    cache.index.reset();
    cache.key.reset();
    cache.hasCallbacks = true;
    cache.snapshots.clear();
    cache.effects.clear();
    cache.trace = runImpl(key, false, nullptr, true);
    cache.trace.updates.freeze();  // shared by the crash runs resumed from its states
    cache.trace.bodyStarts.freeze();
    cache.key = key;
    cache.hasCallbacks = hasCallbacks(cache.trace);
    if (cache.hasCallbacks || cache.snapshots.size() != cache.trace.updates.size()) {
      cache.snapshots.clear();  // answered on the manual clock: resumes re-run their prefix
      cache.effects.clear();
    }
    cache.index = std::make_unique<internal::RefIndex>(cache.trace);
  }
  return cache.trace;
}

std::optional<std::string> CrashChecker::referenceError(const Schedule& base) {
  const RunTrace& ref = reference(base);
  if (ref.status == ExecutionStatus::Succeeded) return std::nullopt;
  if (options_.expectFailure && (ref.status == ExecutionStatus::Failed || ref.status == ExecutionStatus::TimedOut))
    return std::nullopt;
  std::string outcome = internal::describeOutcome(ref.status, ref.result, ref.error, ref.blockedReason);
  // Callbacks no declared rule matches (they stayed open, or timed out): the likely cause.
  for (const Operation& op : ref.operations) {
    if (op.type != OperationType::Callback) continue;
    std::vector<std::string> names = callbackNames(op, ref.operations);
    bool matched =
        std::any_of(options_.callbackResponders.begin(), options_.callbackResponders.end(), [&](const CallbackRule& r) {
          return r.name == "*" || std::find(names.begin(), names.end(), r.name) != names.end();
        });
    if (!matched)
      outcome += fmt::format(
          " (no declared answer matches callback {}: declare one with --respond NAME=ACTION or "
          "CheckOptions::callbackResponders)",
          names.empty() ? op.id.str() : fmt::format("'{}'", names.back()));
  }
  if (ref.status == ExecutionStatus::Running)
    return fmt::format(
        "[rewind.checker.reference_blocked] the crash-free reference run ({} resume) did not complete: {}. Nothing was "
        "explored from it. Declare how its callbacks are answered (--respond NAME=success:JSON, "
        "CheckOptions::callbackResponders)",
        resumeKind(mode_), ref.blockedReason.empty() ? outcome : ref.blockedReason);
  return fmt::format(
      "[rewind.checker.reference_failed] the crash-free reference run ({} resume) ended {}. Nothing was explored from "
      "it: crashes after this failure would only re-check the failure path. Fix the input or the declared callback "
      "answers, or say the failure is expected (--expect-failure, CheckOptions::expectFailure)",
      resumeKind(mode_), outcome);
}

std::optional<CrashChecker::Overrides> CrashChecker::variedValues(const RunTrace& ref, const RunTrace& t) {
  internal::RefCache& cache = refCache();
  const internal::RefIndex* index = &ref == &cache.trace ? cache.index.get() : nullptr;
  std::optional<internal::RefIndex> local;
  if (!index) index = &local.emplace(ref);
  bool varied = false;
  for (std::size_t i = 0; i < t.operations.size(); ++i) {
    const Operation& op = t.operations[i];
    if (op.type != OperationType::Step || op.status != OperationStatus::Succeeded || !op.stepDetails) continue;
    const Operation* r = index->opAt(i, op.id);
    if (!r || r->status != OperationStatus::Succeeded || !r->stepDetails ||
        !internal::sameJsonText(op.stepDetails->result, r->stepDetails->result)) {
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

// After a crash, a replay that finds an AtMostOncePerRetry step STARTED fails that attempt
// with StepInterruptedError (RETRY or FAIL) instead of running its body again. Attempts are
// counted by the step's persisted STARTs; the body ran to its end when the attempt's
// SUCCEED or FAIL was the update the crash dropped.
CrashChecker::Interruptions CrashChecker::interruptedAttempts(const RunTrace& t) {
  Interruptions out;
  std::map<std::string, int, std::less<>> attempts;
  std::map<std::string, bool, std::less<>> lostOutcome;  // by step: the current attempt's outcome was dropped
  for (const auto& u : t.updates) {
    const OperationUpdate& up = u.update;
    if (up.type != OperationType::Step) continue;
    const bool dropped = u.fate == CheckpointFate::DropAndCrash;
    if (up.action == OperationAction::Start) {
      if (dropped) continue;
      ++attempts[up.stepId];
      lostOutcome[up.stepId] = false;
      continue;
    }
    if (dropped) {
      lostOutcome[up.stepId] = true;
      continue;
    }
    if ((up.action == OperationAction::Fail || up.action == OperationAction::Retry) && up.error &&
        up.error->errorType == "StepInterruptedError")
      out[{up.stepId, attempts[up.stepId]}] = Interruption{*up.error, lostOutcome[up.stepId]};
  }
  return out;
}

std::optional<CrashChecker::Feed> CrashChecker::legalVariation(const RunTrace& ref, const RunTrace& t,
                                                               const Schedule& schedule) {
  Feed feed;
  feed.values = variedValues(ref, t);
  if (schedule.branchSeed)
    if (BranchOrders orders = itemStartOrders(t); orders != itemStartOrders(ref)) feed.orders = std::move(orders);
  if (Interruptions interrupted = interruptedAttempts(t); !interrupted.empty()) feed.interrupted = std::move(interrupted);
  if (!feed.values && !feed.orders && !feed.interrupted) return std::nullopt;
  return feed;
}

std::vector<Finding> CrashChecker::judge(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                         CheckReport* report) {
  return judgeImpl(ref, trace, schedule, report, {});
}

std::vector<Finding> CrashChecker::judgeImpl(const RunTrace& ref, const RunTrace& trace, const Schedule& schedule,
                                             CheckReport* report, std::string_view fedWith) {
  internal::RefCache& cache = refCache();
  const internal::RefIndex* index = &ref == &cache.trace ? cache.index.get() : nullptr;
  std::optional<internal::RefIndex> local;
  if (!index) index = &local.emplace(ref);
  internal::Verdict v = internal::judgeRun(ref, *index, trace, schedule, options_, mode_, fedWith);
  if (report)
    for (std::size_t i = 0; i < kOracleCount; ++i) (v.failed[i] ? report->failed[i] : report->passed[i])++;
  if (!v.findings.empty()) {
    std::string crash = internal::describeCrashes(trace, schedule);
    for (Finding& f : v.findings) f.crash = crash;
  }
  return std::move(v.findings);
}

std::vector<Finding> CrashChecker::check(const Schedule& schedule, CheckReport* report) {
  const RunTrace& ref = reference(schedule);
  if (schedule.crashes.empty()) return judge(ref, ref, schedule, report);
  RunTrace t = run(schedule);
  return judgeRun(ref, t, schedule, report);
}

std::vector<Finding> CrashChecker::judgeRun(const RunTrace& ref, const RunTrace& t, const Schedule& schedule,
                                            CheckReport* report) {
  if (std::optional<Feed> feed = legalVariation(ref, t, schedule)) {
    // Legal variation: a re-run step returned another value, or a seeded branch order met
    // other runnable items after the crash. The reference is a crash-free run whose bodies
    // run live but whose step results are the values this run checkpointed and whose
    // batches start their items in this run's order.
    Schedule key = schedule;
    key.crashes.clear();
    RunTrace fed = runImpl(key, false, &*feed, false);
    if (report && feed->values) ++report->valueOverrideReferences;
    if (report && feed->orders) ++report->orderOverrideReferences;
    if (report && feed->interrupted) ++report->interruptedStepReferences;
    return judgeImpl(fed, t, schedule, report, feed->describe());
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
  CheckMode saved = mode_;
  useMode(f.mode == "fork" ? CheckMode::Fork : CheckMode::InProcess);
  Schedule key = f.schedule;
  key.crashes.clear();
  RunTrace ref = run(key, true);
  RunTrace t = f.schedule.crashes.empty() ? ref : run(f.schedule, true);
  std::string fedWith;
  if (!f.schedule.crashes.empty())
    if (std::optional<Feed> feed = legalVariation(ref, t, f.schedule)) {
      ref = runImpl(key, true, &*feed, false);
      fedWith = feed->describe();
    }
  std::vector<Finding> again = judgeImpl(ref, f.schedule.crashes.empty() ? ref : t, f.schedule, nullptr, fedWith);
  f.confirmed = true;
  f.reproduced = std::any_of(again.begin(), again.end(), [&](const Finding& g) { return g.oracle == f.oracle; });
  f.referenceHistory = ref.executionJson;
  f.failingHistory = t.executionJson;
  f.referenceTrace = ref.chromeTrace;
  f.failingTrace = t.chromeTrace;
  if (!f.schedule.crashes.empty()) f.historyDiff = internal::historyDiff(ref, t);
  mode_ = saved;
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
  auto atMostOnce = [&](const RunTrace::BodyStart& b) { return internal::isAtMostOnce(b, atMostOnceSteps); };
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
  report.resumeKinds = std::string(resumeKind(options_.mode));
  const CheckMode saved = mode_;
  // Cold first: its runs happen in children, so the checker's process has not run the
  // handler yet when they fork (a warm run first would leave its statics to every child).
  std::vector<CheckMode> kinds;
  if (options_.mode == CheckMode::Both)
    kinds = {CheckMode::Fork, CheckMode::InProcess};
  else
    kinds = {options_.mode};
  Schedule crashFree = base;
  crashFree.crashes.clear();
  std::vector<std::string> references;
  std::size_t done = 0;
  for (CheckMode kind : kinds) {
    useMode(kind);
    const RunTrace& ref = reference(base);
    references.push_back(fmt::format("{} ({} resume)",
                                     internal::describeOutcome(ref.status, ref.result, ref.error, ref.blockedReason),
                                     resumeKind(kind)));
    std::vector<Finding> all = check(crashFree, &report);  // the crash-free run judged alone
    ++report.schedules;
    if (std::optional<std::string> error = referenceError(base)) {
      // Nothing to explore from; what the crash-free run shows by itself is still reported
      // (a swallowed suspension fails the reference, and that is the finding).
      report.referenceError = std::move(error);
      for (Finding& f : all) {
        if (options_.confirm) confirm(f);
        report.findings.push_back(std::move(f));
      }
      break;
    }
    std::vector<CrashPoint> points = crashPoints(base);
    report.crashPoints = std::max(report.crashPoints, points.size());
    std::vector<std::size_t> rep(points.size());
    for (std::size_t i = 0; i < rep.size(); ++i) rep[i] = i;
    if (options_.mergeEquivalentPoints) rep = equivalentPoints(ref, points, options_.atMostOnceSteps);
    // Verdicts of the runs made so far, by point index (for the points merged into them).
    struct PointVerdict {
      bool done = false;
      bool failed[kOracleCount] = {};
      bool valueOverride = false;
      bool orderOverride = false;
      bool interrupted = false;
    };
    std::vector<PointVerdict> verdicts(points.size());
    std::size_t shards = std::max<std::size_t>(1, options_.shardCount);
    planSnapshotUses(crashFree, points, rep, shards);
    for (std::size_t i = 0; i < points.size(); ++i) {
      ++done;
      if (i % shards != options_.shardIndex) continue;
      PointVerdict& v = verdicts[rep[i]];
      if (!v.done) {
        Schedule s = crashFree;
        s.crashes = {points[rep[i]]};
        CheckReport one;
        auto found = check(s, &one);
        all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
        v.done = true;
        for (std::size_t o = 0; o < kOracleCount; ++o) v.failed[o] = one.failed[o] > 0;
        v.valueOverride = one.valueOverrideReferences > 0;
        v.orderOverride = one.orderOverrideReferences > 0;
        v.interrupted = one.interruptedStepReferences > 0;
        ++report.runs;
      } else {
        ++report.equivalentCrashPoints;
      }
      for (std::size_t o = 0; o < kOracleCount; ++o) (v.failed[o] ? report.failed[o] : report.passed[o])++;
      if (v.valueOverride) ++report.valueOverrideReferences;
      if (v.orderOverride) ++report.orderOverrideReferences;
      if (v.interrupted) ++report.interruptedStepReferences;
      ++report.schedules;
      if (progress) progress(done, points.size() * kinds.size());
    }
    // One finding per oracle and resume kind: the first is already minimal (one crash, or
    // none). Confirmed now, before a warm phase runs the handler in this process.
    bool seen[kOracleCount] = {};
    for (Finding& f : all) {
      auto o = static_cast<std::size_t>(f.oracle);
      if (seen[o]) continue;
      seen[o] = true;
      if (options_.confirm) confirm(f);
      report.findings.push_back(std::move(f));
    }
  }
  if (references.size() == 2 &&
      references[0].substr(0, references[0].rfind(" (")) == references[1].substr(0, references[1].rfind(" (")))
    report.reference = references[0].substr(0, references[0].rfind(" (")) + " (cold and warm resume)";
  else
    report.reference = fmt::format("{}", fmt::join(references, "; "));
  mode_ = saved;
  return report;
}

}  // namespace rwd::checker
