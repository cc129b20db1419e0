// The local runner's DurableService: checkpoints applied to the store in process.
#include "local_service.hpp"

#include <charconv>
#include <cstddef>
#include <span>

#include <fmt/format.h>

#include "rewind/error.hpp"

namespace rwd::internal {

void LocalDurableService::nextToken() {
  // One is added to the decimal token in place, digit by digit, so that a checkpoint
  // neither allocates nor formats a number.
  for (std::size_t i = token_.size(); i-- > 0;) {
    if (token_[i] != '9') {
      ++token_[i];
      return;
    }
    token_[i] = '0';
  }
  token_.insert(token_.begin(), '1');
}

void LocalDurableService::checkToken(const std::string& arn, const std::string& token) const {
  if (token == token_ && arn == store_.arn()) return;
  if (arn != store_.arn())
    throw InvalidCheckpointError("rewind.checkpoint.unknown_execution",
                                 fmt::format("no durable execution has the ARN '{}'", arn));
  throw InvalidCheckpointError(
      "rewind.checkpoint.stale_token",
      fmt::format("the checkpoint token '{}' is not the execution's current token (an earlier or a later "
                  "invocation's)",
                  token));
}

DurableExecutionInvocationInput LocalDurableService::invocationInput(const Payload& input, TimePoint executionStart) {
  nextToken();
  DurableExecutionInvocationInput in;
  in.durableExecutionArn = store_.arn();
  in.checkpointToken = token_;
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
  // The token first: it is short and differs first when anything is wrong.
  if (request.checkpointToken != token_ || request.durableExecutionArn != store_.arn()) [[unlikely]]
    checkToken(request.durableExecutionArn, request.checkpointToken);
  if (request.updates.size() > 1)
    validateCheckpoint(std::span<const OperationUpdate>(request.updates.data(), request.updates.size()), store_);
  for (const OperationUpdate& u : request.updates) store_.apply(u);
  nextToken();
  CheckpointDurableExecutionResponse response;
  response.checkpointToken = token_;
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
