// JSON forms of operation records and checkpoint updates, and back.
//
// JsonForm::Wire is the Lambda service model's shape exactly (botocore
// lambda/2015-03-31: Operation, OperationUpdate; timestamps as epoch seconds): what
// crosses a process or network boundary. JsonForm::Document is Rewind's own record
// format (history files, rewind-run --json): the same members plus the positional
// StepId, timestamps as ISO-8601 text.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"
#include "rewind/time.hpp"

namespace rwd {

enum class JsonForm { Document, Wire };

Json toJson(const Operation& op, JsonForm form = JsonForm::Document);
Json toJson(const ErrorObject& error);
Json operationsToJson(const std::vector<Operation>& ops, JsonForm form = JsonForm::Document);

// Parses a GetDurableExecutionState-style operation list (the "Operations" array or a
// document holding it). Throws std::invalid_argument naming the bad field. In the wire
// form a numeric timestamp is epoch seconds and a missing StepId stays empty.
std::vector<Operation> operationsFromJson(const Json& j, JsonForm form = JsonForm::Document);

// A checkpoint update as CheckpointDurableExecution takes it (OperationUpdate: Id,
// ParentId, Name, Type, SubType, Action, Payload, Error and the per-type options); the
// document form adds Rewind's positional StepId. Payloads are kept as text. The parser
// throws std::invalid_argument naming the bad field.
Json toJson(const OperationUpdate& update, JsonForm form = JsonForm::Document);
OperationUpdate operationUpdateFromJson(const Json& j, JsonForm form = JsonForm::Document);

std::optional<OperationType> operationTypeFromString(std::string_view s);
std::optional<OperationAction> operationActionFromString(std::string_view s);
std::optional<OperationSubType> operationSubTypeFromString(std::string_view s);
std::optional<OperationStatus> operationStatusFromString(std::string_view s);
std::optional<TimePoint> parseTimestamp(std::string_view s);
// A timestamp as the service model's rest-json protocol writes it: epoch seconds, with
// milliseconds as a fraction when there are any.
Json epochSecondsJson(TimePoint t);

}  // namespace rwd
