// Bad input and limits: every bad value is a clear error with a stable id, never a
// crash, an overflow or a wrong result; and the API gaps of issue #16 point 17.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "execution_store.hpp"
#include "md5.hpp"
#include "rewind/history_json.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/json_text.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using ::testing::HasSubstr;
using ::testing::Not;

rwd::OperationUpdate update(rwd::OperationType t, rwd::OperationAction a, std::string stepId = "1") {
  rwd::OperationUpdate u;
  u.stepId = stepId;
  u.id = rwd::operationIdFor(stepId);
  u.type = t;
  u.subType = t == rwd::OperationType::Wait       ? rwd::OperationSubType::Wait
              : t == rwd::OperationType::Callback ? rwd::OperationSubType::Callback
                                                  : rwd::OperationSubType::Step;
  u.action = a;
  return u;
}

std::string rejection(rwd::internal::ExecutionStore& store, const rwd::OperationUpdate& u) {
  try {
    store.apply(u);
  } catch (const rwd::InvalidCheckpointError& e) {
    return e.code();
  }
  return "accepted";
}

template <class F>
std::string executionError(F handler) {
  rwd::LocalDurableTestRunner runner(handler);
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Failed);
  return r.getError().value_or(rwd::ErrorObject{}).errorMessage;
}

// ---- point 5: a FAILED record carries its error --------------------------------------

TEST(FailedRecordTest, AFailWithoutAnErrorIsRejectedAtTheCheckpoint) {
  using A = rwd::OperationAction;
  using T = rwd::OperationType;
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  ASSERT_EQ(rejection(store, update(T::Step, A::Start)), "accepted");
  EXPECT_EQ(rejection(store, update(T::Step, A::Fail)), "rewind.checkpoint.fail_without_error");
  auto fail = update(T::Step, A::Fail);
  fail.error = rwd::ErrorObject{"E", "m", std::nullopt, std::nullopt};
  EXPECT_EQ(rejection(store, fail), "accepted");
}

TEST(FailedRecordTest, AFailedRecordWithoutAnErrorIsRejectedWhenRead) {
  for (const char* type : {"STEP", "CALLBACK", "CONTEXT", "CHAINED_INVOKE"}) {
    rwd::Json ops = rwd::Json::array({{{"Id", "c4ca4238a0b92382"}, {"Type", type}, {"Status", "FAILED"}}});
    try {
      rwd::operationsFromJson(ops);
      ADD_FAILURE() << type << ": accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("[rewind.history.missing_error]")) << type;
    }
  }
  rwd::Json timedOut = rwd::Json::array({{{"Id", "c4ca4238a0b92382"}, {"Type", "CALLBACK"}, {"Status", "TIMED_OUT"}}});
  EXPECT_THROW(rwd::operationsFromJson(timedOut), std::invalid_argument);
  rwd::Json withError = rwd::Json::array(
      {{{"Id", "c4ca4238a0b92382"},
        {"Type", "STEP"},
        {"Status", "FAILED"},
        {"StepDetails", {{"Error", {{"ErrorType", "E"}, {"ErrorMessage", "m"}}}}}}});
  EXPECT_EQ(rwd::operationsFromJson(withError).at(0).stepDetails->error->errorType, "E");
}

// ---- numbers Rewind did not write: never converted out of range ------------------------

