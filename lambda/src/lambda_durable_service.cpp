// DurableService over HTTPS: JSON through the SDK's durable_api_json codec (the service
// model's shapes), failures mapped onto the SDK core's two unrecoverable error kinds.
#include "rewind/lambda/lambda_durable_service.hpp"

#include <nlohmann/json.hpp>

#include "rewind/durable_api_json.hpp"
#include "rewind/error.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/service_limits.hpp"

namespace rwd::lambda {
namespace {

[[noreturn]] void rethrowForCore(const DurableApiError& e) {
  if (e.failsExecution()) throw InvalidCheckpointError("rewind.lambda.request_rejected", e.what());
  throw UnrecoverableInvocationError(e.kind() == DurableApiError::Kind::InvalidCheckpointToken
                                         ? "rewind.lambda.invalid_checkpoint_token"
                                         : "rewind.lambda.checkpoint_failed",
                                     e.what());
}

template <class F>
auto parseResponse(const char* what, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const std::exception& e) {
    throw UnrecoverableInvocationError("rewind.lambda.bad_response",
                                       std::string("[rewind.lambda.bad_response] ") + what + ": " + e.what());
  }
}

}  // namespace

CheckpointDurableExecutionResponse LambdaDurableService::checkpointDurableExecution(
    const CheckpointDurableExecutionRequest& request) {
  CheckpointDurableExecutionResponse merged;
  std::string token = request.checkpointToken;
  std::size_t next = 0;
  do {
    // One call's slice: at most kMaxUpdatesPerCheckpoint updates and about
    // kMaxCheckpointBytes of JSON (the JS SDK's estimate: the token plus 100 bytes, plus
    // each update's JSON). A single update larger than that still goes alone: the
    // service then judges it.
    CheckpointDurableExecutionRequest part;
    part.durableExecutionArn = request.durableExecutionArn;
    part.checkpointToken = token;
    part.clientToken = request.clientToken;
    std::size_t bytes = token.size() + 100;
    while (next < request.updates.size() && part.updates.size() < internal::kMaxUpdatesPerCheckpoint) {
      std::size_t size = toJson(request.updates[next], JsonForm::Wire).dump().size();
      if (!part.updates.empty() && bytes + size > internal::kMaxCheckpointBytes) break;
      bytes += size;
      part.updates.push_back(request.updates[next++]);
    }
    // A caller's ClientToken names the whole request: a split one gets fresh tokens.
    if (part.updates.size() != request.updates.size()) part.clientToken.reset();
    Json body = toJson(part);
    Json out;
    try {
      ++calls_;
      out = api_.checkpoint(request.durableExecutionArn, std::move(body));
    } catch (const DurableApiError& e) {
      rethrowForCore(e);
    }
    CheckpointDurableExecutionResponse response =
        parseResponse("CheckpointDurableExecution response", [&] { return checkpointResponseFromJson(out); });
    if (response.checkpointToken) token = *response.checkpointToken;
    merged.checkpointToken = response.checkpointToken ? response.checkpointToken : merged.checkpointToken;
    for (auto& op : response.newExecutionState.operations) merged.newExecutionState.operations.push_back(std::move(op));
    merged.newExecutionState.nextMarker = response.newExecutionState.nextMarker;
  } while (next < request.updates.size());
  return merged;
}

GetDurableExecutionStateResponse LambdaDurableService::getDurableExecutionState(
    const GetDurableExecutionStateRequest& request) {
  Json out;
  try {
    ++calls_;
    out = api_.getState(request.durableExecutionArn, request.checkpointToken, request.marker, request.maxItems);
  } catch (const DurableApiError& e) {
    rethrowForCore(e);
  }
  return parseResponse("GetDurableExecutionState response", [&] { return stateResponseFromJson(out); });
}

}  // namespace rwd::lambda
