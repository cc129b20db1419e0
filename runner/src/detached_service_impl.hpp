// The runner's DetachedDurableService over a copy of its ExecutionStore.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "execution_store.hpp"
#include "local_service.hpp"
#include "rewind/detached_service.hpp"

namespace rwd::internal {

class DetachedServiceImpl final : public DetachedDurableService {
 public:
  DetachedServiceImpl(const ExecutionStore& store, Payload input, TimePoint executionStart);

  DurableExecutionInvocationInput invocationInput() override;
  CheckpointDurableExecutionResponse checkpointDurableExecution(
      const CheckpointDurableExecutionRequest& request) override;
  GetDurableExecutionStateResponse getDurableExecutionState(const GetDurableExecutionStateRequest& request) override;
  const std::vector<OperationUpdate>& appliedUpdates() const noexcept override { return applied_; }
  TimePoint now() const noexcept override { return scratch_.now(); }

 private:
  ExecutionStore scratch_;
  LocalDurableService local_;
  Payload input_;
  TimePoint executionStart_;
  std::vector<OperationUpdate> applied_;
  std::map<std::string, CheckpointDurableExecutionResponse> answered_;  // by ClientToken
};

}  // namespace rwd::internal
