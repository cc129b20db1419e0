// support_triage's tests: the analyzer is a trompeloeil mock (called once however often
// the handler replays), the help desk a mock that checks idempotency keys and queues,
// and every review answered by a responder on the virtual clock — the 8-hour and
// 3-day timeouts take milliseconds.
#include <gtest/gtest.h>
#include <gtest/trompeloeil.hpp>

#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

#include "support_triage.hpp"

namespace {

using namespace std::chrono_literals;
using namespace rwd::testing;
using rwd::CallbackResponse;
using rwd::OperationStatus;
using support::Analysis;
using support::Outcome;
using support::Ticket;
using ::testing::AllOf;
using ::testing::HasSubstr;
using trompeloeil::_;

class MockAnalyzer : public support::TicketAnalyzer {
 public:
  MAKE_CONST_MOCK1(analyze, Analysis(const Ticket&), override);
};

class MockHelpDesk : public support::HelpDesk {
 public:
  MAKE_CONST_MOCK5(requestReview,
                   void(const std::string&, const std::string&, const std::string&, const Ticket&, const Analysis&),
                   override);
  MAKE_CONST_MOCK3(sendReply, void(const std::string&, const Ticket&, const std::string&), override);
  MAKE_CONST_MOCK2(sendSurvey, void(const std::string&, const Ticket&), override);
};

const Ticket kTicket{"T-42", "ada", "refund please", "I was charged twice"};
const Analysis kBilling{"billing", "low", "We refunded the second charge."};

CallbackResponse decide(const std::string& action, const std::string& reply = "") {
  return CallbackResponse::successJson({{"action", action}, {"reply", reply}});
}

class SupportTriageTest : public DurableTest {
 protected:
  void SetUp() override { setHandler(support::SupportTriage(analyzer_, desk_)); }

