// The Lambda durable API's messages as JSON, exactly as the service model writes them
// (botocore lambda/2015-03-31, rest-json: member names, enums, timestamps as epoch
// seconds), and back; plus the HTTP paths of the two durable API calls. Only a process
// or network boundary uses these; the local runner never does.
//
// CheckpointDurableExecution's body holds every member but DurableExecutionArn (in the
// path); GetDurableExecutionState has no body (CheckpointToken, Marker and MaxItems are
// query parameters). Parsers throw std::invalid_argument naming the bad member.
#pragma once

#include <string>
#include <string_view>

#include "rewind/durable_api.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

Json toJson(const ExecutionState& state);  // {Operations, NextMarker}; a lent state is written in full
ExecutionState executionStateFromJson(const Json& j);

Json toJson(const DurableExecutionInvocationInput& input);
DurableExecutionInvocationInput invocationInputFromJson(const Json& j);
Json toJson(const DurableExecutionInvocationOutput& output);
DurableExecutionInvocationOutput invocationOutputFromJson(const Json& j);

Json toJson(const CheckpointDurableExecutionRequest& request);  // the body
CheckpointDurableExecutionRequest checkpointRequestFromJson(std::string durableExecutionArn, const Json& body);
Json toJson(const CheckpointDurableExecutionResponse& response);
CheckpointDurableExecutionResponse checkpointResponseFromJson(const Json& j);

Json toJson(const GetDurableExecutionStateResponse& response);
GetDurableExecutionStateResponse stateResponseFromJson(const Json& j);

// "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint" (the ARN percent-encoded).
std::string checkpointPath(std::string_view durableExecutionArn);
// "/2025-12-01/durable-executions/{DurableExecutionArn}/state?CheckpointToken=...&Marker=...&MaxItems=..."
std::string statePath(const GetDurableExecutionStateRequest& request);
// Percent-encodes everything but RFC 3986's unreserved characters; and back.
std::string uriEncode(std::string_view text);
std::string uriDecode(std::string_view text);

}  // namespace rwd
