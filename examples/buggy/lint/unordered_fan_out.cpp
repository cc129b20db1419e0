// Buggy workflow: one step per warehouse, issued in hash order.
#include "rewind_stub.hpp"

namespace buggy {

rwd::Result restock(const rwd::Event& event, rwd::DurableContext& ctx) {
  std::unordered_map<std::string, int> shortfall;
  shortfall["berlin"] = 3;
  shortfall["lisbon"] = 5;
  for (const auto& [warehouse, units] : shortfall) {  // expect: rewind-determinism-unordered-iteration
    ctx.step("restock-" + warehouse, [n = units] { return n; });
  }
  (void)event;
  return {};
}

REWIND_HANDLER(restock, restock);

}  // namespace buggy
