// The engine's in-memory execution (engine.hpp): its ExecutionStore, the invocation that
// runs, completions kept until it ends, and its chained-invoke links. Private to the
// engine's sources (engine.cpp, engine_invokes.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine.hpp"
#include "execution_store.hpp"
#include "rewind/batch_result.hpp"  // errorToJson
#include "rewind/json_text.hpp"

namespace rwd::server::internal {

using rwd::internal::ExecutionStore;

// An error as a pending action's body (a callback's or an invoked execution's failure).
inline std::string errorBody(const ErrorObject& error) { return dumpJson(rwd::internal::errorToJson(error)); }

struct Engine::Running {
  std::string requestId;
  int worker = -1;  // -1: not yet handed out
  TimePoint start{};
  std::chrono::steady_clock::time_point deadline{};
};

struct Engine::PendingAction {
  std::int64_t seq = 0;
  // A callback's "succeed" | "fail"; an invoked execution's end: "invoke_succeed",
  // "invoke_fail", "invoke_timed_out", "invoke_stopped".
  std::string kind;
  std::string opId;
  std::optional<std::string> body;  // the payload, or the error's JSON
};

struct Engine::Execution {
  Execution(std::string a, TimePoint now) : arn(std::move(a)), store(now, 0, arn) {}
  std::string arn, functionName, name;
  std::int64_t seq = 0;
  Payload input;
  TimePoint start{};
  ExecutionStore store;
  std::string token;  // the current invocation's checkpoint token; empty: none runs
  // The records GetDurableExecutionState pages through for `visibleToken`, computed once
  // for the pages between two checkpoints (records change only by a checkpoint, which
  // clears it, or between invocations, which change the token; they keep their address).
  std::string visibleToken;
  std::vector<const Operation*> visible;
  std::optional<Running> running;
  bool queued = false;
  int failedInvocations = 0;
  std::int64_t pendingSeq = 0;
  std::vector<PendingAction> pending;
  std::map<std::string, CheckpointDurableExecutionResponse> answered;  // this invocation's ClientTokens
  Payload checkpointedResult;  // an EXECUTION SUCCEED's payload (a result too large for the envelope)
  // Chained invokes: the CHAINED_INVOKE operation this execution runs for (empty: none),
  // and the executions this one's CHAINED_INVOKE operations started, by operation id.
  std::string parentArn, parentOpId;
  std::map<std::string, std::string> invokeChildren;
  // Operations changed from outside (a timer fired, a callback was answered, an invoked
  // execution ended) since the last invocation: its UpdatedOperationIds, as the service sends
  // them (the AWS JS SDK tells its plugins which completions are new rather than replayed).
  // Outside changes are applied only between invocations here (timers of a running execution
  // wait for its invocation's end, callback answers are kept pending), so no checkpoint's
  // NewExecutionState carries one. In memory only: after a restart the input still holds
  // every record, not this hint.
  std::set<std::string> untold;
};

}  // namespace rwd::server::internal
