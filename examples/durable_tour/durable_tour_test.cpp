// durable_tour's tests: every operation in one run, the shape of the timeline, and that
// each external effect happens once although the handler replays many times.
#include <gtest/gtest.h>
#include <gtest/trompeloeil.hpp>

#include <rewind/history_json.hpp>
#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

#include "durable_tour.hpp"

namespace {

using namespace std::chrono_literals;
using namespace rwd::testing;
using rwd::CallbackResponse;
using rwd::OperationStatus;
using rwd::OperationSubType;
using rwd::OperationType;
using tour::Itinerary;
using trompeloeil::_;

class MockTravel : public tour::TravelServices {
 public:
  MAKE_CONST_MOCK2(requestApproval, void(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK2(book, std::string(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK2(postcard, std::string(const std::string&, const std::string&), override);
  MAKE_CONST_MOCK1(visaReady, bool(const std::string&), override);
  MAKE_CONST_MOCK2(startPayment, void(const std::string&, const std::string&), override);
};

const tour::TripRequest kTrip{"ada", {"Lisbon", "Porto", "Faro"}, "2025-01-03T09:00:00Z"};

class DurableTourTest : public DurableTest {
 protected:
  void SetUp() override {
    setHandler(tour::DurableTour(travel_));
    registerInvokeTarget("insurance-quote", tour::insuranceQuote);
    respondTo("approve-plan", CallbackResponse::success("approved").after(10min));
    respondTo("payment", CallbackResponse::success("paid").after(1min));
  }
  MockTravel travel_;
};

TEST_F(DurableTourTest, EveryOperationRunsOnceAndTheTripDepartsOnTime) {
  REQUIRE_CALL(travel_, requestApproval("ada/approve", _)).TIMES(1);
  REQUIRE_CALL(travel_, book("ada/flight", "flight")).TIMES(1).RETURN("FL-1");
  REQUIRE_CALL(travel_, book("ada/hotel", "hotel")).TIMES(1).RETURN("HT-1");
  REQUIRE_CALL(travel_, postcard(_, _)).TIMES(3).RETURN("Greetings from " + _2);
  trompeloeil::sequence visa;
  REQUIRE_CALL(travel_, visaReady("ada")).TIMES(2).IN_SEQUENCE(visa).RETURN(false);
  REQUIRE_CALL(travel_, visaReady("ada")).TIMES(1).IN_SEQUENCE(visa).RETURN(true);
  REQUIRE_CALL(travel_, startPayment("ada/pay", _)).TIMES(1);

  const auto& r = run(kTrip);
  ASSERT_THAT(r, Succeeded());
  auto itinerary = r.getResultAs<Itinerary>();
  EXPECT_EQ(itinerary.approval, "approved");
  EXPECT_EQ(itinerary.bookings, (std::vector<std::string>{"FL-1", "HT-1"}));
  EXPECT_EQ(itinerary.postcards,
            (std::vector<std::string>{"Greetings from Lisbon", "Greetings from Porto", "Greetings from Faro"}));
  EXPECT_EQ(itinerary.visaChecks, 3);
  EXPECT_DOUBLE_EQ(itinerary.insurance, 37.5);
  EXPECT_EQ(itinerary.payment, "paid");
  EXPECT_EQ(runner().now(), *rwd::parseTimestamp("2025-01-03T09:00:00Z"));
}

TEST_F(DurableTourTest, TheTimelineHasOneOperationOfEachKind) {
  ALLOW_CALL(travel_, requestApproval(_, _));
  ALLOW_CALL(travel_, book(_, _)).RETURN(_2);
  ALLOW_CALL(travel_, postcard(_, _)).RETURN(_2);
  ALLOW_CALL(travel_, visaReady(_)).RETURN(true);
  ALLOW_CALL(travel_, startPayment(_, _));

  EXPECT_THAT(run(kTrip), Succeeded());
  EXPECT_THAT(result(),
              OperationsAre({IsOperation("plan").withType(OperationType::Step),
                             IsOperation("approve-plan").withSubType(OperationSubType::WaitForCallback),
                             IsOperation("cool-off").withType(OperationType::Wait),
                             IsOperation("book").withSubType(OperationSubType::Parallel),
                             IsOperation("postcards").withSubType(OperationSubType::Map),
                             IsOperation("visa").withSubType(OperationSubType::WaitForCondition).withAttempt(1),
                             IsOperation("insurance").withType(OperationType::ChainedInvoke),
                             IsOperation("checkout").withSubType(OperationSubType::RunInChildContext),
                             IsOperation("departure").withType(OperationType::Wait)}));
  EXPECT_THAT(result(), ChildOperationsAre("postcards", {"postcard-Lisbon", "postcard-Porto", "postcard-Faro"}));
  EXPECT_THAT(result(), ChildOperationsAre(
                            "checkout", {IsOperation("payment").withType(OperationType::Callback), "start-payment"}));
}

TEST_F(DurableTourTest, AVisaThatNeverComesFailsAfterTenChecks) {
  ALLOW_CALL(travel_, requestApproval(_, _));
  ALLOW_CALL(travel_, book(_, _)).RETURN(_2);
  ALLOW_CALL(travel_, postcard(_, _)).RETURN(_2);
  REQUIRE_CALL(travel_, visaReady(_)).TIMES(10).RETURN(false);
  FORBID_CALL(travel_, startPayment(_, _));

  EXPECT_THAT(run(kTrip), FailedWithError("WaitForConditionError", ::testing::_));
  EXPECT_THAT(result(), HasOperation("visa").withStatus(OperationStatus::Failed).withAttempt(10));
}

}  // namespace