// The message of what reading `ops` throws ("accepted" when it reads them).
std::string readError(const rwd::Json& ops, rwd::JsonForm form = rwd::JsonForm::Document) {
  try {
    rwd::operationsFromJson(ops, form);
    return "accepted";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

rwd::Json stepRecord(rwd::Json extra) {
  rwd::Json op{{"Id", "c4ca4238a0b92382"}, {"Type", "STEP"}, {"Status", "SUCCEEDED"}};
  op.update(extra);
  return rwd::Json::array({op});
}

TEST(RecordNumbersTest, AnAttemptThatIsNoWholeNumberInRangeIsRejectedNamingIt) {
  // 2e118 is what a fuzzer found: converting it to int was undefined behaviour.
  for (const char* attempt : {"2e118", "-1", "1.5", "\"2\"", "4294967296", "18446744073709551615"}) {
    rwd::Json ops = stepRecord({{"StepDetails", {{"Attempt", rwd::Json::parse(attempt)}}}});
    EXPECT_THAT(readError(ops), HasSubstr("[rewind.history.bad_number] Operations[0].StepDetails.Attempt")) << attempt;
  }
  EXPECT_EQ(rwd::operationsFromJson(stepRecord({{"StepDetails", {{"Attempt", 3.0}}}})).at(0).stepDetails->attempt, 3);
  EXPECT_EQ(rwd::operationsFromJson(stepRecord({{"StepDetails", rwd::Json::object()}})).at(0).stepDetails->attempt, 1);
}

TEST(RecordNumbersTest, TimestampsOutsideTheYears1To9999AreRejected) {
  for (const char* t : {"1e300", "-1e300", "253402300800000", "1.5"}) {
    EXPECT_THAT(readError(stepRecord({{"StartTimestamp", rwd::Json::parse(t)}})),
                HasSubstr("[rewind.history.bad_timestamp] Operations[0].StartTimestamp"))
        << t;
  }
  // The wire form's epoch seconds: the same bounds, and NaN-free by JSON itself.
  EXPECT_THAT(readError(stepRecord({{"StartTimestamp", 1e300}}), rwd::JsonForm::Wire),
              HasSubstr("[rewind.history.bad_timestamp]"));
  EXPECT_EQ(readError(stepRecord({{"StartTimestamp", 1735689600.25}}), rwd::JsonForm::Wire), "accepted");
  for (const char* text : {"99999-01-01T00:00:00.000Z", "2147483647-01-01T00:00:00Z", "2025-13-01T00:00:00Z",
                           "2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T00:00:00+01:00",
                           "2025-01-01T00:00:00.Z", "0000-01-01T00:00:00Z"}) {
    EXPECT_THAT(readError(stepRecord({{"StartTimestamp", text}})), HasSubstr("is not an ISO-8601 timestamp")) << text;
  }
}

TEST(RecordNumbersTest, AnIsoTimestampReadsItsFractionAsAFractionOfASecond) {
  auto at = [](const char* text) { return rwd::parseTimestamp(text)->time_since_epoch().count(); };
  EXPECT_EQ(at("2025-01-01T00:00:00.5Z") - at("2025-01-01T00:00:00Z"), 500);
  EXPECT_EQ(at("2025-01-01T00:00:00.123456Z") - at("2025-01-01T00:00:00.000Z"), 123);
  EXPECT_EQ(at("9999-12-31T23:59:59.999Z"), rwd::kMaxTimestampMs);
  EXPECT_EQ(at("0001-01-01T00:00:00.000Z"), rwd::kMinTimestampMs);
  EXPECT_EQ(rwd::formatTimestamp(*rwd::parseTimestamp("2024-02-29T12:34:56.789Z")), "2024-02-29T12:34:56.789Z");
}

TEST(RecordNumbersTest, FlagsAndSubtypesOfTheWrongTypeAreInvalidArguments) {
  rwd::Json ctx{{"Id", "c4ca4238a0b92382"}, {"Type", "CONTEXT"}, {"Status", "SUCCEEDED"}};
  ctx["ContextDetails"] = {{"ReplayChildren", "yes"}};
  EXPECT_THAT(readError(rwd::Json::array({ctx})), HasSubstr("Operations[0].ReplayChildren is not true or false"));
  EXPECT_THAT(readError(stepRecord({{"SubType", 5}})), HasSubstr("Operations[0].SubType is not a subtype"));
  rwd::Json update{{"Id", "c4ca4238a0b92382"}, {"Type", "CONTEXT"}, {"Action", "SUCCEED"}};
  update["ContextOptions"] = {{"ReplayChildren", 1}};
  EXPECT_THROW(rwd::operationUpdateFromJson(update), std::invalid_argument);
  rwd::Json retry{{"Id", "c4ca4238a0b92382"}, {"Type", "STEP"}, {"Action", "RETRY"}};
  retry["StepOptions"] = {{"NextAttemptDelaySeconds", 18446744073709551615ULL}};
  EXPECT_THROW(rwd::operationUpdateFromJson(retry), std::invalid_argument);
}

TEST(RecordNumbersTest, WholeNumberInAcceptsWholeNumbersInRangeOnly) {
  using rwd::Json;
  using rwd::wholeNumberIn;
  EXPECT_EQ(wholeNumberIn(Json(5), 0, 10), 5);
  EXPECT_EQ(wholeNumberIn(Json(5.0), 0, 10), 5);
  EXPECT_EQ(wholeNumberIn(Json(-3), -5, 0), -3);
  EXPECT_EQ(wholeNumberIn(Json(std::numeric_limits<std::int64_t>::min()), std::numeric_limits<std::int64_t>::min(),
                          0),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(wholeNumberIn(Json(11), 0, 10), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json(5.5), 0, 10), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json(9223372036854775808.0), 0, std::numeric_limits<std::int64_t>::max()), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json(18446744073709551615ULL), 0, std::numeric_limits<std::int64_t>::max()), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json(std::numeric_limits<double>::infinity()), 0, 10), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json("5"), 0, 10), std::nullopt);
  EXPECT_EQ(wholeNumberIn(Json(true), 0, 10), std::nullopt);
}

