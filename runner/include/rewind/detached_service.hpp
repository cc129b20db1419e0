// DetachedDurableService: the service side of one invocation that runs outside the
// runner's process (RunnerOptions::invocationExecutor with a bootstrap behind the Lambda
// Runtime API, or any transport). It answers checkpoint and state calls from a copy of
// the execution's records, exactly as the runner's own service would, and remembers the
// updates it applied; the executor returns them in its InvocationResponse and the runner
// applies them to its records, so the history is the runner's.
//
// Thread-safety: none; one invocation calls it from one thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "rewind/durable_service.hpp"
#include "rewind/time.hpp"

namespace rwd {

class DetachedDurableService : public DurableService {
 public:
  // The invocation input: ARN, a fresh checkpoint token, and every record (owned copies)
  // after an EXECUTION operation holding the handler's input.
  virtual DurableExecutionInvocationInput invocationInput() = 0;
  // The updates applied so far, in order (a repeated ClientToken applies nothing again).
  virtual const std::vector<OperationUpdate>& appliedUpdates() const noexcept = 0;
  // The execution's virtual time during this invocation.
  virtual TimePoint now() const noexcept = 0;
};

}  // namespace rwd
