// One invocation over a recorded log, with the checkpoint seam recording (and
// persisting) what the code does beyond it.
#include "rewind/replay.hpp"

#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "execution_store.hpp"
#include "invocation.hpp"
#include "invocation_response.hpp"
#include "invocation_watchdog.hpp"
#include "local_service.hpp"

namespace rwd {

void validateLog(const std::vector<Operation>& log) {
  std::unordered_map<std::string_view, const Operation*> byId;
  byId.reserve(log.size());
  for (const Operation& op : log)
    if (!byId.emplace(op.id.view(), &op).second)
      throw std::invalid_argument(fmt::format("[rewind.replay.bad_log] operation {} appears twice in the log", op.id));
  for (const Operation& op : log) {
    if (!op.parentId) continue;
    auto parent = byId.find(op.parentId->view());
    if (parent == byId.end())
      throw std::invalid_argument(
          fmt::format("[rewind.replay.bad_log] operation {} ({} {}) names ParentId {}, which has no record in the log",
                      op.id, toString(op.type), op.name.value_or("(unnamed)"), *op.parentId));
    if (parent->second->type != OperationType::Context)
      throw std::invalid_argument(
          fmt::format("[rewind.replay.bad_log] operation {} names ParentId {}, which is a {}, not a CONTEXT", op.id,
                      *op.parentId, toString(parent->second->type)));
  }
}

ReplayOutcome replayInvocation(const RawHandler& handler, const std::vector<Operation>& log, const Payload& input,
                               const RunnerOptions& options) {
  TimePoint now = options.epoch;
  for (const Operation& op : log) {
    now = std::max(now, op.startTimestamp);
    if (op.endTimestamp) now = std::max(now, *op.endTimestamp);
  }
  validateLog(log);
  internal::ExecutionStore store(now, options.seed, "arn:aws:lambda:us-east-1:123456789012:function:replay");
  for (const Operation& op : log) store.seed(op);
  ReplayOutcome out;
  std::size_t seq = 0;
  InvocationOptions o;
  o.clock = [&store] { return store.now(); };
  o.seed = options.seed;
  o.handlerConfig = options.handlerConfig;
  o.handlerConfig.plugins.clear();  // replay runs the code, not the plugins
  o.handlerConfig.pluginFactory = nullptr;
  o.logStream = options.logStream;
  o.scheduler = options.scheduler.get();
  o.checkpointSequence = &seq;
  o.stepBodyObserver = options.stepBodyObserver;
  o.stepResultOverride = options.stepResultOverride;
  o.stepErrorOverride = options.stepErrorOverride;
  o.interceptor = [&](const OperationUpdate& u, std::size_t) {
    out.newUpdates.push_back(u);
    return CheckpointFate::Persist;
  };
  std::optional<internal::InvocationWatchdog::Lease> watch;
  if (options.invocationTimeout) {
    watch.emplace(internal::InvocationWatchdog::watch(*options.invocationTimeout, options.invocationTimeoutGrace,
                                                      "the replayed invocation"));
    o.timeoutExpired = &watch->expired();
    o.timeoutLimit = *options.invocationTimeout;
  }
  internal::LocalDurableService service(store);
  internal::InvocationOutcomeData r =
      internal::outcomeData(runDurableInvocation(handler, service.invocationInput(input, now), service, o));
  switch (r.end) {
    case internal::InvocationEnd::Succeeded:
      out.outcome = InvocationOutcome::Succeeded;
      break;
    case internal::InvocationEnd::Failed:
    case internal::InvocationEnd::InvocationFailed:
      out.outcome = InvocationOutcome::Failed;
      break;
    case internal::InvocationEnd::Pending:
      out.outcome = InvocationOutcome::Pending;
      break;
    case internal::InvocationEnd::Crashed:
      out.outcome = InvocationOutcome::Crashed;
      break;
  }
  out.result = r.result;
  out.error = r.error;
  if (r.error &&
      (r.error->errorType == "NonDeterministicExecutionError" || r.error->errorType == "InvalidCheckpointError"))
    out.divergence = r.error;
  return out;
}

}  // namespace rwd
