// LambdaDurableService: the SDK core's DurableService over the real Lambda durable API
// (DurableApiClient: HTTPS, SigV4, retries). The bootstrap builds one per invocation.
//
//   rwd::lambda::LambdaDurableService service(apiClient);
//   rwd::InvocationResult r = rwd::runDurableInvocation(handler, input, service, options);
#pragma once

#include "rewind/durable_service.hpp"
#include "rewind/lambda/durable_api_client.hpp"

namespace rwd::lambda {

// Thread-safety: one call at a time (the SDK core calls it from the handler's thread).
class LambdaDurableService final : public DurableService {
 public:
  explicit LambdaDurableService(DurableApiClient& api) : api_(api) {}

  // Sends the updates in as few calls as the service's limits allow (250 updates and
  // 750 KB per call, as the JS SDK batches them), each call with the token the previous
  // one returned; the response carries the last token and every changed operation.
  // Failures: a 4xx other than throttling and an invalid checkpoint token throws
  // InvalidCheckpointError (the execution fails, as in the JS SDK); everything else,
  // after the client's retries, throws UnrecoverableInvocationError (the invocation fails
  // and Lambda invokes again). Both messages keep the DurableApiError's stable id.
  CheckpointDurableExecutionResponse checkpointDurableExecution(
      const CheckpointDurableExecutionRequest& request) override;

  // One page (Marker/MaxItems as given); the SDK core follows NextMarker.
  GetDurableExecutionStateResponse getDurableExecutionState(const GetDurableExecutionStateRequest& request) override;

  int callCount() const noexcept { return calls_; }

 private:
  DurableApiClient& api_;
  int calls_ = 0;
};

}  // namespace rwd::lambda
