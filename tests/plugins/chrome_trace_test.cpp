// The Chrome trace: a golden file for a small workflow, Trace Event validity, layout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "rewind/plugins/chrome_trace.hpp"
#include "rewind/plugins/trace_plugin.hpp"
#include "workflows.hpp"

namespace {

using namespace rwd::plugins_test;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with golden/<name>, or rewrites it when REWIND_UPDATE_GOLDEN=1.
void expectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(REWIND_PLUGINS_GOLDEN_DIR) + "/" + name;
  if (const char* update = std::getenv("REWIND_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path) << actual;
    return;
  }
  std::string expected = readFile(path);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << path << " (run with REWIND_UPDATE_GOLDEN=1)";
  if (actual == expected) return;
  std::istringstream a(actual), e(expected);
  std::string al, el;
  for (int line = 1;; ++line) {
    bool ha = static_cast<bool>(std::getline(a, al)), he = static_cast<bool>(std::getline(e, el));
    if (!ha && !he) break;
    if (ha != he || al != el) {
      ADD_FAILURE() << "golden file " << path << " differs at line " << line << "\n  expected: " << (he ? el : "<end>")
                    << "\n  actual:   " << (ha ? al : "<end>") << "\nrerun with REWIND_UPDATE_GOLDEN=1 to accept";
      return;
    }
  }
  ADD_FAILURE() << "golden file " << path << " differs in line endings";
}

std::string traceOf(const rwd::ExecutionResult& result) {
  std::ostringstream out;
  rwd::writeChromeTrace(result, out);
  return out.str();
}

// Checks what Perfetto and chrome://tracing need; returns the problems found.
std::vector<std::string> traceEventProblems(const rwd::Json& doc) {
  std::vector<std::string> problems;
  if (!doc.contains("traceEvents") || !doc["traceEvents"].is_array()) return {"no traceEvents array"};
  std::map<std::pair<int, int>, std::vector<std::string>> open;  // (pid, tid) → B names
  std::map<std::pair<int, int>, double> lastTs;
  for (const auto& e : doc["traceEvents"]) {
    for (const char* key : {"ph", "ts", "pid", "tid"})
      if (!e.contains(key)) problems.push_back("event without " + std::string(key) + ": " + e.dump());
    if (!e.contains("ph") || !e.contains("ts") || !e.contains("pid") || !e.contains("tid")) continue;
    std::string ph = e["ph"];
    if (!e["ts"].is_number() || e["ts"].get<double>() < 0) problems.push_back("bad ts: " + e.dump());
    auto key = std::make_pair(e["pid"].get<int>(), e["tid"].get<int>());
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0)
        problems.push_back("X without dur >= 0: " + e.dump());
    } else if (ph == "B") {
      open[key].push_back(e.value("name", ""));
    } else if (ph == "E") {
      if (open[key].empty())
        problems.push_back("E without B: " + e.dump());
      else
        open[key].pop_back();
    } else if (ph != "M" && ph != "i" && ph != "I") {
      problems.push_back("unexpected phase " + ph);
    }
    if (ph != "M" && !e.contains("name")) problems.push_back("event without name: " + e.dump());
  }
  for (const auto& [key, names] : open)
    for (const auto& n : names) problems.push_back("B without E: " + n);
  return problems;
}

// X events on one thread must nest (no partial overlap), or the viewers draw them wrong.
std::vector<std::string> nestingProblems(const rwd::Json& doc) {
  std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> byTid;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X")
      byTid[e["tid"]].emplace_back(e["ts"].get<std::int64_t>(),
                                   e["ts"].get<std::int64_t>() + e["dur"].get<std::int64_t>());
  std::vector<std::string> problems;
  for (auto& [tid, spans] : byTid)
    for (const auto& a : spans)
      for (const auto& b : spans)
        if (a.first < b.first && b.first < a.second && a.second < b.second)
          problems.push_back("partial overlap on tid " + std::to_string(tid));
  return problems;
}

TEST(ChromeTraceTest, SmallWorkflowMatchesTheGoldenFile) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
  expectGolden("small_workflow.trace.json", traceOf(result));
}

TEST(ChromeTraceTest, TheFileIsValidTraceEventJsonWithBalancedNestedSpans) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Json doc = rwd::Json::parse(traceOf(runner.run()));
  EXPECT_THAT(traceEventProblems(doc), ::testing::IsEmpty());
  EXPECT_THAT(nestingProblems(doc), ::testing::IsEmpty());
  EXPECT_EQ(doc["displayTimeUnit"], "ms");
}

