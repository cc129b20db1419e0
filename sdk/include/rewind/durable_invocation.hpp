// Running one invocation of a durable handler: the SDK core's entry point. The same code
// runs a handler in the local runner (an in-process DurableService) and on Lambda (the
// bootstrap's HTTPS DurableService).
//
//   rwd::InvocationOptions options;
//   options.clock = [] { return myClock.now(); };
//   rwd::InvocationResult r = rwd::runDurableInvocation(handler, std::move(input), service, options);
//   if (r.end == rwd::InvocationResult::End::InvocationFailed) { /* Runtime API .../error */ }
//   else { /* Runtime API .../response with toJson(r.output) */ }
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "rewind/durable_api.hpp"
#include "rewind/durable_service.hpp"
#include "rewind/handler.hpp"
#include "rewind/invocation_hooks.hpp"
#include "rewind/time.hpp"

namespace rwd {

struct InvocationOptions {
  // The invocation's clock (log timestamps, waitUntil). Required: library code never
  // reads the wall clock itself; a Lambda bootstrap passes the system clock.
  std::function<TimePoint()> clock;
  std::uint64_t seed = 1;  // retry jitter
  HandlerConfig handlerConfig{};
  std::ostream* logStream = nullptr;     // log records as JSON lines
  std::vector<Json>* logSink = nullptr;  // log records as values
  BranchScheduler* scheduler = nullptr;  // null: lowest index first
  CheckpointInterceptor interceptor;
  std::size_t* checkpointSequence = nullptr;  // counts updates across invocations
  StepBodyObserver stepBodyObserver;
  StepResultOverride stepResultOverride;
  StepErrorOverride stepErrorOverride;
  // The execution's own SUCCEED/FAIL passes `interceptor` after the handler returns (the
  // checker's crash point between "handler returned" and its outcome).
  bool interceptOutcome = false;
  // What plugins are told about the invocation (InvocationInfo).
  std::string requestId;
  TimePoint executionStart{};
  int invocationIndex = 1;                             // 1-based
  std::unordered_set<std::string> completedSinceLast;  // ids made terminal between invocations
  // Ids made terminal from outside since the last invocation that ended cleanly (not
  // crashed, not failed as an invocation): what a FLAT batch item may not have seen yet.
  // The local runner knows them; over Lambda the set is empty.
  std::unordered_set<std::string> unseenCompletions;
  std::unordered_set<std::string>* reportedHookFailures = nullptr;  // execution-wide: report each once
  // A wall-clock limit on this invocation, like a Lambda function's timeout: once
  // `*timeoutExpired` is true (a watchdog sets it), the next durable operation fails the
  // execution with InvocationTimeoutError [rewind.invocation.timeout]. Null: no limit.
  const std::atomic<bool>* timeoutExpired = nullptr;
  std::chrono::milliseconds timeoutLimit{0};  // the limit, for the error's message
};

// How one invocation ended.
struct InvocationResult {
  enum class End {
    Succeeded,         // output: SUCCEEDED with the handler's result
    Failed,            // output: FAILED; the execution fails
    Pending,           // output: PENDING; the service re-invokes later
    Crashed,           // a simulated process death (crash seam): no output at all
    InvocationFailed,  // UnrecoverableInvocationError or a service failure: a Lambda
                       // function error (`error`), the invocation is retried
  };
  End end = End::Pending;
  DurableExecutionInvocationOutput output;
};

// Runs `handler` once from its top against `input` (its payload is the EXECUTION
// operation's InputPayload; a NextMarker is followed with GetDurableExecutionState),
// checkpointing through `service`. Plugins of options.handlerConfig see the invocation.
InvocationResult runDurableInvocation(const RawHandler& handler, DurableExecutionInvocationInput input,
                                      DurableService& service, const InvocationOptions& options);

// The handler input carried by a state's EXECUTION operation (null when it has none).
const Operation* findExecutionOperation(const ExecutionState& state);

}  // namespace rwd
