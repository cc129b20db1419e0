// The runner's two ends of RunnerOptions::invocationExecutor: an in-process outcome as
// a response's end, and a response's updates applied to the service's records.
#pragma once

#include <cstddef>

#include "execution_store.hpp"
#include "invocation.hpp"
#include "rewind/durable_invocation.hpp"
#include "rewind/local_runner.hpp"

namespace rwd::internal {

// How an in-process invocation end is reported in a response.
InvocationResponse::End responseEnd(InvocationEnd end);

// The runner's view of how the SDK's invocation ended.
InvocationOutcomeData outcomeData(InvocationResult&& result);

// Applies `resp`'s updates to `store` in order, each validated as a checkpoint call is:
// an invalid one fails the execution with InvalidCheckpointError (as in-process) and
// nothing after it is applied. An update after a crash fate throws
// [rewind.runner.bad_response]. `sequence`, when not null, advances once per update, as
// the checkpoint seam counts them in-process. Returns the invocation's outcome (moving
// the result and error out of `resp`).
InvocationOutcomeData applyResponseUpdates(ExecutionStore& store, InvocationResponse& resp, std::size_t* sequence);

}  // namespace rwd::internal
