// JsonLogPlugin: one JSON line per hook, the fields of each, records in getLogs().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "rewind/plugins/json_log_plugin.hpp"
#include "workflows.hpp"

namespace {

using namespace rwd::plugins_test;
using ::testing::Contains;
using ::testing::Each;
using ::testing::IsEmpty;
using ::testing::Not;

// Counts how often each hook fires, to compare with the lines written.
class CountingPlugin : public rwd::Plugin {
 public:
  std::map<std::string, int> counts;
  void onInvocationStart(const rwd::InvocationInfo&) override { ++counts["onInvocationStart"]; }
  void onInvocationEnd(const rwd::InvocationEndInfo&) override { ++counts["onInvocationEnd"]; }
  void onOperationStart(const rwd::OperationInfo&) override { ++counts["onOperationStart"]; }
  void onOperationEnd(const rwd::OperationInfo&) override { ++counts["onOperationEnd"]; }
  void onAttemptStart(const rwd::AttemptInfo&) override { ++counts["onAttemptStart"]; }
  void onAttemptEnd(const rwd::AttemptInfo&) override { ++counts["onAttemptEnd"]; }
  void onUserFunctionStart(const rwd::UserFunctionInfo&) override { ++counts["onUserFunctionStart"]; }
  void onUserFunctionEnd(const rwd::UserFunctionInfo&) override { ++counts["onUserFunctionEnd"]; }
  void onOperationChange(const rwd::OperationChangeInfo&) override { ++counts["onOperationChange"]; }
};

std::vector<rwd::Json> parseLines(const std::string& text) {
  std::vector<rwd::Json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(rwd::Json::parse(line));
  return out;
}

struct HookRun {
  std::string text;
  std::vector<rwd::Json> lines;
  std::vector<rwd::Json> logs;
  std::map<std::string, int> counts;
  std::string arn;
};

HookRun runSmallWorkflow(rwd::JsonLogOptions options = {}) {
  std::ostringstream out;
  if (!options.stream) options.stream = &out;
  auto counter = std::make_shared<CountingPlugin>();
  rwd::LocalDurableTestRunner runner(smallWorkflow(),
                                     smallWorkflowOptions({std::make_shared<rwd::JsonLogPlugin>(options), counter}));
  answerApproval(runner);
  const auto& result = runner.run();
  EXPECT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
  return {out.str(), parseLines(out.str()), result.getLogs(), counter->counts, result.getExecutionArn()};
}

std::vector<rwd::Json> withHook(const std::vector<rwd::Json>& records, const std::string& hook) {
  std::vector<rwd::Json> out;
  for (const auto& r : records)
    if (r.value("hook", "") == hook) out.push_back(r);
  return out;
}

TEST(JsonLogPluginTest, WritesOneJsonLinePerHookCall) {
  HookRun run = runSmallWorkflow();
  std::map<std::string, int> lines;
  for (const auto& l : run.lines) ++lines[l.at("hook").get<std::string>()];
  EXPECT_EQ(lines, run.counts);
  EXPECT_EQ(run.counts.size(), 9u) << "the workflow should exercise every observing hook";
  EXPECT_EQ(lines["onInvocationStart"], 4);
}

TEST(JsonLogPluginTest, EveryRecordCarriesTheExecutionArnHookAndMessage) {
  HookRun run = runSmallWorkflow();
  ASSERT_THAT(run.lines, Not(IsEmpty()));
  for (const auto& l : run.lines) {
    EXPECT_EQ(l.at("executionArn"), run.arn) << l.dump();
    for (const char* key : {"timestamp", "level", "requestId", "invocation", "hook", "message"})
      EXPECT_TRUE(l.contains(key)) << key << " missing in " << l.dump();
  }
}

TEST(JsonLogPluginTest, HookRecordsCarryTheHooksFields) {
  HookRun run = runSmallWorkflow();
  for (const char* hook : {"onOperationStart", "onOperationEnd"})
    for (const auto& l : withHook(run.lines, hook))
      for (const char* key : {"operationId", "stepId", "type", "subType", "status", "isReplay", "startTimestamp"})
        EXPECT_TRUE(l.contains(key)) << key << " missing in " << l.dump();
  for (const char* hook : {"onAttemptStart", "onAttemptEnd"})
    for (const auto& l : withHook(run.lines, hook))
      for (const char* key : {"operationId", "stepId", "subType", "attempt", "outcome"})
        EXPECT_TRUE(l.contains(key)) << key << " missing in " << l.dump();
  for (const auto& l : withHook(run.lines, "onUserFunctionStart"))
    for (const char* key : {"operationId", "stepId", "subType", "replayingChildren"})
      EXPECT_TRUE(l.contains(key)) << key << " missing in " << l.dump();

  auto attemptEnds = withHook(run.lines, "onAttemptEnd");
  ASSERT_GE(attemptEnds.size(), 2u);
  EXPECT_EQ(attemptEnds[0]["name"], "load");
  EXPECT_EQ(attemptEnds[0]["outcome"], "FAILED");
  EXPECT_EQ(attemptEnds[0]["level"], "WARN");
  EXPECT_EQ(attemptEnds[0]["error"]["ErrorType"], "demo.Flaky");
  EXPECT_EQ(attemptEnds[1]["attempt"], 2);
  EXPECT_EQ(attemptEnds[1]["outcome"], "SUCCEEDED");

  auto starts = withHook(run.lines, "onInvocationStart");
  EXPECT_EQ(starts[0]["firstInvocation"], true);
  EXPECT_TRUE(starts[0]["input"].is_null());
  EXPECT_EQ(starts[3]["completedSinceLast"][0]["name"], "approval");
  auto ends = withHook(run.lines, "onInvocationEnd");
  EXPECT_EQ(ends[0]["status"], "PENDING");
  EXPECT_EQ(ends[3]["status"], "SUCCEEDED");
  EXPECT_EQ(ends[3]["result"], "\"data/ok/LR\"");

  // The retried step is reached again in invocation 2 while still READY: a replay line.
  std::vector<bool> replays;
  for (const auto& l : withHook(run.lines, "onOperationStart"))
    if (l["name"] == "load") replays.push_back(l["isReplay"]);
  EXPECT_THAT(replays, ::testing::ElementsAre(false, true));
  // The callback's end lands in invocation 4, stamped with that invocation's virtual time.
  for (const auto& l : withHook(run.lines, "onOperationEnd"))
    if (l["name"] == "approval") {
      EXPECT_EQ(l["invocation"], 4);
      EXPECT_EQ(l["timestamp"], "2025-01-01T00:11:05.000Z");
      EXPECT_EQ(l["status"], "SUCCEEDED");
    }
  auto checkpoints = withHook(run.lines, "onOperationChange");
  ASSERT_THAT(checkpoints, Not(IsEmpty()));
  EXPECT_EQ(checkpoints[0]["updated"][0]["name"], "load");
}

TEST(JsonLogPluginTest, RecordsReachTheExecutionsLogSink) {
  HookRun run = runSmallWorkflow();
  std::vector<rwd::Json> hookLogs;
  for (const auto& r : run.logs)
    if (r.contains("hook")) hookLogs.push_back(r);
  EXPECT_EQ(hookLogs, run.lines);
}

TEST(JsonLogPluginTest, CanLogOnlyToTheSinkAndLeaveOutCheckpoints) {
  std::ostringstream out;
  HookRun run = runSmallWorkflow({.stream = &out, .writeToStream = false, .checkpoints = false});
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(withHook(run.logs, "onOperationChange"), IsEmpty());
  EXPECT_THAT(withHook(run.logs, "onOperationStart"), Not(IsEmpty()));
}

TEST(JsonLogPluginTest, LeavesPayloadsOutWhenAsked) {
  HookRun run = runSmallWorkflow({.payloads = false});
  for (const auto& l : run.lines) {
    EXPECT_FALSE(l.contains("input")) << l.dump();
    EXPECT_FALSE(l.contains("result")) << l.dump();
  }
}

TEST(JsonLogPluginTest, WritesToStandardOutputByDefault) {
  ::testing::internal::CaptureStdout();
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, rwd::DurableContext& ctx) { return ctx.step("only", [] { return 1; }); },
      smallWorkflowOptions({std::make_shared<rwd::JsonLogPlugin>()}));
  runner.run();
  std::vector<rwd::Json> lines = parseLines(::testing::internal::GetCapturedStdout());
  std::vector<std::string> hooks;
  for (const auto& l : lines) hooks.push_back(l["hook"]);
  // The step's START checkpoint comes before its attempt, its SUCCEED after the attempt ends.
  EXPECT_THAT(hooks,
              ::testing::ElementsAre("onInvocationStart", "onOperationStart", "onOperationChange", "onAttemptStart",
                                     "onAttemptEnd", "onOperationEnd", "onOperationChange", "onInvocationEnd"));
}

}  // namespace