TEST(ChromeTraceTest, AKeptTraceDocumentIsWrittenAsTheTimelineIs) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Timeline timeline = rwd::buildTimeline(runner.run());
  std::ostringstream fromTimeline, fromDocument, fromList;
  rwd::writeChromeTrace(timeline, fromTimeline);
  rwd::writeChromeTrace(rwd::chromeTraceJson(timeline), fromDocument);
  rwd::writeChromeTrace(rwd::chromeTraceJson(std::vector<rwd::Timeline>{timeline}), fromList);
  EXPECT_EQ(fromDocument.str(), fromTimeline.str());
  EXPECT_EQ(fromList.str(), fromTimeline.str()) << "one execution: the single-execution trace";
}

TEST(ChromeTraceTest, SeveralExecutionsAreOneProcessEach) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Timeline timeline = rwd::buildTimeline(runner.run());
  rwd::Json doc = rwd::chromeTraceJson(std::vector<rwd::Timeline>{timeline, timeline});
  EXPECT_THAT(traceEventProblems(doc), ::testing::IsEmpty());
  std::map<int, std::string> processNames;
  std::map<int, std::size_t> spans;
  for (const auto& e : doc["traceEvents"]) {
    if (e["name"] == "process_name") processNames[e["pid"].get<int>()] = e["args"]["name"];
    if (e["ph"] == "X") ++spans[e["pid"].get<int>()];
  }
  ASSERT_EQ(processNames.size(), 2u);
  EXPECT_THAT(processNames[1], ::testing::StartsWith("execution 1 arn:"));
  EXPECT_THAT(processNames[2], ::testing::StartsWith("execution 2 arn:"));
  EXPECT_EQ(spans[1], timeline.spans.size());
  EXPECT_EQ(spans[2], timeline.spans.size());
  EXPECT_EQ(doc["otherData"]["executions"].size(), 2u);
}

TEST(ChromeTraceTest, TheValidatorCatchesBrokenTraces) {
  rwd::Json doc = rwd::Json::parse(R"({"traceEvents":[
    {"name":"a","ph":"B","ts":0,"pid":1,"tid":1},
    {"name":"b","ph":"X","ts":1,"dur":-2,"pid":1,"tid":1},
    {"name":"c","ph":"E","ts":2,"pid":1,"tid":2},
    {"name":"d","ph":"X","dur":1,"pid":1,"tid":1}]})");
  EXPECT_THAT(traceEventProblems(doc), ::testing::SizeIs(4));
}

TEST(ChromeTraceTest, TracksAreInvocationsMainAndOnePerBranch) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Timeline t = rwd::buildTimeline(runner.run());
  std::vector<std::string> names;
  for (const auto& track : t.tracks) names.push_back(track.name);
  EXPECT_THAT(names, ::testing::ElementsAre("invocation 1", "invocation 2", "invocation 3", "invocation 4", "main",
                                            "fan-out › left", "fan-out › right"));
}

const rwd::TimelineSpan& spanNamed(const rwd::Timeline& t, const std::string& name) {
  for (const auto& s : t.spans)
    if (s.name == name) return s;
  throw std::runtime_error("no span " + name);
}

TEST(ChromeTraceTest, EventsOfOneInvocationKeepTheirOrderAndWaitsKeepTheirLength) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Timeline t = rwd::buildTimeline(runner.run());
  const auto& left = spanNamed(t, "write-left");
  const auto& right = spanNamed(t, "write-right");
  EXPECT_LT(left.endMicros, right.startMicros);  // same virtual instant, index order
  const auto& pause = spanNamed(t, "pause");
  EXPECT_GE(pause.endMicros - pause.startMicros, 60'000'000);
  EXPECT_LT(pause.endMicros - pause.startMicros, 60'000'000 + 10 * t.tickMicros);
  const auto& approval = spanNamed(t, "approval");
  EXPECT_GE(approval.endMicros - approval.startMicros, 600'000'000);  // answered 10 min later
  // The callback crosses from invocation 3 into invocation 4.
  EXPECT_LT(approval.startMicros, spanNamed(t, "invocation 4").startMicros);
  EXPECT_GT(approval.endMicros, spanNamed(t, "invocation 3").endMicros);
}

