// One invocation of a handler: runs it from the top against the log, turning the way
// it ends (return, throw, suspension, crash) into the handler envelope.
#include "invocation.hpp"

#include <fmt/format.h>

namespace rwd::internal {

namespace {

thread_local Invocation* tlsCurrent = nullptr;

class IndexOrderScheduler final : public BranchScheduler {
 public:
  std::size_t pick(const std::vector<std::size_t>& runnable) override {
    return *std::min_element(runnable.begin(), runnable.end());
  }
};

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

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

Invocation::Invocation(ExecutionStore& store, const InvocationSettings& settings)
    : store_(store), settings_(settings), startCount_(store.size()), visited_(store.size(), false) {}

Invocation* Invocation::current() { return tlsCurrent; }

std::unique_ptr<DurableContext> Invocation::makeContext(std::string prefix, std::optional<std::string> parentId) {
  auto st = std::make_unique<ContextState>();
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
  auto idx = store_.indexOf(id);
  return idx && *idx < startCount_;
}

void Invocation::markVisited(std::string_view id) {
  auto idx = store_.indexOf(id);
  if (idx && *idx < startCount_) visited_[*idx] = true;
}

void Invocation::guard() {
  if (crashed_) throw CrashSignal{};
  if (fatal_) std::rethrow_exception(fatal_);
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

void Invocation::fail(std::exception_ptr error) {
  if (!fatal_) fatal_ = error;
  std::rethrow_exception(fatal_);
}

void Invocation::checkpoint(OperationUpdate update) {
  guard();
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
    store_.apply(update);
  } catch (const InvalidCheckpointError&) {
    fail(std::current_exception());
  }
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
                     int attempt) const {
  if (replaying && !settings_.handlerConfig.logDuringReplay) return;
  static constexpr const char* kLevels[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  Json rec{{"timestamp", formatTimestamp(store_.now())},
           {"level", kLevels[static_cast<int>(level)]},
           {"message", std::string(message)},
           {"executionArn", store_.arn()}};
  if (!operationId.empty()) rec["operationId"] = operationId;
  if (attempt > 0) rec["attempt"] = attempt;
  if (settings_.logStream) *settings_.logStream << rec.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  if (settings_.logSink) settings_.logSink->push_back(std::move(rec));
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
  return out;
}

void Invocation::checkVanished(InvocationOutcomeData& outcome) {
  const auto& ops = store_.operations();
  for (std::size_t i = 0; i < startCount_; ++i) {
    if (visited_[i]) continue;
    const Operation& op = ops[i];
    if (op.subType == OperationSubType::MapIteration || op.subType == OperationSubType::ParallelBranch) continue;
    if (op.parentId) {
      if (!entered_.count(*op.parentId)) continue;
      const Operation* parent = store_.find(*op.parentId);
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
