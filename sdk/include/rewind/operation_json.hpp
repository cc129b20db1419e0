// JSON forms of operation records and checkpoint updates, and back.
//
// JsonForm::Wire is the Lambda service model's shape exactly (botocore
// lambda/2015-03-31: Operation, OperationUpdate; timestamps as epoch seconds): what
// crosses a process or network boundary. JsonForm::Document is Rewind's own record
// format (history files, rewind-run --json): the same members plus the positional
// StepId, timestamps as ISO-8601 text.
#pragma once

#include <cstdint>
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
// ISO-8601 UTC text (YYYY-MM-DDTHH:MM:SS, an optional fraction, an optional Z) of a
// time between the years 1 and 9999; nullopt for anything else.
std::optional<TimePoint> parseTimestamp(std::string_view s);
// The times a record or an event can hold, in milliseconds since the epoch: the years 1
// to 9999, as ISO-8601 text writes them. A reader rejects others (arithmetic on them
// could overflow).
inline constexpr std::int64_t kMinTimestampMs = -62135596800000;  // 0001-01-01T00:00:00.000Z
inline constexpr std::int64_t kMaxTimestampMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
// A timestamp as the service model's rest-json protocol writes it: epoch seconds, with
// milliseconds as a fraction when there are any.
Json epochSecondsJson(TimePoint t);

}  // namespace rwd
