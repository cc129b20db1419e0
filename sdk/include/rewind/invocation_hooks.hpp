// Seams of one invocation that test harnesses plug into: the branch scheduler, the
// checkpoint interceptor (crash injection), the step-body observer and the step-result
// override. The local runner and the checker set them through RunnerOptions; a Lambda
// bootstrap leaves them unset.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/durable_context.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// One choice of a batch's next item: the batch (its positional step id, e.g. "2" or
// "1-3") and the indices of the items that may run now. The first `resumed` of them are
// items an earlier invocation started (in index order), the rest new items this
// invocation admitted (in admission order).
struct BranchChoice {
  std::string_view batchStepId;
  const std::vector<std::size_t>& runnable;
  std::size_t resumed = 0;
};

// Chooses which runnable batch item runs next within an invocation. Default: lowest index.
class BranchScheduler {
 public:
  virtual ~BranchScheduler() = default;
  virtual std::size_t pick(const std::vector<std::size_t>& runnable) = 0;
  // What the runtime calls: a scheduler that needs to know which batch it chooses for
  // overrides this one; by default, pick(runnable).
  virtual std::size_t choose(const BranchChoice& choice) { return pick(choice.runnable); }
};

// Crash-injection seam: decides the fate of each checkpoint update.
enum class CheckpointFate { Persist, DropAndCrash, PersistAndCrash };
using CheckpointInterceptor = std::function<CheckpointFate(const OperationUpdate& update, std::size_t sequence)>;

// A step body (or a waitForCondition poll) the runtime is about to run: its positional
// id, name, attempt and the step's declared semantics, so that an observer can judge an
// AtMostOncePerRetry step as such without being told its name. The references are valid
// for the observer call only.
struct StepBodyStart {
  const std::string& stepId;
  const std::optional<std::string>& name;
  int attempt = 0;
  StepSemantics semantics = StepSemantics::AtLeastOncePerRetry;  // polls: AtLeastOncePerRetry
  OperationSubType subType = OperationSubType::Step;             // Step or WaitForCondition
};

// Observes step-body executions as the runtime starts them (for exactly-once accounting).
using StepBodyObserver = std::function<void(const StepBodyStart& body)>;

// Replaces a step body's serialized result before it is checkpointed (the checker's
// legal-variation reference runs feed a resumed run's values through this).
using StepResultOverride = std::function<Payload(const std::string& stepId, int attempt, const Payload& result)>;

// Runs inside the attempt when a step body threw (not a suspension or a simulated crash):
// what it throws replaces the body's error; returning keeps it (the checker's reference
// runs fail an attempt that a resumed run's crash interrupted after its body had run).
using StepErrorOverride = std::function<void(const std::string& stepId, int attempt)>;

}  // namespace rwd
