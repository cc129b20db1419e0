// The messages of the Lambda durable execution API, as C++ values: the invocation input
// and output of a durable function, CheckpointDurableExecution and
// GetDurableExecutionState (botocore's lambda/2015-03-31 service model; the JSON forms are
// in durable_api_json.hpp). The SDK core talks to the service only through these
// messages (durable_service.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rewind/error.hpp"
#include "rewind/execution_state_view.hpp"
#include "rewind/operation.hpp"
#include "rewind/plugin.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// Operations the service hands over: InitialExecutionState / NewExecutionState
// {Operations, NextMarker}. Over a wire the records are owned (`operations`). An
// in-process service may lend its own records instead (`lent`: every record of the
// execution, kept current; never serialized), which is the local runner's fast path.
struct ExecutionState {
  std::vector<Operation> operations;
  std::optional<std::string> nextMarker;
  const ExecutionStateView* lent = nullptr;
};

// What Lambda passes a durable function's handler. The handler's input is the
// ExecutionDetails.InputPayload of the state's EXECUTION operation.
struct DurableExecutionInvocationInput {
  std::string durableExecutionArn;
  std::string checkpointToken;
  ExecutionState initialExecutionState;
};

// What the handler returns to Lambda: SUCCEEDED with Result, FAILED with Error, or
// PENDING (suspended: the service re-invokes it when a wait, retry, callback or invoke
// completes).
struct DurableExecutionInvocationOutput {
  InvocationStatus status = InvocationStatus::Pending;
  Payload result;
  std::optional<ErrorObject> error;
};

struct CheckpointDurableExecutionRequest {
  std::string durableExecutionArn;
  std::string checkpointToken;
  std::vector<OperationUpdate> updates;
  std::optional<std::string> clientToken;  // idempotency token of a retried call
};

struct CheckpointDurableExecutionResponse {
  std::optional<std::string> checkpointToken;  // the token of the next call
  ExecutionState newExecutionState;            // operations changed since the last call
};

struct GetDurableExecutionStateRequest {
  std::string durableExecutionArn;
  std::string checkpointToken;
  std::optional<std::string> marker;  // NextMarker of the previous page
  std::optional<int> maxItems;        // 0..1000; 0 or absent: the service's default (100)
};

struct GetDurableExecutionStateResponse {
  std::vector<Operation> operations;
  std::optional<std::string> nextMarker;
};

}  // namespace rwd
