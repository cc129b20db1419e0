// One requirement's execution on a deployed function. An execution the expected events
// already settle (no ExpectedResult) is stopped once they are there, so that a one-hour
// wait does not hold the run.
#include "endpoint_execution.hpp"

#include <fmt/format.h>

#include "rewind/remote_runner.hpp"

namespace rwd::conformance {

std::string endpointFunctionFor(const std::string& id, const std::string& prefix) {
  std::string name = prefix + id;
  for (char& c : name)
    if (c == '.') c = '-';
  return name;
}

EndpointExecution makeEndpointExecution(EndpointSettings settings) {
  return [settings](const std::string& id, const std::string& input, const Value& actions,
                    const std::function<bool(const Value&)>& settled) -> EndpointOutcome {
    RemoteRunnerOptions o;
    o.functionName = endpointFunctionFor(id, settings.functionPrefix);
    o.endpoint = settings.endpoint;
    o.region = settings.region;
    o.timeScale = settings.timeScale;
    o.timeout = settings.timeout;
    // Callback answers are due within milliseconds on a fast clock: look often.
    o.pollInterval = std::chrono::milliseconds(5);
    RemoteDurableTestRunner runner(o);
    applyCallbackActions(
        actions,
        CallbackActionSink{
            [&](std::string name, CallbackResponse r) { runner.onCallback(std::move(name), std::move(r)); },
            [&](CallbackNameMatcher m, CallbackResponse r) { runner.onCallback(std::move(m), std::move(r)); }});
    EndpointOutcome out;
    try {
      runner.startPayload(input);
    } catch (const lambda::ExecutionClientError& e) {
      if (e.errorType() != "ResourceNotFoundException") throw;
      out.hosted = false;
      out.why = fmt::format("the endpoint has no function {} ({})", o.functionName, e.what());
      return out;
    }
    const RemoteExecutionResult* result = nullptr;
    std::string timedOut;
    try {
      result = &runner.waitUntil([&](const RemoteExecutionResult& r) { return settled(r.historyJson()); });
    } catch (const std::runtime_error& e) {
      // Still running after the timeout: report what it did so far (the status says
      // RUNNING, the error why), so that -v shows the history.
      if (std::string_view(e.what()).find("[rewind.remote.timeout]") != 0) throw;
      timedOut = e.what();
      result = &runner.refresh();
    }
    out.history = result->historyJson();
    out.status = std::string(toString(result->getStatus()));
    out.result = result->getResultPayload();
    if (result->getError())
      out.error = result->getError()->errorMessage.empty()
                      ? result->getError()->errorType
                      : fmt::format("{}: {}", result->getError()->errorType, result->getError()->errorMessage);
    if (!timedOut.empty()) out.error = timedOut;
    if (result->getStatus() == ExecutionStatus::Running) {
      try {
        runner.stop();  // settled: the rest is not needed
      } catch (const std::exception&) {
        // It ended meanwhile.
      }
    }
    return out;
  };
}

}  // namespace rwd::conformance
