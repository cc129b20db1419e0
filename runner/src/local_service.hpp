// LocalDurableService: the local runner's side of the SDK boundary. It applies
// checkpoint calls to the runner's ExecutionStore in process, with C++ values only: the
// invocation input and every response lend the store's records (ExecutionState::lent),
// so an invocation copies nothing. Tokens are checked as the service checks them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "execution_store.hpp"
#include "rewind/durable_service.hpp"

namespace rwd::internal {

class LocalDurableService final : public DurableService {
 public:
  explicit LocalDurableService(ExecutionStore& store) : store_(store) {}

  // The next invocation's input: the store's records lent, the handler's input in an
  // EXECUTION operation, and a fresh checkpoint token.
  DurableExecutionInvocationInput invocationInput(const Payload& input, TimePoint executionStart);

  CheckpointDurableExecutionResponse checkpointDurableExecution(
      const CheckpointDurableExecutionRequest& request) override;
  // Pages of copies of the records (a client over a wire; the SDK in process never asks).
  GetDurableExecutionStateResponse getDurableExecutionState(const GetDurableExecutionStateRequest& request) override;

  // The Id of the EXECUTION operation an invocation input carries.
  static constexpr const char* kExecutionOperationId = "execution";

 private:
  void checkToken(const std::string& arn, const std::string& token) const;
  void nextToken();

  ExecutionStore& store_;
  std::string token_ = "0";  // the current token: the number of tokens handed out, in decimal
};

}  // namespace rwd::internal
