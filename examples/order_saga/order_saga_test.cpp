// order_saga's tests: the shop is a trompeloeil mock; sequences check that the undos run
// in exact reverse order, and the matchers that the execution fails with the original
// error.
#include <gtest/gtest.h>
#include <gtest/trompeloeil.hpp>

#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

#include "order_saga.hpp"

namespace {

using namespace rwd::testing;
using rwd::OperationStatus;
using shop::Confirmation;
using shop::Order;
using ::testing::AllOf;
using ::testing::HasSubstr;
using trompeloeil::_;

class MockShop : public shop::ShopServices {
 public:
  MAKE_CONST_MOCK2(createOrder, std::string(const std::string&, const Order&), override);
  MAKE_CONST_MOCK2(cancelOrder, void(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK2(reserveStock, std::string(const std::string&, const std::vector<std::string>&), override);
  MAKE_CONST_MOCK2(releaseStock, void(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK3(chargeCard, std::string(const std::string&, const std::string&, int), override);
  MAKE_CONST_MOCK2(refund, void(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK2(ship, std::string(const std::string&, const std::string&), override);
};

const Order kOrder{"o-1", "ada", {"book", "lamp"}, 4999, "4242"};

class OrderSagaTest : public DurableTest {
 protected:
  void SetUp() override { setHandler(shop::OrderSaga(shop_)); }
  MockShop shop_;
  trompeloeil::sequence seq_;
};

TEST_F(OrderSagaTest, AnOrderThatGoesThroughShipsAndUndoesNothing) {
  REQUIRE_CALL(shop_, createOrder("o-1/create", _)).IN_SEQUENCE(seq_).RETURN("ord-1");
  REQUIRE_CALL(shop_, reserveStock("o-1/reserve", _)).IN_SEQUENCE(seq_).RETURN("res-1");
  REQUIRE_CALL(shop_, chargeCard("o-1/charge", "4242", 4999)).IN_SEQUENCE(seq_).RETURN("ch-1");
  REQUIRE_CALL(shop_, ship("o-1/ship", "ord-1")).IN_SEQUENCE(seq_).RETURN("shp-1");
  FORBID_CALL(shop_, cancelOrder(_, _));
  FORBID_CALL(shop_, releaseStock(_, _));
  FORBID_CALL(shop_, refund(_, _));

  EXPECT_THAT(run(kOrder), HasResult<Confirmation>(::testing::Field(&Confirmation::shipment, "shp-1")));
  EXPECT_THAT(result(), OperationsAre({"create-order", "reserve-stock", "charge-card", "ship"}));
}

TEST_F(OrderSagaTest, ADeclinedCardUndoesTheReservationThenTheOrder) {
  REQUIRE_CALL(shop_, createOrder(_, _)).IN_SEQUENCE(seq_).RETURN("ord-1");
  REQUIRE_CALL(shop_, reserveStock(_, _)).IN_SEQUENCE(seq_).RETURN("res-1");
  REQUIRE_CALL(shop_, chargeCard(_, _, _)).IN_SEQUENCE(seq_).THROW(shop::CardDeclined("card declined"));
  REQUIRE_CALL(shop_, releaseStock("o-1/release", "res-1")).IN_SEQUENCE(seq_);
  REQUIRE_CALL(shop_, cancelOrder("o-1/cancel", "ord-1")).IN_SEQUENCE(seq_);
  FORBID_CALL(shop_, refund(_, _));
  FORBID_CALL(shop_, ship(_, _));

  EXPECT_THAT(run(kOrder), FailedWithError("shop::CardDeclined", "card declined"));
  EXPECT_THAT(result(), OperationsAre({IsOperation("create-order").withStatus(OperationStatus::Succeeded),
                                       IsOperation("reserve-stock").withStatus(OperationStatus::Succeeded),
                                       IsOperation("charge-card").withStatus(OperationStatus::Failed).withAttempt(1),
                                       IsOperation("rollback:reserve-stock").withStatus(OperationStatus::Succeeded),
                                       IsOperation("rollback:create-order").withStatus(OperationStatus::Succeeded)}));
}

TEST_F(OrderSagaTest, AFailedShipmentRefundsFirstThenReleasesThenCancels) {
  REQUIRE_CALL(shop_, createOrder(_, _)).IN_SEQUENCE(seq_).RETURN("ord-1");
  REQUIRE_CALL(shop_, reserveStock(_, _)).IN_SEQUENCE(seq_).RETURN("res-1");
  REQUIRE_CALL(shop_, chargeCard(_, _, _)).IN_SEQUENCE(seq_).RETURN("ch-1");
  REQUIRE_CALL(shop_, ship(_, _)).IN_SEQUENCE(seq_).THROW(std::runtime_error("no courier"));
  REQUIRE_CALL(shop_, refund("o-1/refund", "ch-1")).IN_SEQUENCE(seq_);
  REQUIRE_CALL(shop_, releaseStock("o-1/release", "res-1")).IN_SEQUENCE(seq_);
  REQUIRE_CALL(shop_, cancelOrder("o-1/cancel", "ord-1")).IN_SEQUENCE(seq_);

  EXPECT_THAT(run(kOrder), FailedWithError("std::runtime_error", "no courier"));
  EXPECT_THAT(result(), OperationsAre({"create-order", "reserve-stock", "charge-card", "ship", "rollback:charge-card",
                                       "rollback:reserve-stock", "rollback:create-order"}));
}

TEST_F(OrderSagaTest, AGatewayTimeoutIsRetriedWithoutAnyRollback) {
  REQUIRE_CALL(shop_, createOrder(_, _)).RETURN("ord-1");
  REQUIRE_CALL(shop_, reserveStock(_, _)).RETURN("res-1");
  REQUIRE_CALL(shop_, chargeCard(_, _, _)).IN_SEQUENCE(seq_).THROW(shop::GatewayTimeout("gateway timeout"));
  REQUIRE_CALL(shop_, chargeCard(_, _, _)).IN_SEQUENCE(seq_).RETURN("ch-1");
  REQUIRE_CALL(shop_, ship(_, _)).RETURN("shp-1");
  FORBID_CALL(shop_, refund(_, _));

  EXPECT_THAT(run(kOrder), Succeeded());
  EXPECT_THAT(result(), HasOperation("charge-card").withStatus(OperationStatus::Succeeded).withAttempt(2));
}

TEST_F(OrderSagaTest, AFailingUndoDoesNotStopTheOthersAndBothErrorsAreReported) {
  REQUIRE_CALL(shop_, createOrder(_, _)).RETURN("ord-1");
  REQUIRE_CALL(shop_, reserveStock(_, _)).RETURN("res-1");
  REQUIRE_CALL(shop_, chargeCard(_, _, _)).THROW(shop::CardDeclined("card declined"));
  REQUIRE_CALL(shop_, releaseStock(_, _)).TIMES(AT_LEAST(1)).THROW(std::runtime_error("warehouse offline"));
  REQUIRE_CALL(shop_, cancelOrder("o-1/cancel", "ord-1"));

  // RollbackError names the original error's type and each failed undo; the original
  // message travels as its ErrorData.
  EXPECT_THAT(run(kOrder),
              FailedWithError("RollbackError", AllOf(HasSubstr("shop::CardDeclined"), HasSubstr("warehouse offline"))));
  EXPECT_EQ(result().getError()->errorData, "card declined");
  EXPECT_THAT(result(), HasOperation("rollback:reserve-stock", OperationStatus::Failed));
  EXPECT_THAT(result(), HasOperation("rollback:create-order", OperationStatus::Succeeded));
}

}  // namespace
