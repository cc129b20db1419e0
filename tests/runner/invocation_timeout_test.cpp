// RunnerOptions::invocationTimeout: a wall-clock limit on each invocation (#16.12). These
// tests measure real time by necessity (the limit is wall clock); each stays well under
// a second.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;

rwd::RunnerOptions withTimeout(std::chrono::milliseconds limit, std::chrono::milliseconds grace = 5000ms) {
  rwd::RunnerOptions o;
  o.invocationTimeout = limit;
  o.invocationTimeoutGrace = grace;
  return o;
}

// Steps whose bodies take 20 ms each, for ever: the limit stops it at the next step.
int slowSteps(const rwd::Json&, rwd::DurableContext& ctx) {
  int n = 0;
  while (true)
    n += ctx.step("slow", [](rwd::StepContext&) {
      std::this_thread::sleep_for(20ms);
      return 1;
    });
  return n;
}

// A step body that never returns and calls nothing durable.
int stuck(const rwd::Json&, rwd::DurableContext& ctx) {
  return ctx.step("stuck", [](rwd::StepContext&) {
    while (true) std::this_thread::sleep_for(10ms);
    return 0;
  });
}

TEST(InvocationTimeoutTest, AHandlerPastTheLimitFailsAtItsNextDurableOperation) {
  rwd::LocalDurableTestRunner runner(slowSteps, withTimeout(100ms));
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), rwd::ExecutionStatus::Failed);
  ASSERT_TRUE(r.getError().has_value());
  EXPECT_EQ(r.getError()->errorType, "InvocationTimeoutError");
  EXPECT_NE(r.getError()->errorMessage.find("[rewind.invocation.timeout] invocation 1 ran longer than its timeout "
                                            "of 100 ms"),
            std::string::npos)
      << r.getError()->errorMessage;
  // It ran a few steps (not one, not thousands) and the step it was stopped before never started.
  std::size_t steps = r.getOperations().size();
  EXPECT_GE(steps, 2u);
  EXPECT_LE(steps, 20u);
}

TEST(InvocationTimeoutTest, NoLimitByDefaultAndAQuickHandlerIsUntouched) {
  EXPECT_FALSE(rwd::RunnerOptions{}.invocationTimeout.has_value());
  // Many invocations (waits end each one), each under the limit: none is stopped, and a
  // disarmed watch never fires later.
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, rwd::DurableContext& ctx) {
        for (int i = 0; i < 20; ++i) ctx.wait("pause", std::chrono::seconds(1));
        return 7;
      },
      withTimeout(200ms));
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), rwd::ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResultAs<int>(), 7);
}

TEST(InvocationTimeoutTest, TwoRunnersOnTwoThreadsAreWatchedApart) {
  // One process-wide watchdog serves every runner: the short limit of one must not stop
  // the other, whose limit is long.
  rwd::ExecutionStatus slow{}, quick{};
  std::thread a([&] {
    rwd::LocalDurableTestRunner runner(slowSteps, withTimeout(80ms));
    slow = runner.run().getStatus();
  });
  std::thread b([&] {
    rwd::LocalDurableTestRunner runner(
        [](const rwd::Json&, rwd::DurableContext& ctx) {
          return ctx.step("short", [](rwd::StepContext&) {
            std::this_thread::sleep_for(150ms);
            return 1;
          });
        },
        withTimeout(10s));
    quick = runner.run().getStatus();
  });
  a.join();
  b.join();
  EXPECT_EQ(slow, rwd::ExecutionStatus::Failed);
  EXPECT_EQ(quick, rwd::ExecutionStatus::Succeeded);
}

TEST(InvocationTimeoutDeathTest, AHandlerThatReachesNoDurableOperationEndsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        rwd::LocalDurableTestRunner runner(stuck, withTimeout(50ms, 50ms));
        runner.run();
      },
      testing::ExitedWithCode(rwd::kInvocationHangExitCode),
      "\\[rewind.invocation.timeout\\] invocation 1 of 'rewind-local' .* ran longer than its timeout of 50 ms");
}

TEST(InvocationTimeoutTest, AForkedChildHasItsOwnWatchdog) {
  // The watchdog thread is started here first; threads do not survive fork(), so the
  // child must start its own to stop its stuck invocation.
  {
    rwd::LocalDurableTestRunner runner(slowSteps, withTimeout(30ms));
    ASSERT_EQ(runner.run().getStatus(), rwd::ExecutionStatus::Failed);
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rwd::LocalDurableTestRunner runner(stuck, withTimeout(50ms, 50ms));
    runner.run();
    ::_exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), rwd::kInvocationHangExitCode);
}

}  // namespace
