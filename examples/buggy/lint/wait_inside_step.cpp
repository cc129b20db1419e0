// Buggy workflow: a step body waits and calls another step on the enclosing
// context instead of grouping the operations with runInChildContext.
#include "rewind_stub.hpp"

namespace buggy {

rwd::Result shipParcel(const rwd::Event& event, rwd::DurableContext& ctx) {
  ctx.step("ship", [&] {
    ctx.wait("carrier-pickup", std::chrono::seconds(60));  // expect: rewind-step-nested-operation
    return 1;
  });
  (void)event;
  return {};
}

REWIND_HANDLER(shipParcel, shipParcel);

}  // namespace buggy
