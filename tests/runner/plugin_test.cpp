// Plugin hook semantics: when each hook fires, replay flags, attempts, isolation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "rewind/local_runner.hpp"
#include "rewind/plugin.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string label(const rwd::OperationInfo& o) { return o.name.value_or("#" + o.stepId); }

// Records every hook as one readable line.
class RecordingPlugin : public rwd::Plugin {
 public:
  explicit RecordingPlugin(std::vector<std::string>& out, std::string tag = "") : out_(out), tag_(std::move(tag)) {}
  std::string pluginName() const override { return "recorder" + tag_; }
  void onInvocationStart(const rwd::InvocationInfo& i) override {
    std::vector<std::string> completed;
    for (const auto& op : *i.completedSinceLast) completed.push_back(op.name.value_or(op.stepId));
    add(fmt::format("invocation-start #{} first={} known={} completed=[{}]", i.invocationIndex, i.firstInvocation,
                    i.operationsAtStart->size(), fmt::join(completed, ",")));
  }
  void onInvocationEnd(const rwd::InvocationEndInfo& e) override {
    add(fmt::format("invocation-end #{} {}", e.invocation->invocationIndex, toString(e.status)));
  }
  void onOperationStart(const rwd::OperationInfo& o) override {
    add(fmt::format("op-start {} {} replay={}", label(o), toString(o.status), o.isReplay));
  }
  void onOperationEnd(const rwd::OperationInfo& o) override {
    add(fmt::format("op-end {} {} attempt={}", label(o), toString(o.status), o.attempt));
  }
  void onAttemptStart(const rwd::AttemptInfo& a) override { add(fmt::format("attempt-start {} #{}", *a.name, a.attempt)); }
  void onAttemptEnd(const rwd::AttemptInfo& a) override {
    add(fmt::format("attempt-end {} #{} {}", *a.name, a.attempt,
                    a.outcome == rwd::AttemptOutcome::Succeeded ? "SUCCEEDED" : "FAILED"));
  }
  void onUserFunctionStart(const rwd::UserFunctionInfo& u) override {
    add(fmt::format("fn-start {} replaying={}", u.name.value_or(u.stepId), u.replayingChildren));
  }
  void onUserFunctionEnd(const rwd::UserFunctionInfo& u) override { add(fmt::format("fn-end {}", u.name.value_or(u.stepId))); }

 private:
  void add(std::string line) { out_.push_back(tag_ + line); }
  std::vector<std::string>& out_;
  std::string tag_;
};

// Throws from every hook, including the wrappers (before calling next()).
class ThrowingPlugin : public rwd::Plugin {
 public:
  std::string pluginName() const override { return "thrower"; }
  void onInvocationStart(const rwd::InvocationInfo&) override { throw std::runtime_error("boom"); }
  void onInvocationEnd(const rwd::InvocationEndInfo&) override { throw std::runtime_error("boom"); }
  void wrapInvocation(const rwd::InvocationInfo&, const std::function<void()>&) override { throw 7; }
  void onOperationStart(const rwd::OperationInfo&) override { throw std::runtime_error("boom"); }
  void onOperationEnd(const rwd::OperationInfo&) override { throw std::runtime_error("boom"); }
  void onAttemptStart(const rwd::AttemptInfo&) override { throw std::runtime_error("boom"); }
  void onAttemptEnd(const rwd::AttemptInfo&) override { throw std::runtime_error("boom"); }
  void wrapAttempt(const rwd::AttemptInfo&, const std::function<void()>& next) override {
    next();
    throw std::runtime_error("after next");
  }
  void onUserFunctionStart(const rwd::UserFunctionInfo&) override { throw std::runtime_error("boom"); }
  void onUserFunctionEnd(const rwd::UserFunctionInfo&) override { throw std::runtime_error("boom"); }
  void onOperationChange(const rwd::OperationChangeInfo&) override { throw std::runtime_error("boom"); }
  void enrichLogContext(rwd::Json&) override { throw std::runtime_error("boom"); }
};

std::string threeInvocations(const rwd::Json&, DurableContext& ctx) {
  auto a = ctx.step("a", [] { return std::string("A"); });
  ctx.wait("w1", 1s);
  auto b = ctx.runInChildContext("child", [](DurableContext& c) {
    c.wait("w2", 1s);
    return c.step("b", [] { return std::string("B"); });
  });
  return a + b;
}

rwd::RunnerOptions withPlugins(rwd::PluginList plugins) {
  rwd::RunnerOptions o;
  o.handlerConfig.plugins = std::move(plugins);
  return o;
}

TEST(PluginTest, HooksFireOnceLiveAndReplayOnlyForUnfinishedOperations) {
  std::vector<std::string> log;
  rwd::LocalDurableTestRunner runner(threeInvocations,
                                     withPlugins({std::make_shared<RecordingPlugin>(log)}));
  ASSERT_EQ(runner.run().getStatus(), ExecutionStatus::Succeeded);
  EXPECT_THAT(log, ElementsAre(
                       // invocation 1
                       "invocation-start #1 first=true known=0 completed=[]", "op-start a STARTED replay=false",
                       "attempt-start a #1", "attempt-end a #1 SUCCEEDED", "op-end a SUCCEEDED attempt=1",
                       "op-start w1 STARTED replay=false", "invocation-end #1 PENDING",
                       // invocation 2: w1 completed in between; the child starts and suspends
                       "invocation-start #2 first=false known=2 completed=[w1]", "op-end w1 SUCCEEDED attempt=0",
                       "op-start child STARTED replay=false", "fn-start child replaying=false",
                       "op-start w2 STARTED replay=false", "fn-end child", "invocation-end #2 PENDING",
                       // invocation 3: the child is replayed (not terminal yet), w2 ends, b runs
                       "invocation-start #3 first=false known=4 completed=[w2]", "op-start child STARTED replay=true",
                       "fn-start child replaying=true", "op-end w2 SUCCEEDED attempt=0",
                       "op-start b STARTED replay=false", "attempt-start b #1", "attempt-end b #1 SUCCEEDED",
                       "op-end b SUCCEEDED attempt=1", "fn-end child", "op-end child SUCCEEDED attempt=0",
                       "invocation-end #3 SUCCEEDED"));
}

