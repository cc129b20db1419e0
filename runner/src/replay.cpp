// One invocation over a recorded log, with the checkpoint seam recording (and
// persisting) what the code does beyond it.
#include "rewind/replay.hpp"

#include "execution_store.hpp"
#include "invocation.hpp"

namespace rwd {

ReplayOutcome replayInvocation(const RawHandler& handler, const std::vector<Operation>& log, const Payload& input,
                               const RunnerOptions& options) {
  TimePoint now = options.epoch;
  for (const Operation& op : log) {
    now = std::max(now, op.startTimestamp);
    if (op.endTimestamp) now = std::max(now, *op.endTimestamp);
  }
  internal::ExecutionStore store(now, options.seed, "arn:aws:lambda:us-east-1:123456789012:function:replay");
  for (const Operation& op : log) store.seed(op);
  ReplayOutcome out;
  std::size_t seq = 0;
  internal::InvocationSettings settings;
  settings.seed = options.seed;
  settings.handlerConfig = options.handlerConfig;
  settings.logStream = options.logStream;
  settings.scheduler = options.scheduler.get();
  settings.checkpointSequence = &seq;
  settings.stepBodyObserver = options.stepBodyObserver;
  settings.stepResultOverride = options.stepResultOverride;
  settings.interceptor = [&](const OperationUpdate& u, std::size_t) {
    out.newUpdates.push_back(u);
    return CheckpointFate::Persist;
  };
  internal::Invocation inv(store, settings);
  internal::InvocationOutcomeData r = inv.run(handler, input);
  switch (r.end) {
    case internal::InvocationEnd::Succeeded: out.outcome = InvocationOutcome::Succeeded; break;
    case internal::InvocationEnd::Failed:
    case internal::InvocationEnd::InvocationFailed: out.outcome = InvocationOutcome::Failed; break;
    case internal::InvocationEnd::Pending: out.outcome = InvocationOutcome::Pending; break;
    case internal::InvocationEnd::Crashed: out.outcome = InvocationOutcome::Crashed; break;
  }
  out.result = r.result;
  out.error = r.error;
  if (r.error && (r.error->errorType == "NonDeterministicExecutionError" || r.error->errorType == "InvalidCheckpointError"))
    out.divergence = r.error;
  return out;
}

}  // namespace rwd
