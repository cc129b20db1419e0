// Buggy workflow: the order id is built from the wall clock and a random
// number outside a step, so every replay sees a different id.
#include "rewind_stub.hpp"

namespace buggy {

std::string newOrderId() {
  auto now = std::chrono::system_clock::now();
  return "order-" + std::to_string(now.time_since_epoch()) + "-" + std::to_string(rand());
}

rwd::Result placeOrder(const rwd::Event& event, rwd::DurableContext& ctx) {
  std::string orderId = newOrderId();  // expect: rewind-determinism-nondeterministic-call
  ctx.step("reserve", [orderId] { return orderId; });
  (void)event;
  return {orderId};
}

REWIND_HANDLER(placeOrder, placeOrder);

}  // namespace buggy
