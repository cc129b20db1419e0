// The control: the same code written correctly compiles in this harness, so the
// failures above come from the mistakes, not from the setup.
// expect: COMPILES
#include <rewind/handler.hpp>

namespace shop {
struct Quote {
  int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Quote, cents)
}  // namespace shop

int price(const std::string& sku, rwd::DurableContext& ctx) {
  shop::Quote quote = ctx.step("quote", [&](rwd::StepContext&) { return shop::Quote{static_cast<int>(sku.size())}; });
  std::vector<int> items{1, 2, 3};
  auto doubled =
      ctx.map("double", items,
              [](rwd::DurableContext&, const int& item, std::size_t, const std::vector<int>&) { return 2 * item; });
  return quote.cents + static_cast<int>(doubled.successCount());
}
REWIND_HANDLER("price", price);
