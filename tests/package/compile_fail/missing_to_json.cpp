// A step result type without to_json/from_json.
// expect: this type has no JSON conversion .*Add `void to_json\(nlohmann::json&, const T&\)` and `void from_json\(const
// nlohmann::json&, T&\)`
#include <rewind/durable_context.hpp>

namespace shop {
struct Quote {
  int cents = 0;
};
}  // namespace shop

int price(const std::string& sku, rwd::DurableContext& ctx) {
  shop::Quote quote = ctx.step("quote", [&](rwd::StepContext&) { return shop::Quote{static_cast<int>(sku.size())}; });
  return quote.cents;
}
