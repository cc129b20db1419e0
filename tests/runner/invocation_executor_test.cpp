// RunnerOptions::invocationExecutor: the runner applies an executor's response to its
// records itself and ends the invocation exactly as the in-process path does.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/plugin.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::CheckpointFate;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::InvocationResponse;
using rwd::Json;

struct Flaky : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Steps, a retried step, a wait, a callback, a parallel fan-out and logs: many
// invocations and every kind of history event the executor path must reproduce.
std::string everyKind(const Json&, DurableContext& ctx) {
  ctx.logger().info("starting");
  int a = ctx.step("a", [] { return 1; });
  int b = ctx.step("flaky",
                   [](rwd::StepContext& sc) {
                     if (sc.attempt() < 2) throw Flaky("not yet");
                     return 2;
                   },
                   {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
  ctx.wait("pause", 5s);
  std::string verdict = ctx.waitForCallback("approve", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  auto r = ctx.parallel<int>("fan", {{"x", [](DurableContext& c) { return c.step("x1", [] { return 3; }); }},
                                     {"y", [](DurableContext& c) { return c.step("y1", [] { return 4; }); }}});
  int sum = a + b;
  for (int v : r.getResults()) sum += v;
  ctx.logger().info("done");
  return verdict + ":" + std::to_string(sum);
}

// Writes one log record per invocation start.
class StartLogger final : public rwd::Plugin {
 public:
  std::string pluginName() const override { return "start-logger"; }
  void onInvocationStart(const rwd::InvocationInfo& i) override {
    i.writeLog({{"message", "invocation " + std::to_string(i.invocationIndex)}});
  }
};

struct Outcome {
  Json history;
  std::vector<rwd::InvocationRecord> invocations;
  std::vector<Json> logs;
  std::string logText;
  ExecutionStatus status;
  rwd::Payload result;
};

Outcome runEveryKind(rwd::InvocationExecutor executor) {
  std::ostringstream logText;
  rwd::RunnerOptions o;
  o.logStream = &logText;
  o.invocationExecutor = std::move(executor);
  o.handlerConfig.plugins.push_back(std::make_shared<StartLogger>());
  rwd::LocalDurableTestRunner runner(everyKind, o);
  runner.onCallback("approve", rwd::CallbackResponse::successJson("yes").after(30s));
  const auto& r = runner.run();
  return {r.historyJson(), r.getInvocations(), r.getLogs(), logText.str(), r.getStatus(), r.getResultPayload()};
}

TEST(InvocationExecutorTest, AnExecutorRunningInProcessReproducesTheInProcessRunExactly) {
  Outcome plain = runEveryKind(nullptr);
  int calls = 0;
  Outcome viaExecutor = runEveryKind([&](const rwd::InvocationRequest& req, const rwd::InProcessInvocation& run) {
    EXPECT_EQ(req.index, ++calls);
    return run(nullptr);
  });
  ASSERT_EQ(plain.status, ExecutionStatus::Succeeded);
  EXPECT_GT(calls, 3);
  EXPECT_EQ(viaExecutor.status, plain.status);
  EXPECT_EQ(viaExecutor.result, plain.result);
  EXPECT_EQ(viaExecutor.history, plain.history);
  EXPECT_EQ(viaExecutor.logs, plain.logs);
  EXPECT_EQ(viaExecutor.logText, plain.logText);
  ASSERT_EQ(viaExecutor.invocations.size(), plain.invocations.size());
  for (std::size_t i = 0; i < plain.invocations.size(); ++i) {
    EXPECT_EQ(viaExecutor.invocations[i].requestId, plain.invocations[i].requestId);
    EXPECT_EQ(viaExecutor.invocations[i].outcome, plain.invocations[i].outcome);
    EXPECT_EQ(viaExecutor.invocations[i].start, plain.invocations[i].start);
  }
}

TEST(InvocationExecutorTest, RunInProcessLeavesTheRunnersRecordsToTheRunner) {
  // The executor's response is applied by the runner: a response thrown away is an
  // invocation that never happened, however much runInProcess did.
  int calls = 0;
  rwd::RunnerOptions o;
  o.maxInvocations = 3;
  o.invocationExecutor = [&](const rwd::InvocationRequest&, const rwd::InProcessInvocation& run) {
    ++calls;
    InvocationResponse r = run(nullptr);
    EXPECT_EQ(r.end, InvocationResponse::End::Succeeded);
    EXPECT_EQ(r.updates.size(), 2u);
    InvocationResponse lost;
    lost.end = InvocationResponse::End::Crashed;
    return lost;
  };
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) { return ctx.step("a", [] { return 1; }); },
                                     o);
  const auto& r = runner.run();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_TRUE(r.getOperations().empty());
  ASSERT_EQ(r.getInvocations().size(), 3u);
  EXPECT_EQ(r.getInvocations()[0].outcome, rwd::InvocationOutcome::Crashed);
  ASSERT_TRUE(r.getInvocations()[0].error);
  EXPECT_EQ(r.getInvocations()[0].error->errorType, "Runtime.ExitError");
}

TEST(InvocationExecutorTest, ADeadInvocationKeepsTheUpdatesItStreamedAndIsReInvoked) {
  // Like a process that dies after persisting its first checkpoint: the START of "a"
  // reached the service, the rest did not.
  int calls = 0;
  rwd::RunnerOptions o;
  o.invocationExecutor = [&](const rwd::InvocationRequest&, const rwd::InProcessInvocation& run) {
    std::vector<rwd::CheckpointRecord> streamed;
    InvocationResponse full = run([&](const rwd::CheckpointRecord& r) { streamed.push_back(r); });
    EXPECT_EQ(streamed.size(), full.updates.size());
    if (++calls > 1) return full;
    InvocationResponse dead;
    dead.end = InvocationResponse::End::Crashed;
    dead.updates.assign(streamed.begin(), streamed.begin() + 1);
    return dead;
  };
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) { return ctx.step("a", [] { return 1; }); },
                                     o);
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  ASSERT_EQ(r.getInvocations().size(), 2u);
  EXPECT_EQ(r.getInvocations()[0].outcome, rwd::InvocationOutcome::Crashed);
  Json h = r.historyJson();
  std::vector<std::string> types;
  for (const auto& e : h) types.push_back(e["EventType"].get<std::string>());
  EXPECT_EQ(types, (std::vector<std::string>{"ExecutionStarted", "StepStarted", "InvocationCompleted", "StepSucceeded",
                                             "InvocationCompleted", "ExecutionSucceeded"}));
  EXPECT_TRUE(h[2]["InvocationCompletedDetails"].contains("Error"));
}

