// rewind-conformance --endpoint URL: each requirement runs on a deployed function
// (rewind-server, or AWS) through rwd::RemoteDurableTestRunner — the Input as a real
// Invoke, CallbackActions as SendDurableExecutionCallback* calls, the history from
// GetDurableExecutionHistory.
#pragma once

#include <chrono>
#include <string>

#include "conformance_runner.hpp"

namespace rwd::conformance {

struct EndpointSettings {
  std::string endpoint;  // empty: AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL / Lambda in the region
  std::string region;    // empty: the environment's
  // Requirement a.b runs on function <prefix>a-b (function names have no '.').
  std::string functionPrefix = "rewind-conformance-";
  double timeScale = 1.0;  // the endpoint's clock speed: CallbackActions' Delay is divided by it
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};  // per requirement, real time
};

// The function requirement `id` runs on: "1.17" -> "<prefix>1-17".
std::string endpointFunctionFor(const std::string& id, const std::string& prefix);

EndpointExecution makeEndpointExecution(EndpointSettings settings);

}  // namespace rwd::conformance
