// DurableService: the SDK core's only connection to the durable execution service.
//
// Implementations: the local runner's in-process service (runner/src/local_service.hpp:
// C++ values, records lent, no JSON), the Lambda transport's HTTPS client (lambda/), and
// any test double. Handler code never sees it; one invocation (durable_invocation.hpp)
// calls it for every checkpoint and for the pages of a large initial state.
//
//   class MyService final : public rwd::DurableService { ... };
//   MyService service;
//   auto output = rwd::runDurableInvocation(handler, input, service, {});
#pragma once

#include "rewind/durable_api.hpp"

namespace rwd {

class DurableService {
 public:
  virtual ~DurableService() = default;

  // Applies `request.updates` in order. Throws InvalidCheckpointError when the service
  // rejects them (the execution then fails); any other exception fails the invocation
  // (Lambda retries it). The response's state holds the operations the call changed
  // (or lends all of them).
  virtual CheckpointDurableExecutionResponse checkpointDurableExecution(
      const CheckpointDurableExecutionRequest& request) = 0;

  // One page of the execution's operations, in creation order.
  virtual GetDurableExecutionStateResponse getDurableExecutionState(const GetDurableExecutionStateRequest& request) = 0;
};

}  // namespace rwd