  MockAnalyzer analyzer_;
  MockHelpDesk desk_;
};

TEST_F(SupportTriageTest, AnAgentResolvesTheTicketAndTheReplyAndSurveyGoOut) {
  REQUIRE_CALL(analyzer_, analyze(_)).TIMES(1).RETURN(kBilling);
  REQUIRE_CALL(desk_, requestReview("T-42/agent-review", "agents", _, _, _)).TIMES(1);
  REQUIRE_CALL(desk_, sendReply("T-42/reply", _, "We refunded the second charge.")).TIMES(1);
  REQUIRE_CALL(desk_, sendSurvey("T-42/survey", _)).TIMES(1);
  respondTo("agent-review", decide("resolve").after(2h));

  EXPECT_THAT(run(kTicket), AllOf(Succeeded(), HasResult<Outcome>(::testing::Field(&Outcome::status, "resolved")),
                                  HasResult<Outcome>(::testing::Field(&Outcome::decidedBy, "agent"))));
  EXPECT_THAT(result(), OperationsAre({"analyze", "agent-review", "close-out"}));
  EXPECT_THAT(result(), ChildOperationsAre("close-out", {"send-reply", "send-survey"}));
  EXPECT_EQ(result().getInvocations().size(), 2u);  // the analyzer ran once all the same
  EXPECT_EQ(runner().now(), rwd::kDefaultEpoch + 2h);
}

TEST_F(SupportTriageTest, AnAgentsOwnReplyReplacesTheSuggestedOne) {
  ALLOW_CALL(analyzer_, analyze(_)).RETURN(kBilling);
  ALLOW_CALL(desk_, requestReview(_, _, _, _, _));
  REQUIRE_CALL(desk_, sendReply(_, _, "Refunded, sorry!")).TIMES(1);
  ALLOW_CALL(desk_, sendSurvey(_, _));
  respondTo("agent-review", decide("resolve", "Refunded, sorry!"));

  EXPECT_THAT(run(kTicket), Succeeded());
}

TEST_F(SupportTriageTest, AnEscalatedTicketIsResolvedByASpecialistAndAnalyzedOnlyOnce) {
  REQUIRE_CALL(analyzer_, analyze(_)).TIMES(1).RETURN(kBilling);
  REQUIRE_CALL(desk_, requestReview("T-42/agent-review", "agents", _, _, _)).TIMES(1);
  REQUIRE_CALL(desk_, requestReview("T-42/specialist-review", "specialists", _, _, _)).TIMES(1);
  REQUIRE_CALL(desk_, sendReply("T-42/reply", _, "Refunded.")).TIMES(1);
  REQUIRE_CALL(desk_, sendSurvey("T-42/survey", _)).TIMES(1);
  respondTo("agent-review", decide("escalate").after(1h));
  respondTo("specialist-review", decide("resolve", "Refunded.").after(24h));

  EXPECT_THAT(run(kTicket), HasResult<Outcome>(::testing::Field(&Outcome::decidedBy, "specialist")));
  EXPECT_THAT(result(), OperationsAre({"analyze", "agent-review", "specialist-review", "close-out"}));
  EXPECT_EQ(result().getInvocations().size(), 3u);  // two replays, still one analysis
  EXPECT_EQ(runner().now(), rwd::kDefaultEpoch + 25h);
}

TEST_F(SupportTriageTest, AnAgentCanRejectATicketAndNothingIsSent) {
  REQUIRE_CALL(analyzer_, analyze(_)).TIMES(1).RETURN(kBilling);
  REQUIRE_CALL(desk_, requestReview(_, "agents", _, _, _)).TIMES(1);
  FORBID_CALL(desk_, sendReply(_, _, _));
  FORBID_CALL(desk_, sendSurvey(_, _));
  respondTo("agent-review", decide("reject").after(10min));

  EXPECT_THAT(run(kTicket), HasResult<Outcome>(::testing::Field(&Outcome::status, "rejected")));
  EXPECT_THAT(result(), OperationsAre({"analyze", "agent-review"}));
}

TEST_F(SupportTriageTest, AFailedAgentReviewFailsTheExecutionWithTheDesksError) {
  ALLOW_CALL(analyzer_, analyze(_)).RETURN(kBilling);
  ALLOW_CALL(desk_, requestReview(_, _, _, _, _));
  FORBID_CALL(desk_, sendReply(_, _, _));
  respondTo("agent-review",
            CallbackResponse::failure({"Desk.QueueClosed", "the agents queue was closed", std::nullopt, std::nullopt}));

  EXPECT_THAT(run(kTicket), FailedWithError("Desk.QueueClosed", "the agents queue was closed"));
  EXPECT_THAT(result(), HasOperation("agent-review", OperationStatus::Failed));
  EXPECT_THAT(result(), OperationsAre({"analyze", "agent-review"}));
}

TEST_F(SupportTriageTest, AnAgentReviewThatTimesOutAfterEightHoursEscalatesInMilliseconds) {
  ALLOW_CALL(analyzer_, analyze(_)).RETURN(kBilling);
  REQUIRE_CALL(desk_, requestReview(_, "agents", _, _, _)).TIMES(1);
  REQUIRE_CALL(desk_, requestReview(_, "specialists", _, _, _)).TIMES(1);
  ALLOW_CALL(desk_, sendReply(_, _, _));
  ALLOW_CALL(desk_, sendSurvey(_, _));
  respondTo("specialist-review", decide("resolve"));  // nobody answers the agent review

  auto started = std::chrono::steady_clock::now();
  EXPECT_THAT(run(kTicket), HasResult<Outcome>(::testing::Field(&Outcome::decidedBy, "specialist")));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // virtual time: 8 h cost nothing
  EXPECT_THAT(result(), HasOperation("agent-review", OperationStatus::Failed));
  EXPECT_EQ(runner().now(), rwd::kDefaultEpoch + support::kAgentReviewTimeout);
}

TEST_F(SupportTriageTest, ASpecialistWhoNeverAnswersFailsTheExecutionAfterThreeDays) {
  ALLOW_CALL(analyzer_, analyze(_)).RETURN(kBilling);
  ALLOW_CALL(desk_, requestReview(_, _, _, _, _));
  FORBID_CALL(desk_, sendReply(_, _, _));
  respondTo("agent-review", decide("escalate"));

  EXPECT_THAT(run(kTicket), AllOf(Failed(), FailedWithError(HasSubstr("Timeout"))));
  EXPECT_THAT(result(), HasOperation("specialist-review", OperationStatus::Failed));
  EXPECT_EQ(runner().now(), rwd::kDefaultEpoch + support::kSpecialistReviewTimeout);
}

TEST_F(SupportTriageTest, AnUnavailableAnalyzerIsRetriedAndTheSecondAttemptCounts) {
  trompeloeil::sequence seq;
  REQUIRE_CALL(analyzer_, analyze(_)).IN_SEQUENCE(seq).THROW(support::AnalyzerUnavailable("overloaded"));
  REQUIRE_CALL(analyzer_, analyze(_)).IN_SEQUENCE(seq).RETURN(kBilling);
  ALLOW_CALL(desk_, requestReview(_, _, _, _, _));
  ALLOW_CALL(desk_, sendReply(_, _, _));
  ALLOW_CALL(desk_, sendSurvey(_, _));
  respondTo("agent-review", decide("resolve"));

  EXPECT_THAT(run(kTicket), Succeeded());
  EXPECT_THAT(result(), HasOperation("analyze").withStatus(OperationStatus::Succeeded).withAttempt(2));
}

TEST_F(SupportTriageTest, AnAnalyzerThatStaysDownFailsAfterThreeAttempts) {
  REQUIRE_CALL(analyzer_, analyze(_)).TIMES(3).THROW(support::AnalyzerUnavailable("down"));
  FORBID_CALL(desk_, requestReview(_, _, _, _, _));

  EXPECT_THAT(run(kTicket), FailedWithError("support::AnalyzerUnavailable", "down"));
  EXPECT_THAT(result(), HasOperation("analyze").withStatus(OperationStatus::Failed).withAttempt(3));
}

TEST_F(SupportTriageTest, OtherAnalyzerErrorsAreNotRetried) {
  REQUIRE_CALL(analyzer_, analyze(_)).TIMES(1).THROW(std::invalid_argument("empty ticket"));

  EXPECT_THAT(run(kTicket), FailedWithError("std::invalid_argument", "empty ticket"));
}

}  // namespace