TEST(RecordNumbersTest, ABatchResultItemIndexMustBeAWholeNumberOfZeroOrMore) {
  for (const char* index : {"-1", "1e300", "2.5", "\"1\""}) {
    rwd::Json batch = rwd::Json::parse(std::string(R"({"completionReason":"ALL_COMPLETED","all":[{"index":)") +
                                       index + R"(,"status":"SUCCEEDED","result":1}]})");
    EXPECT_THROW(batch.get<rwd::BatchResult<int>>(), std::exception) << index;
  }
  rwd::Json ok = rwd::Json::parse(R"({"completionReason":"ALL_COMPLETED","all":[{"index":2.0,"status":"SUCCEEDED","result":1}]})");
  EXPECT_EQ(ok.get<rwd::BatchResult<int>>().all.at(0).index, 2u);
}

// ---- point 6: durations are range-checked, never overflow ----------------------------

TEST(DurationLimitTest, AWaitBeyondTheServiceLimitIsAValidationError) {
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                ctx.wait("forever", rwd::Duration::max());
                return 0;
              }),
              HasSubstr("[rewind.wait.duration]"));
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                ctx.wait("too-long", rwd::Duration{31622401});
                return 0;
              }),
              HasSubstr("too-long"));
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                ctx.waitUntil("end-of-time", rwd::TimePoint::max());
                return 0;
              }),
              HasSubstr("[rewind.wait.duration]"));
}

TEST(DurationLimitTest, TheLongestWaitAndAPastWaitUntilAreFine) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    ctx.wait("year", rwd::Duration{31622400});
    ctx.waitUntil("past", rwd::TimePoint::min());
    return 1;
  });
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + rwd::Duration{31622400 + 1});
}

TEST(DurationLimitTest, ACallbackTimeoutBeyondTheLimitIsAValidationError) {
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                return ctx.createCallback("cb", {.timeout = rwd::Duration::max()}).result();
              }),
              HasSubstr("[rewind.callback.timeout]"));
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                return ctx.waitForCallback("cb", [](const std::string&) {}, {.heartbeatTimeout = rwd::Duration::max()});
              }),
              HasSubstr("[rewind.callback.timeout]"));
}

TEST(DurationLimitTest, ARetryDelayBeyondTheLimitIsAValidationErrorNamingTheStep) {
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                return ctx.step(
                    "flaky", []() -> int { throw std::runtime_error("no"); },
                    {.retryStrategy = [](const rwd::ErrorInfo&, int) {
                       return rwd::RetryDecision{true, rwd::Duration::max()};
                     }});
              }),
              AllOf(HasSubstr("[rewind.step.delay]"), HasSubstr("'flaky'")));
}