TEST(ChromeTraceTest, AttemptsNestInTheirStepWithTheRetryMarked) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  rwd::Timeline t = rwd::buildTimeline(runner.run());
  const auto& step = spanNamed(t, "load");
  const auto& first = spanNamed(t, "attempt 1");
  const auto& retry = spanNamed(t, "retry delay 5s");
  const auto& second = spanNamed(t, "attempt 2");
  for (const auto* s : {&first, &retry, &second}) {
    EXPECT_EQ(s->track, step.track);
    EXPECT_EQ(s->depth, step.depth + 1);
    EXPECT_GE(s->startMicros, step.startMicros);
    EXPECT_LE(s->endMicros, step.endMicros);
  }
  EXPECT_TRUE(first.failed);
  EXPECT_EQ(first.args["error"]["ErrorType"], "demo.Flaky");
  EXPECT_FALSE(second.failed);
  EXPECT_EQ(first.endMicros, retry.startMicros);
  EXPECT_EQ(retry.endMicros, second.startMicros);
  std::vector<std::string> marks;
  for (const auto& m : t.marks) marks.push_back(m.name);
  EXPECT_THAT(marks, Contains("attempt 1 failed"));
}

TEST(ChromeTraceTest, TheLayoutIsDeterministic) {
  auto once = [] {
    rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
    answerApproval(runner);
    return traceOf(runner.run());
  };
  EXPECT_EQ(once(), once());
}

std::string createsACallbackAndAwaitsItLater(const rwd::Json&, rwd::DurableContext& ctx) {
  auto early = ctx.createCallback<std::string>("early", {.timeout = 1h});
  ctx.wait("between", 30min);  // starts inside the callback's life, ends after it
  ctx.step("after", [] { return 1; });
  return early.result();
}

TEST(ChromeTraceTest, ACallbackThatOnlyPartlyOverlapsMovesToASecondLane) {
  rwd::LocalDurableTestRunner runner(createsACallbackAndAwaitsItLater);
  runner.onCallback("early", rwd::CallbackResponse::success("x").after(10min));
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
  rwd::Timeline t = rwd::buildTimeline(result);
  rwd::Json doc = rwd::Json::parse(traceOf(result));
  EXPECT_THAT(nestingProblems(doc), ::testing::IsEmpty());
  std::vector<std::string> names;
  for (const auto& track : t.tracks) names.push_back(track.name);
  EXPECT_THAT(names, Contains("main (2)"));
}

TEST(ChromeTraceTest, FailuresAndCrashesAreMarked) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, rwd::DurableContext& ctx) {
    return ctx.step("doomed", []() -> int { throw rwd::Error("demo.Fatal", "no way"); },
                    {.retryStrategy = rwd::retryPresets::none()});
  });
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Failed);
  rwd::Timeline t = rwd::buildTimeline(result);
  EXPECT_TRUE(spanNamed(t, "doomed").failed);
  EXPECT_TRUE(spanNamed(t, "execution").failed);
  std::vector<std::string> marks;
  for (const auto& m : t.marks) marks.push_back(m.name);
  EXPECT_THAT(marks, Contains("doomed FAILED"));
  EXPECT_THAT(marks, Contains("execution failed"));
  std::string trace = traceOf(result);
  EXPECT_THAT(trace, HasSubstr(R"("cname":"terrible")"));
  EXPECT_THAT(traceEventProblems(rwd::Json::parse(trace)), ::testing::IsEmpty());
}

TEST(ChromeTraceTest, TracePluginAddsWhatTheHooksSawToTheInvocations) {
  auto plugin = std::make_shared<rwd::TracePlugin>();
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions({plugin}));
  answerApproval(runner);
  const auto& result = runner.run();
  rwd::Timeline t = plugin->timeline(result);
  const auto& second = spanNamed(t, "invocation 2");
  EXPECT_THAT(second.args["hooks"].get<std::vector<std::string>>(),
              ::testing::ElementsAre("replay load (READY)", "attempt load #2", "attempt load #2 SUCCEEDED",
                                     "end load SUCCEEDED"));
  std::ostringstream out;
  plugin->writeTrace(result, out);
  EXPECT_THAT(out.str(), HasSubstr("replay load (READY)"));
  EXPECT_THAT(traceEventProblems(rwd::Json::parse(out.str())), ::testing::IsEmpty());
}

