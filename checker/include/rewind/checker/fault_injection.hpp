// Injected step failures: a step body that calls faultPoint(sc) fails (throws
// InjectedStepFailure) on the attempts the checker's current schedule chooses.
//
//   ctx.step("charge", [&](rwd::StepContext& sc) {
//     rwd::checker::faultPoint(sc);
//     return payments.charge(order);
//   });
//
// Outside a checker run faultPoint() does nothing. The runtime has no seam to fail a
// step body from outside (see checker/README.md), so this one needs the body's help.
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
