// Responses of invocations run elsewhere (RunnerOptions::invocationExecutor): the
// service applies their updates itself, validated, and reads their outcome.
#include "invocation_response.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace rwd {

std::string_view toString(InvocationResponse::End e) {
  switch (e) {
    case InvocationResponse::End::Succeeded:
      return "SUCCEEDED";
    case InvocationResponse::End::Failed:
      return "FAILED";
    case InvocationResponse::End::InvocationFailed:
      return "INVOCATION_FAILED";
    case InvocationResponse::End::Pending:
      return "PENDING";
    case InvocationResponse::End::Crashed:
      return "CRASHED";
  }
  return "?";
}

namespace internal {

InvocationResponse::End responseEnd(InvocationEnd end) {
  switch (end) {
    case InvocationEnd::Succeeded:
      return InvocationResponse::End::Succeeded;
    case InvocationEnd::Failed:
      return InvocationResponse::End::Failed;
    case InvocationEnd::InvocationFailed:
      return InvocationResponse::End::InvocationFailed;
    case InvocationEnd::Pending:
      return InvocationResponse::End::Pending;
    case InvocationEnd::Crashed:
      return InvocationResponse::End::Crashed;
  }
  return InvocationResponse::End::Crashed;
}

InvocationOutcomeData outcomeData(InvocationResult&& result) {
  InvocationOutcomeData out;
  switch (result.end) {
    case InvocationResult::End::Succeeded: out.end = InvocationEnd::Succeeded; break;
    case InvocationResult::End::Failed: out.end = InvocationEnd::Failed; break;
    case InvocationResult::End::Pending: out.end = InvocationEnd::Pending; break;
    case InvocationResult::End::Crashed: out.end = InvocationEnd::Crashed; break;
    case InvocationResult::End::InvocationFailed: out.end = InvocationEnd::InvocationFailed; break;
  }
  out.result = std::move(result.output.result);
  out.error = std::move(result.output.error);
  return out;
}

InvocationOutcomeData applyResponseUpdates(ExecutionStore& store, InvocationResponse& resp, std::size_t* sequence) {
  InvocationOutcomeData out;
  const std::size_t n = resp.updates.size();
  for (std::size_t i = 0; i < n; ++i) {
    const CheckpointRecord& r = resp.updates[i];
    if (r.fate != CheckpointFate::Persist && i + 1 != n)
      throw std::runtime_error(
          fmt::format("[rewind.runner.bad_response] the invocation executor returned update {} "
                      "of {} after a crash at update {}; a crash ends the invocation",
                      i + 2, n, i + 1));
    if (r.fate == CheckpointFate::DropAndCrash) continue;
    try {
      store.apply(r.update);
    } catch (const InvalidCheckpointError&) {
      out.end = InvocationEnd::Failed;
      out.error = currentErrorInfo().toObject();
      break;
    }
  }
  if (sequence) *sequence += n;  // the seam saw every update, applied or not
  if (out.error) return out;
  InvocationResponse::End end = resp.end;
  // A crash ends the invocation, except after the execution's own outcome was persisted
  // (RunnerOptions::interceptExecutionOutcome): the service has it, the execution ends.
  const bool outcomePersisted = n > 0 && resp.updates.back().update.type == OperationType::Execution &&
                                resp.updates.back().fate == CheckpointFate::PersistAndCrash;
  if (n > 0 && resp.updates.back().fate != CheckpointFate::Persist && !outcomePersisted)
    end = InvocationResponse::End::Crashed;
  switch (end) {
    case InvocationResponse::End::Succeeded:
      out.end = InvocationEnd::Succeeded;
      out.result = std::move(resp.result);
      break;
    case InvocationResponse::End::Failed:
    case InvocationResponse::End::InvocationFailed:
      out.end = end == InvocationResponse::End::Failed ? InvocationEnd::Failed : InvocationEnd::InvocationFailed;
      out.error = resp.error ? std::move(resp.error)
                             : std::optional(ErrorObject{"Rewind.MissingError",
                                                         "the invocation executor reported a failure without an error",
                                                         std::nullopt, std::nullopt});
      break;
    case InvocationResponse::End::Pending:
      out.end = InvocationEnd::Pending;
      break;
    case InvocationResponse::End::Crashed:
      out.end = InvocationEnd::Crashed;
      break;
  }
  return out;
}

}  // namespace internal
}  // namespace rwd