TEST(DurationLimitTest, TheCheckpointRejectsOutOfRangeDurations) {
  using A = rwd::OperationAction;
  using T = rwd::OperationType;
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  auto w = update(T::Wait, A::Start, "1");
  EXPECT_EQ(rejection(store, w), "rewind.checkpoint.bad_duration");  // no WaitSeconds
  w.waitSeconds = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(rejection(store, w), "rewind.checkpoint.bad_duration");
  w.waitSeconds = 0;
  EXPECT_EQ(rejection(store, w), "rewind.checkpoint.bad_duration");
  auto cb = update(T::Callback, A::Start, "2");
  cb.callbackTimeoutSeconds = -1;
  EXPECT_EQ(rejection(store, cb), "rewind.checkpoint.bad_duration");
  cb.callbackTimeoutSeconds = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(rejection(store, cb), "rewind.checkpoint.bad_duration");
  ASSERT_EQ(rejection(store, update(T::Step, A::Start, "3")), "accepted");
  auto retry = update(T::Step, A::Retry, "3");
  retry.error = rwd::ErrorObject{"E", "m", std::nullopt, std::nullopt};
  retry.nextAttemptDelaySeconds = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(rejection(store, retry), "rewind.checkpoint.bad_duration");
}

TEST(DurationLimitTest, ACallbackTimeoutOfZeroMeansNoTimeout) {
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  auto cb = update(rwd::OperationType::Callback, rwd::OperationAction::Start, "1");
  cb.callbackTimeoutSeconds = 0;
  cb.callbackHeartbeatTimeoutSeconds = 0;
  ASSERT_EQ(rejection(store, cb), "accepted");
  EXPECT_FALSE(store.nextTimerAt().has_value());
}

// ---- point 11: callback answers that cannot apply are errors -------------------------

std::string refusal(const std::function<void()>& send) {
  try {
    send();
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    return what.substr(0, what.find(']') + 1);
  }
  return "accepted";
}

TEST(CallbackAnswerTest, AnswersThatCannotApplyAreErrors) {
  rwd::RunnerOptions options;
  options.skipTime = false;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        ctx.step("work", [] { return 1; });
        auto a = ctx.createCallback("a");
        auto b = ctx.createCallback("b", {.timeout = 10s});
        std::string first = a.result();
        ctx.wait("nap", 60s);
        return first + b.result();
      },
      options);
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::Running);
  EXPECT_EQ(refusal([&] { runner.getOperation("work").sendCallbackSuccess("1"); }), "[rewind.callback.not_a_callback]");
  EXPECT_EQ(refusal([&] { runner.getOperation("a").sendCallbackSuccess("\"x\""); }), "accepted");
  EXPECT_EQ(refusal([&] { runner.getOperation("a").sendCallbackSuccess("\"y\""); }), "[rewind.callback.closed]");
  EXPECT_EQ(refusal([&] { runner.getOperation("a").sendCallbackHeartbeat(); }), "[rewind.callback.closed]");
  runner.advanceTime(20s);  // b times out
  EXPECT_EQ(runner.getOperation("b").getStatus(), rwd::OperationStatus::TimedOut);
  EXPECT_EQ(refusal([&] { runner.getOperation("b").sendCallbackSuccess("1"); }), "[rewind.callback.closed]");
  EXPECT_EQ(refusal([&] { runner.getOperation("b").sendCallbackHeartbeat(); }), "[rewind.callback.closed]");
  runner.advanceTime(60s);
  ASSERT_EQ(runner.getStatus(), ExecutionStatus::Failed);  // b's timeout failed the handler
  EXPECT_EQ(refusal([&] { runner.getOperation("b").sendCallbackFailure({"E", "m", std::nullopt, std::nullopt}); }),
            "[rewind.callback.execution_ended]");
}

// ---- point 14: the manual clock skips dead timers ------------------------------------

TEST(ManualClockTest, AnAnsweredCallbacksTimersDoNotStopTheClock) {
  rwd::RunnerOptions options;
  options.skipTime = false;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        std::string v = ctx.waitForCallback("approve", [](const std::string&) {},
                                            {.timeout = 5s, .heartbeatTimeout = 3s});
        ctx.wait("later", 60s);
        return v;
      },
      options);
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::Running);
  runner.getOperation("approve").sendCallbackSuccess("\"yes\"");
  // The callback's timeout (5 s) and heartbeat timeout (3 s) are dead now.
  ASSERT_TRUE(runner.nextTimer().has_value());
  EXPECT_EQ(*runner.nextTimer(), rwd::kDefaultEpoch + 60s);
  EXPECT_EQ(runner.advanceToNextTimer().getStatus(), ExecutionStatus::Succeeded);
  EXPECT_FALSE(runner.nextTimer().has_value());
}

// ---- point 15: messages and events name what they are about --------------------------

