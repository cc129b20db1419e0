// ctx.now(), ctx.random(), ctx.uuid() and the TimePoint/Duration serdes: each value is
// one checkpointed STEP with a compact payload, and replays return the recorded value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::Json;

std::int64_t millis(rwd::TimePoint t) { return t.time_since_epoch().count(); }

const rwd::Operation& opNamed(const rwd::ExecutionResult& r, const std::string& name) {
  for (const auto& op : r.getOperations())
    if (op.name == name) return op;
  throw std::runtime_error("no operation named " + name);
}

Json clockAroundAWait(const Json&, DurableContext& ctx) {
  rwd::TimePoint start = ctx.now("start");
  ctx.wait("an-hour", 1h);
  rwd::TimePoint end = ctx.now("end");
  return Json{{"start", millis(start)}, {"end", millis(end)}, {"took", (end - start) / 1s}};
}

TEST(ReplaySafeNowTest, ReturnsTheVirtualClockAndReplaysTheRecordedTime) {
  rwd::LocalDurableTestRunner runner(clockAroundAWait);
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  ASSERT_EQ(r.getInvocations().size(), 2u);  // the second invocation replays "start" after the wait
  EXPECT_EQ(r.getResult()["start"], millis(rwd::kDefaultEpoch));
  EXPECT_EQ(r.getResult()["end"], millis(rwd::kDefaultEpoch + 1h));
  EXPECT_EQ(r.getResult()["took"], 3600);
}

TEST(ReplaySafeNowTest, IsOneStepWithTheEpochMillisecondsAsPayload) {
  rwd::LocalDurableTestRunner runner(clockAroundAWait);
  const auto& r = runner.run();
  ASSERT_EQ(r.getOperations().size(), 3u);
  const rwd::Operation& start = opNamed(r, "start");
  EXPECT_EQ(start.type, rwd::OperationType::Step);
  EXPECT_EQ(start.subType, rwd::OperationSubType::Step);
  EXPECT_EQ(start.status, rwd::OperationStatus::Succeeded);
  EXPECT_EQ(start.stepDetails->result, std::optional<std::string>("1735689600000"));
}

TEST(ReplaySafeNowTest, TheHandlerSeesTheCheckpointedValueNotAFreshReading) {
  rwd::RunnerOptions o;
  o.stepResultOverride = [](const std::string& stepId, int, const rwd::Payload& p) -> rwd::Payload {
    return stepId == "1" ? rwd::Payload("1000") : p;
  };
  rwd::LocalDurableTestRunner runner(clockAroundAWait, o);
  EXPECT_EQ(runner.run().getResult()["start"], 1000);
}

Json threeDraws(const Json&, DurableContext& ctx) {
  std::uint64_t a = ctx.random("a");
  ctx.wait("tick", 1s);
  std::uint64_t b = ctx.random();
  std::string id = ctx.uuid("id");
  return Json{{"a", a}, {"b", b}, {"id", id}};
}

Json runDraws(std::uint64_t seed) {
  rwd::RunnerOptions o;
  o.seed = seed;
  rwd::LocalDurableTestRunner runner(threeDraws, o);
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  return r.getResult();
}

TEST(ReplaySafeRandomTest, IsSeededByTheRunnerSoRunsReproduce) {
  Json first = runDraws(7);
  EXPECT_EQ(runDraws(7), first);
  Json other = runDraws(8);
  EXPECT_NE(other["a"], first["a"]);
  EXPECT_NE(other["id"], first["id"]);
  EXPECT_NE(first["a"], first["b"]);  // each operation draws its own value
}

TEST(ReplaySafeRandomTest, IsOneStepWhosePayloadIsTheNumberAndReplayReturnsIt) {
  rwd::LocalDurableTestRunner runner(threeDraws);
  const auto& r = runner.run();
  ASSERT_EQ(r.getInvocations().size(), 2u);
  const rwd::Operation& a = opNamed(r, "a");
  EXPECT_EQ(a.type, rwd::OperationType::Step);
  EXPECT_EQ(a.subType, rwd::OperationSubType::Step);
  EXPECT_EQ(*a.stepDetails->result, r.getResult()["a"].dump());
  const rwd::Operation& unnamed = r.getOperations().at(2);
  EXPECT_FALSE(unnamed.name.has_value());  // random() without a name writes no Name
  EXPECT_EQ(*unnamed.stepDetails->result, r.getResult()["b"].dump());

  rwd::RunnerOptions o;
  o.stepResultOverride = [](const std::string& stepId, int, const rwd::Payload& p) -> rwd::Payload {
    return stepId == "1" ? rwd::Payload("42") : p;
  };
  rwd::LocalDurableTestRunner overridden(threeDraws, o);
  EXPECT_EQ(overridden.run().getResult()["a"], 42);
}

TEST(ReplaySafeUuidTest, IsAVersion4UuidCheckpointedAsAQuotedString) {
  rwd::LocalDurableTestRunner runner(threeDraws);
  const auto& r = runner.run();
  std::string id = r.getResult()["id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(*opNamed(r, "id").stepDetails->result, "\"" + id + "\"");
}

TEST(ChronoSerdesTest, TimePointAndDurationRoundTripAsCompactIntegers) {
  auto tp = rwd::kDefaultEpoch + 1500ms;
  EXPECT_EQ(rwd::serializeWith<rwd::TimePoint>({}, tp), rwd::Payload("1735689601500"));
  EXPECT_EQ(rwd::deserializeWith<rwd::TimePoint>({}, rwd::Payload("1735689601500")), tp);
  EXPECT_EQ(rwd::serializeWith<rwd::Duration>({}, rwd::Duration(90)), rwd::Payload("90"));
  EXPECT_EQ(rwd::deserializeWith<rwd::Duration>({}, rwd::Payload("90")), 90s);
  using Nanos = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;
  Nanos precise{std::chrono::nanoseconds(1735689600123456789LL)};
  EXPECT_EQ(rwd::deserializeWith<Nanos>({}, rwd::serializeWith<Nanos>({}, precise)), precise);
}

TEST(ChronoSerdesTest, AStepMayReturnATimePoint) {
  rwd::LocalDurableTestRunner runner([](const Json&, DurableContext& ctx) {
    rwd::TimePoint due = ctx.step("due", [] { return rwd::kDefaultEpoch + 24h; });
    rwd::Duration grace = ctx.step("grace", [] { return rwd::Duration(30); });
    return millis(due) + grace.count();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), millis(rwd::kDefaultEpoch + 24h) + 30);
  EXPECT_EQ(*opNamed(r, "due").stepDetails->result, "1735776000000");
}

}  // namespace
