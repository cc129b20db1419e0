// Buggy workflow: polls a payment with a blocking sleep instead of a durable wait.
#include "rewind_stub.hpp"

namespace buggy {

rwd::Result awaitPayment(const rwd::Event& event, rwd::DurableContext& ctx) {
  for (int poll = 0; poll < 3; ++poll) {
    bool paid = ctx.step("check-" + std::to_string(poll), [] { return false; });
    if (paid) break;
    std::this_thread::sleep_for(std::chrono::seconds(30));  // expect: rewind-orchestration-blocking-sleep
  }
  (void)event;
  return {};
}

REWIND_HANDLER(awaitPayment, awaitPayment);

}  // namespace buggy
