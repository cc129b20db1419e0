// runDurableInvocation: one invocation of a handler against a DurableService, with the
// plugins' invocation hooks around it. The local runner and the Lambda bootstrap both
// run handlers through here.
#include "rewind/durable_invocation.hpp"

#include <stdexcept>

#include "invocation.hpp"

namespace rwd {

const Operation* findExecutionOperation(const ExecutionState& state) {
  for (const Operation& op : state.operations)
    if (op.type == OperationType::Execution) return &op;
  return nullptr;
}

namespace {

InvocationResult::End resultEnd(internal::InvocationEnd end) {
  switch (end) {
    case internal::InvocationEnd::Succeeded:
      return InvocationResult::End::Succeeded;
    case internal::InvocationEnd::Failed:
      return InvocationResult::End::Failed;
    case internal::InvocationEnd::Pending:
      return InvocationResult::End::Pending;
    case internal::InvocationEnd::Crashed:
      return InvocationResult::End::Crashed;
    case internal::InvocationEnd::InvocationFailed:
      return InvocationResult::End::InvocationFailed;
  }
  return InvocationResult::End::Crashed;
}

InvocationResult toResult(internal::InvocationOutcomeData&& out) {
  InvocationResult r;
  r.end = resultEnd(out.end);
  r.output.status = out.end == internal::InvocationEnd::Succeeded ? InvocationStatus::Succeeded
                    : out.end == internal::InvocationEnd::Pending ? InvocationStatus::Pending
                                                                  : InvocationStatus::Failed;
  r.output.result = std::move(out.result);
  r.output.error = std::move(out.error);
  return r;
}

}  // namespace

InvocationResult runDurableInvocation(const RawHandler& handler, DurableExecutionInvocationInput input,
                                      DurableService& service, const InvocationOptions& options) {
  if (!options.clock) throw std::invalid_argument("[rewind.invocation.no_clock] InvocationOptions::clock is required");
  Payload payload;
  if (const Operation* exec = findExecutionOperation(input.initialExecutionState); exec && exec->executionDetails)
    payload = exec->executionDetails->inputPayload;

  internal::InvocationSettings settings;
  static_cast<InvocationOptions&>(settings) = options;
  PluginList plugins = options.handlerConfig.plugins;
  if (options.handlerConfig.pluginFactory) {
    PluginList fresh = options.handlerConfig.pluginFactory();
    plugins.insert(plugins.end(), fresh.begin(), fresh.end());
  }
  for (const auto& p : plugins)
    if (p) settings.plugins.push_back(p.get());

  internal::Invocation inv(service, input, settings);
  if (!inv.hasPlugins()) return toResult(inv.run(handler, payload));

  const ExecutionStateView& state = inv.state();
  internal::InvocationOutcomeData out;
  InvocationInfo info;
  std::vector<Operation> atStart(state.operations().begin(), state.operations().end()), completed;
  for (const auto& id : options.completedSinceLast)
    if (const Operation* op = state.find(id)) completed.push_back(*op);
  info.requestId = options.requestId;
  info.executionArn = inv.arn();
  info.input = payload;
  info.executionStart = options.executionStart;
  info.invocationStart = options.clock();
  info.firstInvocation = options.invocationIndex == 1;
  info.invocationIndex = options.invocationIndex;
  info.operationsAtStart = &atStart;
  info.completedSinceLast = &completed;
  std::vector<Json>* logSink = options.logSink;
  info.writeLog = [logSink](const Json& record) {
    if (logSink) logSink->push_back(record);
  };
  inv.notify("onInvocationStart", [&](Plugin& p) { p.onInvocationStart(info); });
  inv.wrapInvocation(info, [&] { out = inv.run(handler, payload); });
  InvocationResult result = toResult(std::move(out));
  InvocationEndInfo end;
  end.invocation = &info;
  end.invocationEnd = options.clock();
  // A crash or an unrecoverable invocation error is answered by invoking the execution
  // again: RETRYING, as the JS SDK reports it.
  switch (result.end) {
    case InvocationResult::End::Succeeded:
      end.status = InvocationStatus::Succeeded;
      break;
    case InvocationResult::End::Pending:
      end.status = InvocationStatus::Pending;
      break;
    case InvocationResult::End::Failed:
      end.status = InvocationStatus::Failed;
      break;
    case InvocationResult::End::Crashed:
    case InvocationResult::End::InvocationFailed:
      end.status = InvocationStatus::Retrying;
      break;
  }
  end.result = result.output.result;
  end.error = result.output.error;
  if (result.end == InvocationResult::End::Crashed)
    end.error = ErrorObject{"Runtime.ExitError",
                            "RequestId: " + options.requestId + " Error: Runtime exited without providing a reason",
                            std::nullopt, std::nullopt};
  inv.notify("onInvocationEnd", [&](Plugin& p) { p.onInvocationEnd(end); });
  return result;
}

}  // namespace rwd