TEST(InvocationExecutorTest, AnUpdateThatFailsValidationFailsTheExecutionAsInProcess) {
  rwd::RunnerOptions o;
  o.invocationExecutor = [&](const rwd::InvocationRequest&, const rwd::InProcessInvocation& run) {
    InvocationResponse r = run(nullptr);
    // A SUCCEED for an operation that was never started.
    rwd::OperationUpdate bogus = r.updates.front().update;
    bogus.id = "ffffffffffffffff";
    bogus.stepId = "9";
    bogus.action = rwd::OperationAction::Succeed;
    r.updates.insert(r.updates.begin(), {bogus, CheckpointFate::Persist});
    return r;
  };
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) { return ctx.step("a", [] { return 1; }); },
                                     o);
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Failed);
  ASSERT_TRUE(r.getError());
  EXPECT_EQ(r.getError()->errorType, "InvalidCheckpointError");
  EXPECT_TRUE(r.getOperations().empty()) << "nothing after the invalid update is applied";
}

TEST(InvocationExecutorTest, AnUpdateAfterACrashIsABadResponse) {
  rwd::RunnerOptions o;
  o.invocationExecutor = [&](const rwd::InvocationRequest&, const rwd::InProcessInvocation& run) {
    InvocationResponse r = run(nullptr);
    r.updates.front().fate = CheckpointFate::PersistAndCrash;
    return r;
  };
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) { return ctx.step("a", [] { return 1; }); },
                                     o);
  try {
    runner.run();
    FAIL() << "expected [rewind.runner.bad_response]";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("[rewind.runner.bad_response]"), std::string::npos) << e.what();
  }
}

TEST(InvocationExecutorTest, CrashFatesFromTheInterceptorEndTheInvocationAsInProcess) {
  auto run = [](bool viaExecutor) {
    rwd::RunnerOptions o;
    o.checkpointInterceptor = [](const rwd::OperationUpdate&, std::size_t seq) {
      return seq == 1   ? CheckpointFate::DropAndCrash
             : seq == 2 ? CheckpointFate::PersistAndCrash
                        : CheckpointFate::Persist;
    };
    if (viaExecutor)
      o.invocationExecutor = [](const rwd::InvocationRequest&, const rwd::InProcessInvocation& r) {
        return r(nullptr);
      };
    rwd::LocalDurableTestRunner runner(
        [](const Json&, DurableContext& ctx) {
          return ctx.step("a", [] { return 1; }) + ctx.step("b", [] { return 2; });
        },
        o);
    return runner.run().historyJson();
  };
  Json plain = run(false);
  EXPECT_EQ(run(true), plain);
  EXPECT_EQ(plain.back()["EventType"], "ExecutionSucceeded");
}

}  // namespace
