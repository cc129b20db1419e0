// Buggy workflow: a catch-all around a callback wait eats Rewind's
// suspension signal.
#include "rewind_stub.hpp"

namespace buggy {

rwd::Result approveRefund(const rwd::Event& event, rwd::DurableContext& ctx) {
  std::string decision = "pending";
  try {
    decision = ctx.waitForCallback<std::string>(
        "manager-approval",
        [](const std::string& callbackId, rwd::StepContext& step) { step.logger().info(callbackId); });
  } catch (...) {  // expect: rewind-suspension-swallowed
    decision = "rejected";
  }
  (void)event;
  return {decision};
}

REWIND_HANDLER(approveRefund, approveRefund);

}  // namespace buggy
