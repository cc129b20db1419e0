// order_saga: the saga and the default services that `rewind-run` uses (card
// 4000-0000-0000-0002 is declined, as with a payment provider's test cards).
//   rewind-run build/examples/order_saga/liborder_saga.so --handler order-saga --skip-time
//     --event '{"id":"o-1","customer":"ada","items":["book"],"amountCents":1999,"card":"4000-0000-0000-0002"}'
#include "order_saga.hpp"

#include <rewind/handler.hpp>

namespace shop {

Confirmation OrderSaga::operator()(const Order& order, rwd::DurableContext& ctx) const {
  const std::string key = order.id + "/";
  try {
    std::string orderRef = ctx.stepWithRollback<std::string>(
        "create-order", {[&](rwd::StepContext&) { return shop_.createOrder(key + "create", order); },
                         [&](const rwd::ErrorInfo&, const std::string& ref, rwd::StepContext&) {
                           shop_.cancelOrder(key + "cancel", ref);
                         }});
    std::string reservation = ctx.stepWithRollback<std::string>(
        "reserve-stock", {[&](rwd::StepContext&) { return shop_.reserveStock(key + "reserve", order.items); },
                          [&](const rwd::ErrorInfo&, const std::string& id, rwd::StepContext&) {
                            shop_.releaseStock(key + "release", id);
                          }});
    std::string charge = ctx.stepWithRollback<std::string>(
        "charge-card",
        {[&](rwd::StepContext&) { return shop_.chargeCard(key + "charge", order.card, order.amountCents); },
         [&](const rwd::ErrorInfo&, const std::string& id, rwd::StepContext&) { shop_.refund(key + "refund", id); }},
        {.retryStrategy =
             rwd::createRetryStrategy({.maxAttempts = 3, .retryableErrorTypes = {"shop::GatewayTimeout"}})});
    std::string shipment = ctx.step("ship", [&] { return shop_.ship(key + "ship", orderRef); },
                                    {.retryStrategy = rwd::retryPresets::none()});
    return Confirmation{orderRef, reservation, charge, shipment};
  } catch (const rwd::StepError& error) {
    // Undo what was done, newest first; then fail with the original error.
    ctx.rollbackAll(error);
    throw;
  }
}

namespace {

// Deterministic stand-ins: references derive from the idempotency key.
class DemoShop : public ShopServices {
 public:
  std::string createOrder(const std::string& key, const Order&) const override { return "ord:" + key; }
  void cancelOrder(const std::string&, const std::string&) const override {}
  std::string reserveStock(const std::string& key, const std::vector<std::string>&) const override {
    return "res:" + key;
  }
  void releaseStock(const std::string&, const std::string&) const override {}
  std::string chargeCard(const std::string& key, const std::string& card, int) const override {
    if (card == "4000-0000-0000-0002") throw CardDeclined("card " + card + " was declined");
    return "ch:" + key;
  }
  void refund(const std::string&, const std::string&) const override {}
  std::string ship(const std::string& key, const std::string&) const override { return "shp:" + key; }
};

Confirmation orderSaga(const Order& order, rwd::DurableContext& ctx) {
  static const DemoShop shop;
  return OrderSaga(shop)(order, ctx);
}

}  // namespace
}  // namespace shop

REWIND_HANDLER("order-saga", shop::orderSaga);
