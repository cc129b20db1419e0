// One code path: a handler run through the durable API's JSON (the SDK's entry point
// against a detached service, every message written and parsed back) produces the very
// history of the in-process runner; and the JSON it writes is the service model's.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "handler_library.hpp"
#include "rewind/durable_api_json.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"
#include "wire_service.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::Json;

rwd::RawHandler handlerNamed(const std::string& name) {
  static std::shared_ptr<rwd::tools::HandlerLibrary> lib = rwd::tools::HandlerLibrary::open(REWIND_TRANSPORT_HANDLERS);
  return lib->durableHandler(name).handler;
}

struct Outcome {
  Json history;
  std::string status;
  rwd::Payload result;
  std::size_t invocations = 0;
};

rwd::testing::WireLog& samples() {
  static rwd::testing::WireLog log;
  return log;
}

Outcome run(const std::string& name, bool wire, int maxItems = 0) {
  rwd::RunnerOptions o;
  o.seed = 11;
  rwd::RawHandler raw = handlerNamed(name);
  if (wire)
    o.invocationExecutor =
        rwd::testing::makeWireExecutor(raw, {.seed = o.seed, .log = &samples(), .maxItems = maxItems});
  rwd::LocalDurableTestRunner runner(raw, o);
  runner.onCallback("approve", rwd::CallbackResponse::successJson("yes").after(30s));
  runner.registerFunction("doubler", [](const int& v) { return 2 * v; });
  const auto& r = runner.run();
  return {r.historyJson(), std::string(rwd::toString(r.getStatus())), r.getResultPayload(), r.getInvocations().size()};
}

void expectSameThroughTheWire(const std::string& handler, int maxItems = 0) {
  Outcome local = run(handler, false);
  Outcome wire = run(handler, true, maxItems);
  EXPECT_EQ(wire.status, local.status);
  EXPECT_EQ(wire.result, local.result);
  EXPECT_EQ(wire.invocations, local.invocations);
  EXPECT_EQ(wire.history.dump(1), local.history.dump(1));
}

TEST(WireExecutorTest, EveryKindOfOperationHasTheInProcessHistoryThroughJson) {
  expectSameThroughTheWire("every-kind");
}

TEST(WireExecutorTest, AFailedExecutionHasTheInProcessHistoryThroughJson) { expectSameThroughTheWire("failing"); }

TEST(WireExecutorTest, APagedInitialStateIsFetchedWithGetDurableExecutionState) {
  std::size_t before = samples().messages().size();
  expectSameThroughTheWire("many-records", 40);
  std::size_t pages = 0;
  auto all = samples().messages();
  for (std::size_t i = before; i < all.size(); ++i) pages += all[i].shape == "GetDurableExecutionStateRequest";
  EXPECT_GE(pages, 3u);  // ~300 records after the map: 40 in the input, the rest in pages of 100
}

TEST(WireExecutorTest, WireJsonHasNoStepIdAndEpochSecondTimestamps) {
  rwd::Operation op;
  op.id = "abc";
  op.stepId = "1";
  op.type = rwd::OperationType::Wait;
  op.subType = rwd::OperationSubType::Wait;
  op.startTimestamp = rwd::TimePoint(std::chrono::milliseconds(1'700'000'000'500));
  op.waitDetails = rwd::WaitDetails{rwd::TimePoint(std::chrono::seconds(1'700'000'010)), 10};
  Json j = rwd::toJson(op, rwd::JsonForm::Wire);
  EXPECT_FALSE(j.contains("StepId"));
  EXPECT_DOUBLE_EQ(j["StartTimestamp"].get<double>(), 1'700'000'000.5);
  EXPECT_EQ(j["WaitDetails"]["ScheduledEndTimestamp"].get<std::int64_t>(), 1'700'000'010);
  auto back = rwd::operationsFromJson(Json::array({j}), rwd::JsonForm::Wire);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].startTimestamp, op.startTimestamp);
  EXPECT_TRUE(back[0].stepId.empty());
}

TEST(WireExecutorTest, AnOutputIsNeverWrittenWithAStatusOutsideTheModel) {
  rwd::DurableExecutionInvocationOutput out;
  out.status = rwd::InvocationStatus::Retrying;
  try {
    (void)rwd::toJson(out);
    FAIL() << "RETRYING was written";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[rewind.durable_api.bad_status]"), std::string::npos);
  }
  out.status = rwd::InvocationStatus::Pending;
  EXPECT_EQ(rwd::toJson(out).at("Status"), "PENDING");
}

TEST(WireExecutorTest, PathsAreTheServiceModelsWithTheArnEncoded) {
  EXPECT_EQ(rwd::checkpointPath("arn:aws:lambda:us-east-1:1:function:f:$LATEST/durable-execution/a/b"),
            "/2025-12-01/durable-executions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af%3A%24LATEST%2Fdurable-"
            "execution%2Fa%2Fb/checkpoint");
  EXPECT_EQ(rwd::uriDecode(rwd::uriEncode("a/b:c$d e")), "a/b:c$d e");
}

// Writes every message of the runs above for check_wire_model.py (a ctest fixture:
// REWIND_WIRE_SAMPLES names the file).
TEST(WireExecutorTest, WritesTheSamplesForTheModelCheck) {
  const char* path = std::getenv("REWIND_WIRE_SAMPLES");
  if (!path) GTEST_SKIP() << "REWIND_WIRE_SAMPLES is not set";
  expectSameThroughTheWire("every-kind");
  expectSameThroughTheWire("failing");
  expectSameThroughTheWire("many-records", 40);
  ASSERT_FALSE(samples().messages().empty());
  std::ofstream(path) << samples().toJson().dump(1);
}

}  // namespace