// Every operation shape in one workflow: waitForCondition polls, a FLAT map, a nested
// map, a chained invoke, a child context and a waitForCallback.
int everyShape(const rwd::Json&, rwd::DurableContext& ctx) {
  int polled = ctx.waitForCondition<int>(
      "poll", [](const int& n) { return n + 1; },
      {.initialState = 0,
       .waitStrategy = rwd::createWaitStrategy<int>({.shouldContinuePolling = [](const int& n) { return n < 3; },
                                                     .initialDelay = std::chrono::seconds(2),
                                                     .jitter = rwd::JitterStrategy::None})});
  std::vector<int> items{1, 2, 3};
  auto flat = ctx.map<int>("flat", items,
                           [](rwd::DurableContext& c, const int& x, std::size_t, const std::vector<int>&) {
                             return c.step("double", [x] { return 2 * x; });
                           },
                           {.maxConcurrency = 2, .nesting = rwd::Nesting::Flat});
  auto nested =
      ctx.map<int>("nested", items, [](rwd::DurableContext& c, const int& x, std::size_t, const std::vector<int>&) {
        c.wait("nap", std::chrono::seconds(x));
        return x;
      });
  auto quoted = ctx.invoke<int>("quote", "pricer", rwd::Json(5));
  int child = ctx.runInChildContext("child", [](rwd::DurableContext& c) { return c.step("inner", [] { return 7; }); });
  auto answer = ctx.waitForCallback<std::string>("ask", [](const std::string&, rwd::StepContext&) {});
  return polled + flat.getResults()[2] + nested.getResults()[0] + quoted + child + static_cast<int>(answer.size());
}

TEST(ChromeTraceTest, EveryOperationShapeGivesAValidNestedTrace) {
  rwd::LocalDurableTestRunner runner(everyShape);
  runner.registerFunction("pricer", [](const int& x) { return x * 10; });
  runner.onCallback("ask", rwd::CallbackResponse::success("yes").after(1h));
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded) << result.getError()->errorMessage;
  rwd::Json doc = rwd::Json::parse(traceOf(result));
  EXPECT_THAT(traceEventProblems(doc), ::testing::IsEmpty());
  EXPECT_THAT(nestingProblems(doc), ::testing::IsEmpty());
  rwd::Timeline t = rwd::buildTimeline(result);
  std::vector<std::string> tracks;
  for (const auto& track : t.tracks) tracks.push_back(track.name);
  for (const char* name : {"flat › item 0", "flat › item 2", "nested › map-item-0", "nested › map-item-2"})
    EXPECT_THAT(tracks, Contains(name));
  int pollAttempts = 0;
  for (const auto& s : t.spans)
    if (s.category == "attempt" && t.tracks[s.track].name == "main" &&
        s.startMicros >= spanNamed(t, "poll").startMicros && s.endMicros <= spanNamed(t, "poll").endMicros)
      ++pollAttempts;
  EXPECT_EQ(pollAttempts, 3);
  EXPECT_EQ(spanNamed(t, "quote").category, "invoke");
  EXPECT_EQ(spanNamed(t, "ask callback").category, "callback");
}

TEST(ChromeTraceTest, ACrashedInvocationIsMarkedAndTheStepSpansTheRerun) {
  rwd::RunnerOptions o;
  bool crashed = false;
  o.checkpointInterceptor = [&](const rwd::OperationUpdate& u, std::size_t) {
    if (!crashed && u.name == "charge" && u.action == rwd::OperationAction::Succeed) {
      crashed = true;
      return rwd::CheckpointFate::DropAndCrash;
    }
    return rwd::CheckpointFate::Persist;
  };
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, rwd::DurableContext& ctx) { return ctx.step("charge", [] { return 1; }); }, o);
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
  rwd::Timeline t = rwd::buildTimeline(result);
  EXPECT_EQ(spanNamed(t, "invocation 1").status, "CRASHED");
  EXPECT_TRUE(spanNamed(t, "invocation 1").failed);
  std::vector<std::string> marks;
  for (const auto& m : t.marks) marks.push_back(m.name);
  EXPECT_THAT(marks, Contains("crash"));
  EXPECT_GT(spanNamed(t, "charge").endMicros, spanNamed(t, "invocation 2").startMicros);
  EXPECT_THAT(traceEventProblems(rwd::Json::parse(traceOf(result))), ::testing::IsEmpty());
}

TEST(ChromeTraceTest, OperationsStillRunningAreOpenSpansToTheEnd) {
  rwd::RunnerOptions o;
  o.skipTime = false;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, rwd::DurableContext& ctx) {
        ctx.wait("forever-ish", 24h);
        return 0;
      },
      o);
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Running);
  rwd::Timeline t = rwd::buildTimeline(result);
  EXPECT_TRUE(spanNamed(t, "forever-ish").open);
  EXPECT_EQ(spanNamed(t, "forever-ish").endMicros, t.endMicros);
  EXPECT_TRUE(spanNamed(t, "execution").open);
  rwd::Json doc = rwd::Json::parse(traceOf(result));
  EXPECT_THAT(traceEventProblems(doc), ::testing::IsEmpty());
  EXPECT_THAT(nestingProblems(doc), ::testing::IsEmpty());
}

}  // namespace
