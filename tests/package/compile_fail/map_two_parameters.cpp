// A JS-style map callback (ctx, item): C++ needs all four parameters.
// expect: map's item function must be callable as fn\(rwd::DurableContext& ctx, const T& item, std::size_t index, const
// std::vector<T>& items\)
#include <rewind/durable_context.hpp>

int total(const std::vector<int>& items, rwd::DurableContext& ctx) {
  auto doubled = ctx.map("double", items, [](rwd::DurableContext&, const int& item) { return 2 * item; });
  return static_cast<int>(doubled.successCount());
}
