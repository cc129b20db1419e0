// hello_workflow's tests: the result, the timeline and the history in the conformance
// notation.
#include <gtest/gtest.h>

#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

#include "hello_workflow.hpp"

namespace {

using namespace std::chrono_literals;
using namespace rwd::testing;
using rwd::OperationStatus;
using rwd::OperationType;

class HelloWorkflowTest : public DurableTest {
 protected:
  void SetUp() override { setHandler(hello::helloWorkflow); }
};

TEST_F(HelloWorkflowTest, SendsTheWelcomeEmailAfterAMinute) {
  EXPECT_THAT(run(hello::Request{"alice"}), HasResult<std::string>("sent welcome email to alice@example.com"));
  EXPECT_THAT(result(), OperationsAre({IsOperation("load-user").withStatus(OperationStatus::Succeeded),
                                       IsOperation("wait-a-minute").withType(OperationType::Wait),
                                       IsOperation("send-email").withStatus(OperationStatus::Succeeded)}));
  EXPECT_EQ(runner().now(), rwd::kDefaultEpoch + 1min);
}

TEST_F(HelloWorkflowTest, TheWaitEndsTheFirstInvocation) {
  run(hello::Request{"alice"});
  EXPECT_EQ(result().getInvocations().size(), 2u);
  if (!historyMatcherAvailable()) GTEST_SKIP() << "built without rewind_conformance_core";
  EXPECT_THAT(result(), HistoryMatches(R"yaml(
- { EventId: 3, EventType: StepSucceeded, Name: load-user,
    StepSucceededDetails: { Result: { Payload: '${/alice@example.com/}' } } }
- { EventId: 4, EventType: WaitStarted, Name: wait-a-minute, WaitStartedDetails: { Duration: 60 } }
- { EventId: 5, EventType: InvocationCompleted }
- { EventId: 6, EventType: WaitSucceeded, Name: wait-a-minute }
)yaml"));
}

}  // namespace
