// Injected step failures. The checker fails the attempts a schedule chooses by throwing
// InjectedStepFailure from the runtime's step-body observer, which runs inside the
// attempt: the body does not run and the attempt fails through the step's retry
// strategy. No help from user code is needed.
//
// faultPoint(sc) is kept for code written against the earlier API: it throws on the same
// attempts, which the observer has already failed before the body ran, so it is
// redundant (and does nothing outside a checker run).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rewind/step_context.hpp"

namespace rwd::checker {

class InjectedStepFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// (operation id, attempt) pairs that fail; the checker installs one per run.
struct FaultPlan {
  std::vector<std::pair<std::string, int>> failures;
  static const FaultPlan*& active();
};

// Throws InjectedStepFailure when the active plan fails this step's current attempt.
void faultPoint(const StepContext& sc);

}  // namespace rwd::checker