TEST(BlockedReasonTest, NamesAWaitForCallbackByItsName) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.waitForCallback("approve", [](const std::string&) {});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Running);
  EXPECT_THAT(r.getBlockedReason(), HasSubstr("waitForCallback 'approve'"));
  EXPECT_THAT(r.getBlockedReason(), Not(HasSubstr(rwd::operationIdFor("1-1"))));
}

TEST(InvocationCompletedTest, AFailedInvocationsEventCarriesItsError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext&) -> int {
    throw rwd::Error("orders::Rejected", "no stock");
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  ASSERT_TRUE(r.getInvocations().back().error.has_value());
  for (const auto& ev : r.historyJson())
    if (ev["EventType"] == "InvocationCompleted") {
      EXPECT_EQ(ev["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "orders::Rejected") << ev.dump();
    }
}

// ---- point 16: the in-house MD5 behind operation ids ---------------------------------

std::string hex(const std::array<std::uint8_t, 16>& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

TEST(Md5Test, MatchesTheRfc1321TestSuiteAcrossBlockBoundaries) {
  using rwd::internal::md5;
  EXPECT_EQ(hex(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");  // 62 bytes: the length spills into a second block
  EXPECT_EQ(hex(md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");  // 80 bytes: a full block first
  EXPECT_EQ(rwd::operationIdFor("3-2"), "b772d43b49bb57b5");
}

// ---- point 17: API gaps --------------------------------------------------------------

// A type with no JSON conversion at all.
struct Opaque {
  int v = 0;
};

TEST(ApiTest, ACustomSerdesNeedsNoJsonConversion) {
  rwd::Serdes<Opaque> serdes{[](const Opaque& o) { return rwd::Payload(std::to_string(o.v)); },
                             [](const rwd::Payload& p) { return Opaque{std::stoi(p.value_or("0"))}; }};
  rwd::LocalDurableTestRunner runner([serdes](const rwd::Json&, DurableContext& ctx) {
    Opaque o = ctx.step("opaque", [] { return Opaque{41}; }, {.serdes = serdes});
    return o.v + 1;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 42);
  EXPECT_EQ(runner.getOperation("opaque").getStepDetails().result, "41");
}

// Without any config this is a compile error (tests/package/compile_fail/missing_to_json.cpp);
// a config that could have carried a serdes but does not is caught at run time.
TEST(ApiTest, ATypeWithoutJsonAndWithoutASerdesIsAClearError) {
  EXPECT_THAT(executionError([](const rwd::Json&, DurableContext& ctx) {
                return ctx.step("opaque", [] { return Opaque{1}; }, rwd::StepConfig<Opaque>{}).v;
              }),
              AllOf(HasSubstr("[rewind.serdes.missing]"), HasSubstr("Opaque")));
}

TEST(ApiTest, InvokeWithoutAPayloadSendsNull) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    rwd::Json a = ctx.invoke("echo");
    rwd::Json b = ctx.invoke("named", "echo", rwd::noPayload);
    rwd::InvokeConfig<rwd::NoPayload, rwd::Json> config;
    config.tenantId = "tenant-7";
    rwd::Json c = ctx.invoke("echo", rwd::noPayload, config);  // unnamed, with a config
    return rwd::Json::array({a, b, c});
  });
  runner.registerFunction("echo", [](const rwd::Json& in) { return rwd::Json{{"got", in}}; });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded) << r.getError().value_or(rwd::ErrorObject{}).errorMessage;
  EXPECT_EQ(r.getResult(), rwd::Json::parse(R"([{"got":null},{"got":null},{"got":null}])"));
  EXPECT_TRUE(runner.getOperation("named").exists());
  const auto& ops = r.getOperations();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_FALSE(ops[2].name.has_value());
  ASSERT_TRUE(ops[2].chainedInvokeDetails);
  EXPECT_EQ(ops[2].chainedInvokeDetails->tenantId, "tenant-7");
}

TEST(ApiTest, ARawHandlerNeedsNoOptions) {
  rwd::LocalDurableTestRunner runner(
      rwd::RawHandler([](const rwd::Payload&, DurableContext&) -> rwd::Payload { return "7"; }));
  EXPECT_EQ(runner.run().getResult(), 7);
}

}  // namespace
