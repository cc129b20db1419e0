// What the README's handler snippets assume exists: an Order event with JSON
// conversions, and two services the handler calls inside steps.
#pragma once

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <rewind/durable_context.hpp>

namespace doc_context::order {

struct Order {
  std::string id;
  int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, id, cents)

struct Pricing {
  int quote(const Order& order) const { return order.cents; }
};
inline const Pricing pricing;

struct Mailer {
  void ask(const std::string& /*callbackId*/) const {}
};
inline const Mailer mailer;

}  // namespace doc_context::order