TEST(PluginTest, AttemptHooksFollowRetriesToExhaustionAndEndFiresOnlyOnTheFinalFailure) {
  std::vector<std::string> log;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        return ctx.step("flaky", [](rwd::StepContext&) -> int { throw std::runtime_error("no"); },
                        {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3, .jitter = rwd::JitterStrategy::None})});
      },
      withPlugins({std::make_shared<RecordingPlugin>(log)}));
  ASSERT_EQ(runner.run().getStatus(), ExecutionStatus::Failed);
  std::vector<std::string> ops;
  for (const auto& l : log)
    if (l.rfind("attempt", 0) == 0 || l.rfind("op-", 0) == 0) ops.push_back(l);
  EXPECT_THAT(ops, ElementsAre("op-start flaky STARTED replay=false", "attempt-start flaky #1",
                               "attempt-end flaky #1 FAILED", "op-start flaky READY replay=true",
                               "attempt-start flaky #2", "attempt-end flaky #2 FAILED",
                               "op-start flaky READY replay=true", "attempt-start flaky #3",
                               "attempt-end flaky #3 FAILED", "op-end flaky FAILED attempt=3"));
}

TEST(PluginTest, APluginThatThrowsFromEveryHookChangesNothingForItsNeighbour) {
  std::vector<std::string> healthyAlone, healthyBeside;
  rwd::LocalDurableTestRunner alone(threeInvocations, withPlugins({std::make_shared<RecordingPlugin>(healthyAlone)}));
  rwd::LocalDurableTestRunner beside(threeInvocations,
                                     withPlugins({std::make_shared<ThrowingPlugin>(),
                                                  std::make_shared<RecordingPlugin>(healthyBeside)}));
  const auto& a = alone.run();
  const auto& b = beside.run();
  EXPECT_EQ(b.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(b.getResultPayload(), a.getResultPayload());
  EXPECT_EQ(b.historyJson(), a.historyJson());
  EXPECT_EQ(healthyBeside, healthyAlone);
  // Each failing hook is reported once through the logger.
  int reports = 0;
  for (const auto& rec : b.getLogs())
    if (rec["message"].get<std::string>().find("plugin 'thrower' threw from") != std::string::npos) ++reports;
  EXPECT_EQ(reports, 12);
}

TEST(PluginTest, SeveralPluginsRunInRegistrationOrder) {
  std::vector<std::string> log;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) { return ctx.step("s", [] { return 1; }); },
      withPlugins({std::make_shared<RecordingPlugin>(log, "1:"), std::make_shared<RecordingPlugin>(log, "2:")}));
  runner.run();
  ASSERT_GE(log.size(), 4u);
  EXPECT_EQ(log[0], "1:invocation-start #1 first=true known=0 completed=[]");
  EXPECT_EQ(log[1], "2:invocation-start #1 first=true known=0 completed=[]");
  EXPECT_EQ(log[2], "1:op-start s STARTED replay=false");
  EXPECT_EQ(log[3], "2:op-start s STARTED replay=false");
}

TEST(PluginTest, AFactoryBuildsFreshPluginsForEachInvocationAndEnrichesLogs) {
  struct Enricher : rwd::Plugin {
    int invocation;
    explicit Enricher(int i) : invocation(i) {}
    void enrichLogContext(rwd::Json& fields) override { fields["invocationFromPlugin"] = invocation; }
  };
  int built = 0;
  rwd::RunnerOptions o;
  o.handlerConfig.pluginFactory = [&] { return rwd::PluginList{std::make_shared<Enricher>(++built)}; };
  o.handlerConfig.logDuringReplay = true;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        ctx.logger().info("hello");
        ctx.wait("w", 1s);
        return 0;
      },
      o);
  const auto& r = runner.run();
  EXPECT_EQ(built, 2);
  ASSERT_EQ(r.getLogs().size(), 2u);
  EXPECT_EQ(r.getLogs()[0]["invocationFromPlugin"], 1);
  EXPECT_EQ(r.getLogs()[1]["invocationFromPlugin"], 2);
}

TEST(PluginTest, WrappersSurroundTheirFunctionAndCannotSwallowItsError) {
  struct Wrapper : rwd::Plugin {
    std::vector<std::string>& out;
    explicit Wrapper(std::vector<std::string>& o) : out(o) {}
    void wrapAttempt(const rwd::AttemptInfo& a, const std::function<void()>& next) override {
      out.push_back("before " + *a.name);
      next();
      out.push_back("after " + *a.name);
    }
  };
  std::vector<std::string> log;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        return ctx.step("s", [](rwd::StepContext&) -> int { throw std::runtime_error("inner"); },
                        {.retryStrategy = rwd::retryPresets::none()});
      },
      withPlugins({std::make_shared<Wrapper>(log)}));
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorMessage, "inner");
  EXPECT_THAT(log, ElementsAre("before s", "after s"));
}

}  // namespace
