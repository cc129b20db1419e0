// A representative test translation unit: gtest + gMock, the DurableTest fixture and
// matchers, a trompeloeil mock and the checker's crash-safety macro, as a user's test
// file has them. bench/compile_cost.sh times its compilation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <gtest/trompeloeil.hpp>

#include <chrono>
#include <string>

#include <rewind/checker/gtest.hpp>
#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

namespace {

using namespace std::chrono_literals;
using namespace rwd::testing;

class Ledger {
 public:
  virtual ~Ledger() = default;
  virtual std::string post(const std::string& key, long long cents) const = 0;
};

class MockLedger : public Ledger {
 public:
  MAKE_CONST_MOCK2(post, std::string(const std::string&, long long), override);
};

struct Payout {
  std::string id;
  long long cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Payout, id, cents)

class Workflow {
 public:
  explicit Workflow(const Ledger& ledger) : ledger_(ledger) {}
  std::string operator()(const Payout& p, rwd::DurableContext& ctx) const {
    std::string entry = ctx.step("post", [&](rwd::StepContext&) { return ledger_.post(p.id + "/post", p.cents); });
    std::string verdict = ctx.waitForCallback("review", [](const std::string&) {}, {.timeout = 8h});
    return entry + ":" + verdict;
  }

 private:
  const Ledger& ledger_;
};

std::string simple(const Payout& p, rwd::DurableContext& ctx) {
  return ctx.step("echo", [&](rwd::StepContext&) { return p.id; });
}

class PayoutTest : public DurableTest {};

TEST_F(PayoutTest, ApprovedPayoutsArePostedOnce) {
  MockLedger ledger;
  REQUIRE_CALL(ledger, post("p-1/post", 500)).TIMES(1).RETURN("e-1");
  setHandler(Workflow(ledger));
  respondTo("review", rwd::CallbackResponse::success("ok").after(1h));
  EXPECT_THAT(run(Payout{"p-1", 500}),
              ::testing::AllOf(Succeeded(), HasResult<std::string>("e-1:ok"),
                               HasOperation("post", rwd::OperationStatus::Succeeded).withAttempt(1)));
}

TEST_F(PayoutTest, AnUnreviewedPayoutTimesOut) {
  MockLedger ledger;
  ALLOW_CALL(ledger, post(trompeloeil::_, trompeloeil::_)).RETURN("e-2");
  setHandler(Workflow(ledger));
  EXPECT_THAT(run(Payout{"p-2", 1}), FailedWithError("Callback.Timeout"));
}

REWIND_CHECK_CRASH_SAFETY(PayoutCrashTest, Simple, simple, (Payout{"p-3", 3}));

}  // namespace
