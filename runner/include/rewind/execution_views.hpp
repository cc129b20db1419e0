// What a local run (ExecutionResult) and an execution read back from a deployed function
// (RemoteExecutionResult) show the same way: the JSON of a result payload and of the
// invocations, and the printed tree of the operations.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// A result payload as JSON: parsed when it is JSON, else the text itself (also for JSON
// that nlohmann cannot hold, such as a number beyond a double: "1e400").
Json payloadAsJson(const std::string& payload);
// The "Invocations" array of toJson(): index, request id, outcome, timestamps, error.
Json invocationsToJson(const std::vector<InvocationRecord>& invocations);
// The operations as a tree under their parents, one line each: name (or #positional id,
// or the id when the position is unknown), type/subtype, status, start relative to
// `epoch`, attempts, wait and duration.
void printOperationTree(std::ostream& out, const std::vector<Operation>& operations, TimePoint epoch);

}  // namespace rwd
