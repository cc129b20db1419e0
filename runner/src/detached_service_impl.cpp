// The runner's DetachedDurableService: a copy of the store behind the in-process
// service, answering with owned copies of the records (they are about to cross a
// process boundary) and replaying a retried call's answer for its ClientToken.
#include "detached_service_impl.hpp"

#include <unordered_set>

namespace rwd::internal {

DetachedServiceImpl::DetachedServiceImpl(const ExecutionStore& store, Payload input, TimePoint executionStart)
    : scratch_(store), local_(scratch_), input_(std::move(input)), executionStart_(executionStart) {}

DurableExecutionInvocationInput DetachedServiceImpl::invocationInput() {
  DurableExecutionInvocationInput in = local_.invocationInput(input_, executionStart_);
  ExecutionState& state = in.initialExecutionState;
  state.lent = nullptr;
  state.operations.insert(state.operations.end(), scratch_.operations().begin(), scratch_.operations().end());
  return in;
}

CheckpointDurableExecutionResponse DetachedServiceImpl::checkpointDurableExecution(
    const CheckpointDurableExecutionRequest& request) {
  if (request.clientToken) {
    if (auto it = answered_.find(*request.clientToken); it != answered_.end()) return it->second;
  }
  CheckpointDurableExecutionResponse response = local_.checkpointDurableExecution(request);
  applied_.insert(applied_.end(), request.updates.begin(), request.updates.end());
  response.newExecutionState.lent = nullptr;
  std::unordered_set<std::string> sent;
  for (const OperationUpdate& u : request.updates) {
    if (!sent.insert(u.id).second) continue;
    if (const Operation* op = scratch_.find(u.id)) response.newExecutionState.operations.push_back(*op);
  }
  if (request.clientToken) answered_[*request.clientToken] = response;
  return response;
}

GetDurableExecutionStateResponse DetachedServiceImpl::getDurableExecutionState(
    const GetDurableExecutionStateRequest& request) {
  return local_.getDurableExecutionState(request);
}

}  // namespace rwd::internal
