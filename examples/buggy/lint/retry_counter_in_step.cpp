// Buggy workflow: a step counts attempts in a captured variable; the count
// is repeated on retry and lost on replay.
#include "rewind_stub.hpp"

namespace buggy {

rwd::Result chargeCard(const rwd::Event& event, rwd::DurableContext& ctx) {
  int attempts = 0;
  std::vector<std::string> receipts;
  ctx.step("charge", [&](rwd::StepContext&) {
    attempts++;                 // expect: rewind-step-captured-mutation
    receipts.push_back("r-1");  // expect: rewind-step-captured-mutation
    return 1;
  });
  (void)event;
  return {std::to_string(attempts)};
}

REWIND_HANDLER(chargeCard, chargeCard);

}  // namespace buggy
