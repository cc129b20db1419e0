// The local runner's DurableService: checkpoints applied to the store in process.
#include "local_service.hpp"

#include <charconv>
#include <span>

#include <fmt/format.h>

#include "rewind/error.hpp"

namespace rwd::internal {

std::string LocalDurableService::token() const {
  // Short enough for the small-string buffer: no allocation per checkpoint.
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, tokenCounter_);
  return std::string(buf, end);
}

void LocalDurableService::checkToken(const std::string& arn, const std::string& token) const {
  if (arn != store_.arn())
    throw InvalidCheckpointError("rewind.checkpoint.unknown_execution",
                                 fmt::format("no durable execution has the ARN '{}'", arn));
  if (token != this->token())
    throw InvalidCheckpointError(
        "rewind.checkpoint.stale_token",
        fmt::format("the checkpoint token '{}' is not the execution's current token (an earlier or a later "
                    "invocation's)",
                    token));
}

DurableExecutionInvocationInput LocalDurableService::invocationInput(const Payload& input, TimePoint executionStart) {
  ++tokenCounter_;
  DurableExecutionInvocationInput in;
  in.durableExecutionArn = store_.arn();
  in.checkpointToken = token();
  Operation exec;
  exec.id = kExecutionOperationId;
  exec.type = OperationType::Execution;
  exec.subType = OperationSubType::Execution;
  exec.status = OperationStatus::Started;
  exec.startTimestamp = executionStart;
  exec.executionDetails.emplace();
  exec.executionDetails->inputPayload = input;
  in.initialExecutionState.operations.push_back(std::move(exec));
  in.initialExecutionState.lent = &store_;
  return in;
}

CheckpointDurableExecutionResponse LocalDurableService::checkpointDurableExecution(
    const CheckpointDurableExecutionRequest& request) {
  checkToken(request.durableExecutionArn, request.checkpointToken);
  if (request.updates.size() > 1)
    validateCheckpoint(std::span<const OperationUpdate>(request.updates.data(), request.updates.size()), store_);
  for (const OperationUpdate& u : request.updates) store_.apply(u);
  ++tokenCounter_;
  CheckpointDurableExecutionResponse response;
  response.checkpointToken = token();
  response.newExecutionState.lent = &store_;
  return response;
}

GetDurableExecutionStateResponse LocalDurableService::getDurableExecutionState(
    const GetDurableExecutionStateRequest& request) {
  checkToken(request.durableExecutionArn, request.checkpointToken);
  std::size_t from = 0;
  if (request.marker) {
    auto [ptr, ec] = std::from_chars(request.marker->data(), request.marker->data() + request.marker->size(), from);
    if (ec != std::errc() || ptr != request.marker->data() + request.marker->size() || from > store_.size())
      throw InvalidCheckpointError("rewind.state.bad_marker",
                                   fmt::format("'{}' is not a marker of this state", *request.marker));
  }
  std::size_t pageSize = request.maxItems && *request.maxItems > 0 ? static_cast<std::size_t>(*request.maxItems) : 100;
  GetDurableExecutionStateResponse response;
  const auto& ops = store_.operations();
  std::size_t to = std::min(ops.size(), from + pageSize);
  response.operations.assign(ops.begin() + static_cast<std::ptrdiff_t>(from),
                             ops.begin() + static_cast<std::ptrdiff_t>(to));
  if (to < ops.size()) response.nextMarker = std::to_string(to);
  return response;
}

}  // namespace rwd::internal
