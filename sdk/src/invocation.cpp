// One invocation of a handler: runs it from the top against the log, turning the way
// it ends (return, throw, suspension, crash) into the handler envelope.
#include "invocation.hpp"

#include <utility>

#include <fmt/format.h>
#include "rewind/json_text.hpp"

namespace rwd::internal {

namespace {

thread_local Invocation* tlsCurrent = nullptr;

class IndexOrderScheduler final : public BranchScheduler {
 public:
  std::size_t pick(const std::vector<std::size_t>& runnable) override {
    return *std::min_element(runnable.begin(), runnable.end());
  }
};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

ErrorObject swallowedError(const BranchFrame& frame, std::string_view how) {
  UnrecoverableExecutionError e("rewind.suspension.swallowed",
                                fmt::format("the handler suspended at {} but user code caught the suspension and {}; "
                                            "do not catch (...) without rethrowing",
                                            frame.suspendedAt, how));
  return e.toObject();
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Invocation::Invocation(DurableService& service, DurableExecutionInvocationInput& input,
                       const InvocationSettings& settings)
    : service_(service), settings_(settings), arn_(std::move(input.durableExecutionArn)) {
  // The request is reused for every checkpoint call; it holds the current token.
  request_.durableExecutionArn = arn_;
  request_.checkpointToken = std::move(input.checkpointToken);
  ExecutionState& state = input.initialExecutionState;
  takeState(state);
  // A large state comes in pages: the rest is fetched before the handler runs.
  std::optional<std::string> marker = std::move(state.nextMarker);
  while (marker && !state.lent) {
    GetDurableExecutionStateRequest page{arn_, request_.checkpointToken, std::move(marker), std::nullopt};
    GetDurableExecutionStateResponse r = service_.getDurableExecutionState(page);
    owned_.merge(std::move(r.operations));
    marker = std::move(r.nextMarker);
  }
  startCount_ = view_->size();
  visited_.assign(startCount_, false);
  entered_.assign(startCount_, false);
}

void Invocation::takeState(ExecutionState& state) {
  if (state.lent) {
    view_ = state.lent;
    return;
  }
  if (!state.operations.empty()) owned_.merge(std::move(state.operations));
}

Invocation* Invocation::current() { return tlsCurrent; }

std::unique_ptr<DurableContext> Invocation::makeContext(std::string prefix, std::optional<std::string> parentId,
                                                       bool fresh) {
  auto st = std::make_unique<ContextState>();
  st->fresh = fresh;
  st->inv = this;
  st->prefix = std::move(prefix);
  st->parentId = std::move(parentId);
  return std::unique_ptr<DurableContext>(new DurableContext(std::move(st)));
}

BranchScheduler& Invocation::scheduler() {
  static thread_local IndexOrderScheduler byIndex;
  return settings_.scheduler ? *settings_.scheduler : byIndex;
}

bool Invocation::preexisting(std::string_view id) const {
  auto idx = view_->indexOf(id);
  return idx && *idx < startCount_;
}

void Invocation::markVisited(std::string_view id) {
  auto idx = view_->indexOf(id);
  if (idx && *idx < startCount_) visited_[*idx] = true;
}

void Invocation::guard() {
  if (crashed_) throw CrashSignal{};
  if (fatal_) std::rethrow_exception(fatal_);
  if (settings_.timeoutExpired && settings_.timeoutExpired->load(std::memory_order_relaxed)) timedOut();
  if (probeNeedsWork_) throw Suspension{};
  if (!branches_.empty() && branches_.back()->suspended) throw Suspension{};
}

void Invocation::suspend(std::string what) {
  BranchFrame& b = *branches_.back();
  if (!b.suspended) {
    b.suspended = true;
    b.suspendedAt = std::move(what);
  }
  throw Suspension{};
}

void Invocation::beginProbe() {
  enclosingProbes_.push_back({probing_, probeNeedsWork_, std::exchange(probeLogs_, {})});
  probing_ = true;
  probeNeedsWork_ = false;
}

bool Invocation::endProbe(bool keepLogs) {
  bool needed = probeNeedsWork_;
  std::vector<Json> held = std::exchange(probeLogs_, {});
  EnclosingProbe& outer = enclosingProbes_.back();
  probing_ = outer.probing;
  probeNeedsWork_ = outer.needsWork;
  probeLogs_ = std::move(outer.logs);
  enclosingProbes_.pop_back();
  if (keepLogs && probing_) {
    // Still inside a probe: its own end decides whether these are written.
    for (Json& rec : held) probeLogs_.push_back(std::move(rec));
  } else if (keepLogs) {
    for (Json& rec : held) {
      if (settings_.logStream) *settings_.logStream << rec.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
      if (settings_.logSink) settings_.logSink->push_back(std::move(rec));
    }
  }
  return needed;
}

void Invocation::needsWork() {
  probeNeedsWork_ = true;
  suspend("(probe: new work)");
}

void Invocation::timedOut() {
  auto ms = settings_.timeoutLimit.count();
  std::string limit = ms % 1000 == 0 ? fmt::format("{} s", ms / 1000) : fmt::format("{} ms", ms);
  fail(std::make_exception_ptr(UnrecoverableExecutionError(
      "rewind.invocation.timeout",
      fmt::format("invocation {} ran longer than its timeout of {} (wall clock, like a Lambda function's timeout) "
                  "and was stopped at its next durable operation; the execution fails. A handler that loops or "
                  "blocks needs fixing; a slow one, a longer limit (RunnerOptions::invocationTimeout, "
                  "--invocation-timeout)",
                  settings_.invocationIndex, limit),
      "InvocationTimeoutError")));
}

void Invocation::fail(std::exception_ptr error) {
  if (!fatal_) fatal_ = error;
  std::rethrow_exception(fatal_);
}

namespace {

void assignText(std::optional<std::string>& to, const std::optional<std::string>& from) {
  if (!from)
    to.reset();
  else if (to)
    assignChars(*to, *from);
  else
    to.emplace(*from);
}

}  // namespace

OperationUpdate& Invocation::prepareUpdate(std::string_view id, std::string_view stepId,
                                           const std::optional<std::string>& parentId,
                                           const std::optional<std::string>& name, OperationType type,
                                           OperationSubType sub, OperationAction action) {
  if (request_.updates.size() != 1) request_.updates.resize(1);
  OperationUpdate& u = request_.updates.front();
  // The identity assigned into the buffers it had (no allocation for ids of a size seen
  // before), everything else back to its default.
  u.resetAllButIdentity();
  assignChars(u.id, id);
  assignChars(u.stepId, stepId);
  assignText(u.parentId, parentId);
  assignText(u.name, name);
  u.type = type;
  u.subType = sub;
  u.action = action;
  return u;
}

void Invocation::commitCheckpoint() {
  OperationUpdate& update = request_.updates.front();
  guard();
  liveWork();
  CheckpointFate fate = CheckpointFate::Persist;
  if (settings_.interceptor) {
    std::size_t seq = settings_.checkpointSequence ? (*settings_.checkpointSequence)++ : 0;
    fate = settings_.interceptor(update, seq);
  }
  if (fate == CheckpointFate::DropAndCrash) {
    crashed_ = true;
    throw CrashSignal{};
  }
  try {
    CheckpointDurableExecutionResponse response = service_.checkpointDurableExecution(request_);
    if (response.checkpointToken) request_.checkpointToken.swap(*response.checkpointToken);
    takeState(response.newExecutionState);
  } catch (const InvalidCheckpointError&) {
    fail(std::current_exception());
  } catch (...) {
    // The service could not take the checkpoint (after the client's own retries): this
    // invocation cannot go on; Lambda invokes the function again.
    ErrorInfo e = currentErrorInfo();
    fail(std::make_exception_ptr(UnrecoverableInvocationError(
        "rewind.checkpoint.failed", fmt::format("the checkpoint call failed: {}: {}", e.type, e.message))));
  }
  if (hasPlugins()) afterCheckpoint(request_.updates.front());
  if (fate == CheckpointFate::PersistAndCrash) {
    crashed_ = true;
    throw CrashSignal{};
  }
}

Duration Invocation::jitteredDelay(Duration base, JitterStrategy jitter, std::string_view stepId, int attempt) const {
  double d = static_cast<double>(base.count());
  if (jitter != JitterStrategy::None) {
    std::uint64_t r = splitmix64(settings_.seed ^ fnv1a(stepId) ^ (static_cast<std::uint64_t>(attempt) << 32));
    double u = static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53);  // [0, 1)
    d = jitter == JitterStrategy::Full ? u * d : d / 2 + u * d / 2;
  }
  return Duration{std::max<Duration::rep>(1, std::llround(d))};
}

void Invocation::log(LogLevel level, std::string_view message, bool replaying, const std::string& operationId,
                     int attempt) {
  if (replaying && !settings_.handlerConfig.logDuringReplay) return;
  static constexpr const char* kLevels[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  Json rec{{"timestamp", formatTimestamp(now())},
           {"level", kLevels[static_cast<int>(level)]},
           {"message", std::string(message)},
           {"executionArn", arn_}};
  if (!operationId.empty()) rec["operationId"] = operationId;
  if (attempt > 0) rec["attempt"] = attempt;
  if (hasPlugins()) notify("enrichLogContext", [&](Plugin& p) { p.enrichLogContext(rec); });
  if (probing_) {
    probeLogs_.push_back(std::move(rec));
    return;
  }
  if (settings_.logStream) *settings_.logStream << rec.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  if (settings_.logSink) settings_.logSink->push_back(std::move(rec));
}

void Invocation::reportHookFailure(const Plugin& plugin, const char* hookName) {
  std::string what;
  try {
    throw;
  } catch (const std::exception& e) {
    what = toValidUtf8(e.what());
  } catch (...) {
    what = "a non-std::exception";
  }
  std::string key = fmt::format("{}/{}", plugin.pluginName(), hookName);
  auto& reported = settings_.reportedHookFailures ? *settings_.reportedHookFailures : reportedHookFailures_;
  if (!reported.insert(key).second) return;
  log(LogLevel::Warn,
      fmt::format("plugin '{}' threw from {} ({}); the hook is skipped and the execution goes on", plugin.pluginName(),
                  hookName, what),
      false, "", 0);
}

namespace {

// Nests `body` inside every plugin's wrapper (first registered outermost). The body
// runs exactly once even when a wrapper never calls next(); its exception is rethrown
// after the wrappers, which can neither see nor swallow it.
template <class Info, class Wrap>
void wrapAll(Invocation& inv, const std::vector<Plugin*>& plugins, const Info& info, const char* hookName, Wrap wrap,
             const std::function<void()>& body) {
  std::exception_ptr bodyError;
  bool ran = false;
  std::function<void()> innermost = [&] {
    if (ran) return;  // a wrapper calling next() twice must not run the body twice
    ran = true;
    try {
      body();
    } catch (...) {
      bodyError = std::current_exception();
    }
  };
  std::function<void()> chain = innermost;
  for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
    Plugin* p = *it;
    chain = [&inv, p, &info, hookName, wrap, next = std::move(chain)] {
      try {
        (p->*wrap)(info, next);
      } catch (...) {
        inv.reportHookFailure(*p, hookName);
      }
    };
  }
  chain();
  if (!ran) innermost();
  if (bodyError) std::rethrow_exception(bodyError);
}

}  // namespace

void Invocation::wrapAttempt(const AttemptInfo& info, const std::function<void()>& body) {
  wrapAll(*this, settings_.plugins, info, "wrapAttempt", &Plugin::wrapAttempt, body);
}

void Invocation::wrapInvocation(const InvocationInfo& info, const std::function<void()>& body) {
  wrapAll(*this, settings_.plugins, info, "wrapInvocation", &Plugin::wrapInvocation, body);
}

OperationInfo Invocation::operationInfo(const Operation& op, bool isReplay) const {
  OperationInfo info;
  info.id = op.id;
  info.stepId = op.stepId;
  info.name = op.name;
  info.type = op.type;
  info.subType = op.subType;
  info.parentId = op.parentId;
  info.status = op.status;
  info.startTimestamp = op.startTimestamp;
  info.endTimestamp = op.endTimestamp;
  info.isReplay = isReplay;
  if (op.stepDetails) {
    info.attempt = op.stepDetails->attempt;
    info.result = op.stepDetails->result;
    info.error = op.stepDetails->error;
  } else if (op.callbackDetails) {
    info.result = op.callbackDetails->result;
    info.error = op.callbackDetails->error;
  } else if (op.contextDetails) {
    info.result = op.contextDetails->result;
    info.error = op.contextDetails->error;
  } else if (op.chainedInvokeDetails) {
    info.result = op.chainedInvokeDetails->result;
    info.error = op.chainedInvokeDetails->error;
  }
  return info;
}

UserFunctionInfo Invocation::userFunctionInfo(const std::string& id, const std::string& stepId,
                                              const std::optional<std::string>& name, OperationSubType sub,
                                              const std::optional<std::string>& parentId, bool isReplay) const {
  UserFunctionInfo info;
  info.id = id;
  info.stepId = stepId;
  info.name = name;
  info.subType = sub;
  info.type = OperationType::Context;
  info.parentId = parentId;
  info.isReplay = isReplay;
  const Operation* rec = view_->find(id);
  info.startTimestamp = rec ? rec->startTimestamp : now();
  return info;
}

Payload Invocation::runUserFunction(UserFunctionInfo& info, const std::function<Payload()>& fn) {
  notify("onUserFunctionStart", [&](Plugin& p) { p.onUserFunctionStart(info); });
  auto end = [&] {
    info.endTimestamp = now();
    notify("onUserFunctionEnd", [&](Plugin& p) { p.onUserFunctionEnd(info); });
  };
  try {
    Payload out = fn();
    end();
    return out;
  } catch (const Suspension&) {
    end();
    throw;
  } catch (const CrashSignal&) {
    throw;
  } catch (...) {
    if (crashed_) throw;
    info.error = currentErrorInfo().toObject();
    end();
    throw;
  }
}

void Invocation::onReplayedOperation(const Operation& op) {
  if (!hasPlugins()) return;
  if (!isTerminal(op.status)) {
    OperationInfo info = operationInfo(op, true);
    notify("onOperationStart", [&](Plugin& p) { p.onOperationStart(info); });
  } else if (settings_.completedSinceLast.count(op.id)) {
    OperationInfo info = operationInfo(op, true);
    notify("onOperationEnd", [&](Plugin& p) { p.onOperationEnd(info); });
  }
}

void Invocation::afterCheckpoint(const OperationUpdate& update) {
  const Operation* rec = view_->find(update.id);
  if (!rec) return;
  bool firstStart = update.action == OperationAction::Start && (!rec->stepDetails || rec->stepDetails->attempt == 1);
  if (firstStart) {
    OperationInfo info = operationInfo(*rec, false);
    notify("onOperationStart", [&](Plugin& p) { p.onOperationStart(info); });
  }
  if (update.action != OperationAction::Start && isTerminal(rec->status)) {
    OperationInfo info = operationInfo(*rec, false);
    notify("onOperationEnd", [&](Plugin& p) { p.onOperationEnd(info); });
  }
  std::vector<Operation> updated{*rec};
  OperationChangeInfo change;
  change.executionArn = arn_;
  change.requestId = settings_.requestId;
  change.updated.push_back(operationInfo(*rec, false));
  change.updatedRecords = &updated;
  change.operations = &view_->operations();
  notify("onOperationChange", [&](Plugin& p) { p.onOperationChange(change); });
}

InvocationOutcomeData Invocation::run(const RawHandler& handler, const Payload& input) {
  struct Current {
    Invocation* prev;
    explicit Current(Invocation* self) : prev(tlsCurrent) { tlsCurrent = self; }
    ~Current() { tlsCurrent = prev; }
  } current(this);
  std::unique_ptr<DurableContext> root = makeContext("", std::nullopt);
  BranchFrame rootFrame;
  InvocationOutcomeData out;
  try {
    Payload result = runBranch(rootFrame, [&] { return handler(input, *root); });
    guard();
    if (rootFrame.suspended) {
      out.end = InvocationEnd::Failed;
      out.error = swallowedError(rootFrame, "returned normally");
    } else {
      out.end = InvocationEnd::Succeeded;
      out.result = std::move(result);
    }
  } catch (const Suspension&) {
    out.end = InvocationEnd::Pending;
  } catch (const CrashSignal&) {
    out.end = InvocationEnd::Crashed;
  } catch (...) {
    if (crashed_) {
      out.end = InvocationEnd::Crashed;
    } else if (fatal_) {
      try {
        std::rethrow_exception(fatal_);
      } catch (const UnrecoverableInvocationError&) {
        out.end = InvocationEnd::InvocationFailed;  // the service failed, not the execution
        out.error = currentErrorInfo().toObject();
      } catch (...) {
        out.end = InvocationEnd::Failed;
        out.error = currentErrorInfo().toObject();
      }
    } else if (rootFrame.suspended) {
      out.end = InvocationEnd::Failed;
      out.error = swallowedError(rootFrame, "threw something else");
    } else {
      ErrorInfo e = currentErrorInfo();
      try {
        std::rethrow_exception(e.exception);
      } catch (const UnrecoverableInvocationError&) {
        out.end = InvocationEnd::InvocationFailed;
      } catch (...) {
        out.end = InvocationEnd::Failed;
      }
      out.error = e.toObject();
    }
  }
  if ((out.end == InvocationEnd::Succeeded || out.end == InvocationEnd::Failed) && !fatal_) checkVanished(out);
  if (settings_.interceptOutcome && settings_.interceptor &&
      (out.end == InvocationEnd::Succeeded || out.end == InvocationEnd::Failed)) {
    // The handler returned: its outcome is recorded as the execution's own SUCCEED/FAIL.
    // Lost there (DropAndCrash), the process died before the service had it: re-invoked.
    OperationUpdate u;
    u.id = "execution";
    u.stepId = "execution";
    u.type = OperationType::Execution;
    u.subType = OperationSubType::Execution;
    u.action = out.end == InvocationEnd::Succeeded ? OperationAction::Succeed : OperationAction::Fail;
    if (out.end == InvocationEnd::Succeeded) u.payload = out.result;
    if (out.error) u.error = *out.error;
    std::size_t seq = settings_.checkpointSequence ? (*settings_.checkpointSequence)++ : 0;
    if (settings_.interceptor(u, seq) == CheckpointFate::DropAndCrash) {
      crashed_ = true;
      out = InvocationOutcomeData{};
      out.end = InvocationEnd::Crashed;
    }
  }
  return out;
}

void Invocation::checkVanished(InvocationOutcomeData& outcome) {
  const auto& ops = view_->operations();
  for (std::size_t i = 0; i < startCount_; ++i) {
    if (visited_[i]) continue;
    const Operation& op = ops[i];
    if (op.subType == OperationSubType::MapIteration || op.subType == OperationSubType::ParallelBranch) continue;
    if (op.parentId) {
      auto parentIdx = view_->indexOf(*op.parentId);
      if (!parentIdx || *parentIdx >= startCount_ || !entered_[*parentIdx]) continue;
      const Operation* parent = view_->find(*op.parentId);
      if (parent && (parent->subType == OperationSubType::Map || parent->subType == OperationSubType::Parallel))
        continue;
    }
    NonDeterministicExecutionError e(
        "rewind.replay.vanished",
        fmt::format("non-deterministic replay: the log holds {}/{} {} at step {} (id {}), which this run of the "
                    "handler never reached; the code no longer calls it",
                    toString(op.type), toString(op.subType), op.name ? fmt::format("'{}'", *op.name) : "(unnamed)",
                    op.stepId, op.id));
    outcome.end = InvocationEnd::Failed;
    outcome.result.reset();
    outcome.error = e.toObject();
    return;
  }
}

}  // namespace rwd::internal
