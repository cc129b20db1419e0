// The tools' input readers: --event documents, recorded histories for
// `rewind-check replay`, and the error types a user sees. Bad input is a one-line error
// with a stable id, never a crash.
#include <gtest/gtest.h>

#include <ios>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "handler_library.hpp"
#include "rewind/checker/history_replay.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::Json;

std::string readError(const std::string& arg) {
  try {
    rwd::tools::readEventArgument(arg);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ReadEventArgumentTest, ADocumentNestedTooDeepIsABadEventNotAStackOverflow) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(readError(deep).find("[rewind.tools.bad_event]"), std::string::npos);
  std::string fine = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(rwd::tools::readEventArgument(fine), fine);
}

TEST(ReadEventArgumentTest, ANumberBeyondDoubleIsABadEventAndARuntimeError) {
  EXPECT_NE(readError("1e400").find("[rewind.tools.bad_event]"), std::string::npos);
  EXPECT_NE(readError("{\"a\": [1, -1e999]}").find("[rewind.tools.bad_event]"), std::string::npos);
  EXPECT_NE(readError("{oops").find("the event is not valid JSON"), std::string::npos);
}

int threeSteps(const Json&, DurableContext& ctx) {
  int a = ctx.step("a", [] { return 1; });
  ctx.wait("pause", 5s);
  int b = ctx.step("b", [] { return 2; });
  return a + b + ctx.step("c", [] { return 3; });
}

std::string badHistory(const Json& doc) {
  try {
    rwd::checker::replayHistory(rwd::makeHandler(threeSteps), doc, rwd::Payload("null"));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(HistoryReplayShapeTest, HistoriesOfTheWrongShapeAreBadHistoryErrors) {
  rwd::RunnerOptions options;
  options.skipTime = true;
  rwd::LocalDurableTestRunner runner(threeSteps, options);
  Json good = runner.run().toJson();
  const std::string id = "[rewind.checker.bad_history]";
  Json nonObjectEvent = Json::array({Json{{"EventType", "ExecutionStarted"}}, 42});
  EXPECT_NE(badHistory(nonObjectEvent).find(id), std::string::npos);
  Json noDetails = Json{{"History", Json::array({Json{{"EventType", "ExecutionStarted"}, {"EventId", 1}}})}};
  std::string noInput;
  try {
    rwd::checker::replayHistory(rwd::makeHandler(threeSteps), noDetails);
  } catch (const std::invalid_argument& e) {
    noInput = e.what();
  }
  EXPECT_NE(noInput.find(id), std::string::npos);
  for (const Json& doc :
       {Json(42), Json("text"), Json{{"History", 7}}, Json{{"Operations", Json{{"a", 1}}}},
        Json{{"History", Json::array({Json{{"EventType", 3}}})}}, Json::array({Json{{"EventType", "StepStarted"}}}),
        Json::array({Json{{"EventType", "StepStarted"}, {"Id", "x"}, {"StepStartedDetails", 5}}}),
        Json::array(
            {Json{{"EventType", "StepStarted"}, {"Id", "x"}}, Json{{"EventType", "WaitSucceeded"}, {"Id", "x"}}}),
        Json{{"Operations",
              Json::array({Json{{"Id", "x"}, {"Type", "STEP"}, {"Status", "SUCCEEDED"}, {"SubType", 12}}})}},
        // A FAILED record without its Error (replay would dereference it).
        Json{{"Operations", Json::array({Json{{"Id", "x"}, {"Type", "STEP"}, {"Status", "FAILED"}}})}},
        Json::array(
            {Json{{"EventType", "ContextStarted"}, {"Id", "c"}}, Json{{"EventType", "ContextFailed"}, {"Id", "c"}}}),
        // A record whose parent has no record, one whose parent is not a CONTEXT, an Id twice.
        Json{{"Operations", Json::array({Json{{"Id", "x"}, {"ParentId", "nope"}, {"Type", "STEP"}, {"Status", "STARTED"}}})}},
        Json{{"Operations", Json::array({Json{{"Id", "p"}, {"Type", "STEP"}, {"Status", "STARTED"}},
                                         Json{{"Id", "x"}, {"ParentId", "p"}, {"Type", "STEP"}, {"Status", "STARTED"}}})}},
        Json{{"Operations", Json::array({Json{{"Id", "x"}, {"Type", "STEP"}, {"Status", "STARTED"}},
                                         Json{{"Id", "x"}, {"Type", "STEP"}, {"Status", "STARTED"}}})}},
        Json::array({Json{{"EventType", "StepStarted"}, {"Id", "x"}, {"ParentId", "gone"}}})}) {
    EXPECT_NE(badHistory(doc).find(id), std::string::npos) << doc.dump();
  }
  Json deep = good;
  Json nested = Json::array();
  Json* innermost = &nested;
  for (int i = 0; i < 100000; ++i) {
    innermost->push_back(Json::array());
    innermost = &innermost->back();
  }
  deep["Operations"][0]["StepDetails"]["Result"] = std::move(nested);
  EXPECT_NE(badHistory(deep).find(id), std::string::npos);
}

TEST(HistoryReplayShapeTest, APlainHistoryEventArrayReplaysLikeTheRecordedOperations) {
  rwd::RunnerOptions options;
  options.skipTime = true;
  rwd::LocalDurableTestRunner runner(threeSteps, options);
  const rwd::ExecutionResult& result = runner.run();
  Json events = result.historyJson();
  ASSERT_TRUE(events.is_array());
  std::vector<rwd::Operation> rebuilt = rwd::checker::recordedOperations(events);
  std::vector<rwd::Operation> recorded;
  for (const auto& op : result.getOperations())
    if (op.type != rwd::OperationType::Execution) recorded.push_back(op);
  ASSERT_EQ(rebuilt.size(), recorded.size());
  for (std::size_t i = 0; i < rebuilt.size(); ++i) {
    EXPECT_EQ(rebuilt[i].id, recorded[i].id);
    EXPECT_EQ(rebuilt[i].type, recorded[i].type);
    EXPECT_EQ(rebuilt[i].status, recorded[i].status);
    EXPECT_EQ(rebuilt[i].name, recorded[i].name);
  }
  // The input comes from ExecutionStarted; the same code replays without divergence,
  // a changed one diverges.
  auto same = rwd::checker::replayHistory(rwd::makeHandler(threeSteps), events);
  EXPECT_FALSE(same.divergence) << same.explain();
  EXPECT_EQ(same.outcome.result, "6");
  auto wrapped = rwd::checker::replayHistory(rwd::makeHandler(threeSteps), Json{{"Events", events}});
  EXPECT_FALSE(wrapped.divergence) << wrapped.explain();
  auto changed = rwd::checker::replayHistory(
      rwd::makeHandler([](const Json&, DurableContext& ctx) { return ctx.step("renamed", [] { return 1; }); }), events);
  EXPECT_TRUE(changed.divergence);
}

TEST(ErrorTypeTest, LibraryExceptionsHaveStableNamesWithoutAbiNamespaces) {
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) {
    return ctx.step("parse", [] { return Json::parse("{oops").dump(); }, {.retryStrategy = rwd::retryPresets::none()});
  });
  const auto& result = runner.run();
  ASSERT_TRUE(result.getError());
  EXPECT_EQ(result.getError()->errorType, "nlohmann::json::parse_error");
  EXPECT_EQ(rwd::demangle(typeid(std::ios_base::failure).name()), "std::ios_base::failure");
}

}  // namespace
