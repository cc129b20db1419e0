// order_saga: a saga with compensations. Creating the order, reserving stock and
// charging the card each register an undo (stepWithRollback); when a later step fails,
// rollbackAll runs the undos in exact reverse order — each once, as a durable step —
// and the execution fails with the original error.
//
// The shop's services are one interface (mocked in tests); every call takes an
// idempotency key, as effects in at-least-once steps must.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <rewind/durable_context.hpp>

namespace shop {

struct Order {
  std::string id;
  std::string customer;
  std::vector<std::string> items;
  int amountCents = 0;
  std::string card;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, id, customer, items, amountCents, card)

struct Confirmation {
  std::string orderRef;
  std::string reservation;
  std::string charge;
  std::string shipment;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Confirmation, orderRef, reservation, charge, shipment)

class CardDeclined : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A timeout talking to the payment gateway: the only error charge-card retries.
class GatewayTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ShopServices {
 public:
  virtual ~ShopServices() = default;
  virtual std::string createOrder(const std::string& key, const Order& order) const = 0;
  virtual void cancelOrder(const std::string& key, const std::string& orderRef) const = 0;
  virtual std::string reserveStock(const std::string& key, const std::vector<std::string>& items) const = 0;
  virtual void releaseStock(const std::string& key, const std::string& reservation) const = 0;
  virtual std::string chargeCard(const std::string& key, const std::string& card, int amountCents) const = 0;
  virtual void refund(const std::string& key, const std::string& charge) const = 0;
  virtual std::string ship(const std::string& key, const std::string& orderRef) const = 0;
};

class OrderSaga {
 public:
  explicit OrderSaga(const ShopServices& shop) : shop_(shop) {}
  Confirmation operator()(const Order& order, rwd::DurableContext& ctx) const;

 private:
  const ShopServices& shop_;
};

}  // namespace shop
