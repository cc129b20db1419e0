// The consumer's tests: rewind::gtest's fixture and matchers, and rewind::checker_gtest's
// crash-safety macro, as a user links them from the package.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include <rewind/checker/gtest.hpp>
#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

#include "workflow.hpp"

using namespace std::chrono_literals;
using namespace rwd::testing;

class ApprovalTest : public DurableTest {};

TEST_F(ApprovalTest, SmallAmountsAreApprovedWithoutAsking) {
  setHandler(consumer::approval);
  EXPECT_THAT(run(consumer::Request{"r-1", 5}), ::testing::AllOf(Succeeded(), HasResult<std::string>("r-1: auto")));
}

TEST_F(ApprovalTest, LargeAmountsWaitForTheApprover) {
  setHandler(consumer::approval);
  respondTo("approve", rwd::CallbackResponse::success("yes").after(2h));
  EXPECT_THAT(run(consumer::Request{"r-2", 500}),
              ::testing::AllOf(Succeeded(), HasResult<std::string>("r-2: yes"),
                               HasOperation("approve", rwd::OperationStatus::Succeeded)));
  EXPECT_THAT(result(), HistoryMatches(R"yaml(
    - EventType: ExecutionStarted
      EventId: 1
    - EventType: StepStarted
      EventId: 2
      Name: price
  )yaml"));
}

TEST_F(ApprovalTest, AnUnansweredApprovalTimesOut) {
  setHandler(consumer::approval);
  EXPECT_THAT(run(consumer::Request{"r-3", 500}), Failed());
}

REWIND_CHECK_CRASH_SAFETY(ApprovalCrashTest, LargeAmounts, consumer::approval, (consumer::Request{"r-4", 5}));
