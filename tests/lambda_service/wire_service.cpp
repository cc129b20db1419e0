// The durable API's JSON in process: every message is written, logged and parsed back.
#include "wire_service.hpp"

#include <stdexcept>

#include "rewind/durable_api_json.hpp"
#include "rewind/durable_invocation.hpp"

namespace rwd::testing {

Json WireLog::toJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  Json out = Json::array();
  for (const auto& m : messages_)
    out.push_back({{"Shape", m.shape}, {"Body", m.body}, {"Uri", m.uri}, {"Query", m.query}});
  return out;
}

CheckpointDurableExecutionResponse JsonWireService::checkpointDurableExecution(
    const CheckpointDurableExecutionRequest& request) {
  Json body = rwd::toJson(request);
  if (log_)
    log_->add("CheckpointDurableExecutionRequest", body, {{"DurableExecutionArn", request.durableExecutionArn}});
  CheckpointDurableExecutionRequest sent =
      checkpointRequestFromJson(request.durableExecutionArn, Json::parse(body.dump()));
  Json answer = rwd::toJson(inner_.checkpointDurableExecution(sent));
  if (log_) log_->add("CheckpointDurableExecutionResponse", answer);
  return checkpointResponseFromJson(Json::parse(answer.dump()));
}

GetDurableExecutionStateResponse JsonWireService::getDurableExecutionState(
    const GetDurableExecutionStateRequest& request) {
  Json query{{"CheckpointToken", request.checkpointToken}};
  if (request.marker) query["Marker"] = *request.marker;
  if (request.maxItems) query["MaxItems"] = *request.maxItems;
  if (log_)
    log_->add("GetDurableExecutionStateRequest", Json::object(), {{"DurableExecutionArn", request.durableExecutionArn}},
              query);
  Json answer = rwd::toJson(inner_.getDurableExecutionState(request));
  if (log_) log_->add("GetDurableExecutionStateResponse", answer);
  return stateResponseFromJson(Json::parse(answer.dump()));
}

void pageInvocationInput(DurableExecutionInvocationInput& input, int maxItems) {
  auto& ops = input.initialExecutionState.operations;
  if (maxItems <= 0 || ops.size() <= static_cast<std::size_t>(maxItems)) return;
  // The EXECUTION operation is the first record; the marker counts the runner's records.
  std::size_t keep = static_cast<std::size_t>(maxItems);
  input.initialExecutionState.nextMarker = std::to_string(keep - 1);
  ops.resize(keep);
}

InvocationExecutor makeWireExecutor(RawHandler handler, WireExecutorOptions options) {
  return [handler = std::move(handler), options](const InvocationRequest& request,
                                                 const InProcessInvocation&) -> InvocationResponse {
    if (!request.detach) throw std::logic_error("[rewind.test.no_detach] the runner offers no detached service");
    std::unique_ptr<DetachedDurableService> service = request.detach();
    DurableExecutionInvocationInput input = service->invocationInput();
    pageInvocationInput(input, options.maxItems);
    Json inputJson = rwd::toJson(input);
    if (options.log) options.log->add("DurableExecutionInvocationInput", inputJson);
    JsonWireService wire(*service, options.log);
    InvocationOptions o;
    o.clock = [s = service.get()] { return s->now(); };
    o.seed = options.seed;
    o.handlerConfig = options.handlerConfig;
    o.requestId = request.requestId;
    o.invocationIndex = request.index;
    InvocationResult r = runDurableInvocation(handler, invocationInputFromJson(Json::parse(inputJson.dump())), wire, o);
    InvocationResponse resp;
    for (const OperationUpdate& u : service->appliedUpdates()) resp.updates.push_back({u, CheckpointFate::Persist});
    switch (r.end) {
      case InvocationResult::End::InvocationFailed:
        resp.end = InvocationResponse::End::InvocationFailed;
        resp.error = r.output.error;
        return resp;
      case InvocationResult::End::Crashed:
        resp.end = InvocationResponse::End::Crashed;
        return resp;
      default:
        break;
    }
    Json outputJson = rwd::toJson(r.output);
    if (options.log) options.log->add("DurableExecutionInvocationOutput", outputJson);
    DurableExecutionInvocationOutput out = invocationOutputFromJson(Json::parse(outputJson.dump()));
    resp.end = out.status == InvocationStatus::Succeeded ? InvocationResponse::End::Succeeded
               : out.status == InvocationStatus::Failed  ? InvocationResponse::End::Failed
                                                         : InvocationResponse::End::Pending;
    resp.result = std::move(out.result);
    resp.error = std::move(out.error);
    return resp;
  };
}

}  // namespace rwd::testing
