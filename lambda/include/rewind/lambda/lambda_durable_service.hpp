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
  // `deferContextUpdates`: queue CONTEXT updates (a child context's, parallel branch's or
  // map item's START, SUCCEED, FAIL) instead of sending them at once, as the JS SDK does
  // (it never awaits them); they go out, in order, in front of the next update that is
  // sent, or at flush(). The service's record is then always a prefix of the updates.
  explicit LambdaDurableService(DurableApiClient& api, bool deferContextUpdates = false)
      : api_(api), deferContextUpdates_(deferContextUpdates) {}

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

  // Sends the queued CONTEXT updates (the bootstrap calls it before answering Lambda).
  // Throws as checkpointDurableExecution does.
  void flush();
  std::size_t queuedUpdates() const noexcept { return queued_.updates.size(); }
  int callCount() const noexcept { return calls_; }

 private:
  CheckpointDurableExecutionResponse send(const CheckpointDurableExecutionRequest& request);

  DurableApiClient& api_;
  bool deferContextUpdates_;
  CheckpointDurableExecutionRequest queued_;  // updates not sent yet, with the token to send them with
  int calls_ = 0;
};

}  // namespace rwd::lambda
