// JSON forms of operations and history events, as the service's APIs write them
// (GetDurableExecutionState, GetDurableExecutionHistory), and back.
#pragma once

#include <vector>

#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

Json toJson(const HistoryEvent& event);
Json toJson(const Operation& op);
Json toJson(const ErrorObject& error);
Json historyToJson(const std::vector<HistoryEvent>& events);
Json operationsToJson(const std::vector<Operation>& ops);

// Parses a GetDurableExecutionState-style operation list (the "Operations" array or a
// document holding it). Throws std::invalid_argument naming the bad field.
std::vector<Operation> operationsFromJson(const Json& j);

// A checkpoint update as the service's CheckpointDurableExecution API takes it
// (OperationUpdate: Id, ParentId, Name, Type, SubType, Action, Payload, Error and the
// per-type options), plus Rewind's positional StepId; and back, exactly (payloads are
// kept as text). The parser throws std::invalid_argument naming the bad field.
Json toJson(const OperationUpdate& update);
OperationUpdate operationUpdateFromJson(const Json& j);

std::optional<OperationType> operationTypeFromString(std::string_view s);
std::optional<OperationAction> operationActionFromString(std::string_view s);
std::optional<OperationSubType> operationSubTypeFromString(std::string_view s);
std::optional<OperationStatus> operationStatusFromString(std::string_view s);
std::optional<TimePoint> parseTimestamp(std::string_view s);

}  // namespace rwd
