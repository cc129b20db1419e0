// Virtual clock, waits, callbacks (responders, timeouts, heartbeats, the test thread)
// and the checkpoint validation rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "execution_store.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::CallbackResponse;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::HistoryEventType;
using ::testing::HasSubstr;

const rwd::HistoryEvent* findEvent(const rwd::ExecutionResult& r, HistoryEventType t) {
  for (const auto& e : r.getHistoryEvents())
    if (e.type == t) return &e;
  return nullptr;
}

std::string waitAnHour(const rwd::Json&, DurableContext& ctx) {
  ctx.wait("long", 1h);
  return "woke";
}

TEST(ClockTest, SkipTimeFiresTimersAtOnceOnTheVirtualClock) {
  rwd::LocalDurableTestRunner runner(waitAnHour);
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 1h);
  const auto* ws = findEvent(r, HistoryEventType::WaitStarted);
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(rwd::toJson(*ws)["WaitStartedDetails"]["ScheduledEndTimestamp"], "2025-01-01T01:00:00.000Z");
  EXPECT_EQ(rwd::toJson(*findEvent(r, HistoryEventType::WaitSucceeded))["EventTimestamp"], "2025-01-01T01:00:00.000Z");
}

TEST(ClockTest, ManualModeWaitsForTheTestToAdvanceTime) {
  rwd::RunnerOptions o;
  o.skipTime = false;
  rwd::LocalDurableTestRunner runner(waitAnHour, o);
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::Running);
  EXPECT_EQ(runner.nextTimer(), rwd::kDefaultEpoch + 1h);
  EXPECT_EQ(runner.advanceTime(59min).getStatus(), ExecutionStatus::Running);
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 59min);
  EXPECT_EQ(runner.advanceTime(1min).getStatus(), ExecutionStatus::Succeeded);
}

TEST(ClockTest, AdvanceToNextTimerFiresExactlyTheEarliestTimer) {
  rwd::RunnerOptions o;
  o.skipTime = false;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        ctx.wait("a", 10s);
        ctx.wait("b", 20s);
        return 1;
      },
      o);
  runner.run();
  runner.advanceToNextTimer();
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 10s);
  EXPECT_EQ(runner.getStatus(), ExecutionStatus::Running);
  runner.advanceToNextTimer();
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 30s);
  EXPECT_EQ(runner.getStatus(), ExecutionStatus::Succeeded);
}

TEST(ClockTest, TwoRunnersNeverShareAClock) {
  rwd::RunnerOptions o;
  o.skipTime = false;
  rwd::LocalDurableTestRunner a(waitAnHour, o), b(waitAnHour, o);
  a.run();
  b.run();
  a.advanceTime(1h);
  EXPECT_EQ(a.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(b.getStatus(), ExecutionStatus::Running);
  EXPECT_EQ(b.now(), rwd::kDefaultEpoch);
}

TEST(WaitTest, WaitUntilRoundsUpToWholeSeconds) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    ctx.waitUntil("later", rwd::kDefaultEpoch + 1500ms);
    return 0;
  });
  const auto& r = runner.run();
  EXPECT_EQ(r.getOperations().at(0).waitDetails->durationSeconds, 2);
}

TEST(WaitTest, AZeroDurationIsAValidationError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    ctx.wait("now", 0s);
    return 0;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.wait.duration]"));
  EXPECT_TRUE(r.getOperations().empty());
}

std::string approval(const rwd::Json&, DurableContext& ctx) {
  try {
    return ctx.waitForCallback("agent-review", [](const std::string&) {}, {.timeout = 8h});
  } catch (const rwd::CallbackTimeoutError& e) {
    return "timed out: " + e.errorType();
  } catch (const rwd::CallbackError& e) {
    return "failed: " + e.errorType() + ": " + e.message();
  }
}

TEST(CallbackTest, ADeclarativeResponderAnswersAfterItsDelay) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.onCallback("agent-review", CallbackResponse::success("approved").after(2h));
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), "approved");
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 2h);
  const auto* started = findEvent(r, HistoryEventType::CallbackStarted);
  EXPECT_EQ(rwd::toJson(*started)["CallbackStartedDetails"]["Timeout"], 28800);
}

TEST(CallbackTest, ATimeoutTakesMillisecondsNotHours) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.onCallback("agent-review", CallbackResponse::never());
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), "timed out: Callback.Timeout");
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 8h);
}

TEST(CallbackTest, AFailureSurfacesAsCallbackErrorWithItsTypeAndMessage) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.onCallback("agent-review", CallbackResponse::failure({"RejectedError", "not approved", {}, {}}));
  EXPECT_EQ(runner.run().getResult(), "failed: RejectedError: not approved");
}

TEST(CallbackTest, HeartbeatsKeepACallbackAliveUntilTheyStop) {
  auto handler = [](const rwd::Json&, DurableContext& ctx) {
    auto cb = ctx.createCallback("job", {.heartbeatTimeout = 10s});
    return cb.result();
  };
  rwd::LocalDurableTestRunner runner(handler);
  runner.onCallback("job", CallbackResponse::heartbeat().after(8s));
  runner.onCallback("job", CallbackResponse::heartbeat().after(8s));
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "Callback.Heartbeat");
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 26s);  // last heartbeat at 16 s + 10 s
}

TEST(CallbackTest, SeveralCallbacksCanBeOutstandingAndAwaitedInAnyOrder) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    auto a = ctx.createCallback("a");
    auto b = ctx.createCallback("b");
    std::string rb = b.result();
    std::string ra = a.result();
    return ra + rb;
  });
  runner.onCallback("a", CallbackResponse::success("A").after(5s));
  runner.onCallback("b", CallbackResponse::success("B").after(1s));
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), "AB");
}

TEST(CallbackTest, TypedResultsAreReadWithFromJson) {
  struct Decision {
    bool ok = false;
  };
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    auto j = ctx.createCallback<rwd::Json>("d").result();
    return j.at("ok").get<bool>();
  });
  runner.onCallback("d", CallbackResponse::successJson({{"ok", true}}));
  EXPECT_EQ(runner.run().getResult(), true);
}

TEST(CallbackTest, SubmitterFailuresSurfaceAsCallbackSubmitterError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) -> std::string {
    try {
      return ctx.waitForCallback("submit", [](const std::string&) { throw std::runtime_error("mail server down"); },
                                 {.retryStrategy = rwd::retryPresets::none()});
    } catch (const rwd::CallbackSubmitterError& e) {
      return e.message();
    }
  });
  EXPECT_EQ(runner.run().getResult(), "mail server down");
}

TEST(CallbackTest, TheTestThreadCanAnswerWhileTheExecutionRunsInTheBackground) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.start();
  auto op = runner.getOperation("agent-review");
  op.waitForData(rwd::OperationHandle::WaitingStatus::Submitted);
  EXPECT_FALSE(op.getCallbackDetails().callbackId.empty());
  op.sendCallbackSuccess("yes");
  const auto& r = runner.waitForResult();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), "yes");
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch);  // the clock did not move: the answer came first
}

TEST(CallbackTest, WaitingForAnOperationThatCanNeverAppearFailsFast) {
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) { return ctx.createCallback("only").result(); });
  runner.start();
  try {
    runner.getOperation("never-created").waitForData();
    FAIL() << "expected waitForData to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("[rewind.runner.blocked]"));
    EXPECT_THAT(e.what(), HasSubstr("'only'"));
  }
  runner.getOperation("only").sendCallbackSuccess("x");
  EXPECT_EQ(runner.waitForResult().getStatus(), ExecutionStatus::Succeeded);
}

TEST(CallbackTest, AnUnansweredCallbackLeavesRunRunningWithTheReason) {
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) { return ctx.createCallback("pending").result(); });
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Running);
  EXPECT_THAT(r.getBlockedReason(), HasSubstr("'pending'"));
  runner.getOperation("pending").sendCallbackSuccess("late");
  EXPECT_EQ(runner.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(runner.getResult(), "late");
}

TEST(RunnerTest, ResetForgetsTheExecutionAndKeepsRegistrations) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.onCallback("agent-review", CallbackResponse::success("one"));
  EXPECT_EQ(runner.run().getResult(), "one");
  runner.reset();
  EXPECT_TRUE(runner.getOperations().empty());
  EXPECT_EQ(runner.run().getResult(), "one");  // the responder is consumable again
}

TEST(RunnerTest, OperationLookupsByIndexNameAndId) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    ctx.step("a", [] { return 1; });
    ctx.step("a", [] { return 2; });
    ctx.step("b", [] { return 3; });
    return 0;
  });
  runner.run();
  EXPECT_EQ(runner.getOperationByIndex(2).getName(), "b");
  EXPECT_EQ(runner.getOperationByNameAndIndex("a", 1).getStepDetails().result, "2");
  EXPECT_EQ(runner.getOperationById("c4ca4238a0b92382").getStepDetails().result, "1");
  EXPECT_EQ(runner.getOperationById("3").getName(), "b");
  EXPECT_THROW(runner.getOperation("zzz").getStatus(), std::runtime_error);
  EXPECT_THROW(runner.getOperation("a").getWaitDetails(), std::runtime_error);
}

TEST(RunnerTest, ExecutionTimeoutEndsTheExecutionTimedOut) {
  rwd::RunnerOptions o;
  o.executionTimeout = 30min;
  rwd::LocalDurableTestRunner runner(waitAnHour, o);
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::TimedOut);
}

TEST(RunnerTest, ACrashLoopEndsAfterMaxInvocations) {
  rwd::RunnerOptions o;
  o.maxInvocations = 5;
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        return ctx.step("crash", [](rwd::StepContext&) -> int { rwd::testing::simulateProcessCrash(); });
      },
      o);
  const auto& r = runner.run();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getInvocations().size(), 5u);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.runner.too_many_invocations]"));
}

TEST(RunnerTest, PrintShowsATimelineTree) {
  rwd::LocalDurableTestRunner runner(approval);
  runner.onCallback("agent-review", CallbackResponse::success("ok").after(1h));
  std::ostringstream out;
  runner.run().print(out);
  EXPECT_THAT(out.str(), HasSubstr("execution SUCCEEDED"));
  EXPECT_THAT(out.str(), HasSubstr("agent-review CONTEXT/WaitForCallback SUCCEEDED @+0s took=1h"));
  EXPECT_THAT(out.str(), HasSubstr("└─ #1-2 STEP/Step SUCCEEDED"));
}

TEST(RunnerTest, ToJsonKeepsAResultNlohmannCannotHoldAsText) {
  // "1e400" is a JSON number beyond a double (nlohmann's parser throws out_of_range, not
  // parse_error); other text that is not JSON stays text too. Found by fuzz_invocation_response.
  for (const char* payload : {"1e400", "-1e400", "not json", "{\"a\":1e999}"}) {
    rwd::LocalDurableTestRunner runner(
        rwd::RawHandler([payload](const rwd::Payload&, rwd::DurableContext&) { return rwd::Payload(payload); }));
    const auto& r = runner.run();
    ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded) << payload;
    EXPECT_EQ(r.toJson()["Result"], rwd::Json(payload)) << payload;
  }
  rwd::LocalDurableTestRunner parsed(
      rwd::RawHandler([](const rwd::Payload&, rwd::DurableContext&) { return rwd::Payload("{\"a\":1}"); }));
  EXPECT_EQ(parsed.run().toJson()["Result"], rwd::Json({{"a", 1}}));
}

// ---- checkpoint validation ------------------------------------------------------

rwd::OperationUpdate update(rwd::OperationType t, rwd::OperationAction a, std::string stepId = "1") {
  rwd::OperationUpdate u;
  u.stepId = stepId;
  u.id = rwd::operationIdFor(stepId);
  u.type = t;
  u.subType = t == rwd::OperationType::Wait ? rwd::OperationSubType::Wait : rwd::OperationSubType::Step;
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

TEST(CheckpointValidationTest, RejectsWhatTheServiceRejects) {
  using A = rwd::OperationAction;
  using T = rwd::OperationType;
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  EXPECT_EQ(rejection(store, update(T::Step, A::Succeed)), "rewind.checkpoint.bad_transition");
  EXPECT_EQ(rejection(store, update(T::Wait, A::Succeed)), "rewind.checkpoint.bad_action");
  auto w = update(T::Wait, A::Start, "2");
  w.waitSeconds = 5;
  EXPECT_EQ(rejection(store, w), "accepted");
  EXPECT_EQ(rejection(store, w), "rewind.checkpoint.bad_transition");  // a second WAIT START
  EXPECT_EQ(rejection(store, update(T::Step, A::Start)), "accepted");
  auto fail = update(T::Step, A::Fail);
  fail.payload = "x";
  EXPECT_EQ(rejection(store, fail), "rewind.checkpoint.fail_with_payload");
  EXPECT_EQ(rejection(store, update(T::Step, A::Retry)), "rewind.checkpoint.retry_without_options");
  auto child = update(T::Step, A::Start, "1-1");
  child.parentId = rwd::operationIdFor("1");
  EXPECT_EQ(rejection(store, child), "rewind.checkpoint.parent_not_context");
  child.parentId = "ffffffffffffffff";
  EXPECT_EQ(rejection(store, child), "rewind.checkpoint.unknown_parent");
  auto named = update(T::Step, A::Start, "3");
  named.name = std::string(257, 'n');
  EXPECT_EQ(rejection(store, named), "rewind.checkpoint.bad_name");
  named.name = "";
  EXPECT_EQ(rejection(store, named), "rewind.checkpoint.bad_name");
  auto badId = update(T::Step, A::Start);
  badId.id = "has space";
  EXPECT_EQ(rejection(store, badId), "rewind.checkpoint.bad_id");
  auto ok = update(T::Step, A::Succeed);
  ok.payload = "1";
  EXPECT_EQ(rejection(store, ok), "accepted");
  EXPECT_EQ(rejection(store, ok), "rewind.checkpoint.bad_transition");  // already SUCCEEDED
}

// validateCheckpoint's verdict on one batch: "accepted" or the rejection's code.
std::string batchVerdict(const rwd::internal::ExecutionStore& store, const std::vector<rwd::OperationUpdate>& batch) {
  try {
    rwd::internal::validateCheckpoint(batch, store);
  } catch (const rwd::InvalidCheckpointError& e) {
    return e.code();
  }
  return "accepted";
}

TEST(CheckpointValidationTest, RejectsBatchesThatBreakTheCallRules) {
  using A = rwd::OperationAction;
  using T = rwd::OperationType;
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  auto code = [&](const std::vector<rwd::OperationUpdate>& batch) { return batchVerdict(store, batch); };
  auto exec = update(T::Execution, A::Succeed, "execution");
  EXPECT_EQ(code({exec, update(T::Step, A::Start)}), "rewind.checkpoint.execution_not_last");
  EXPECT_EQ(code({update(T::Step, A::Start), update(T::Step, A::Start)}), "rewind.checkpoint.duplicate_id");
  std::vector<rwd::OperationUpdate> many;
  for (int i = 0; i < 251; ++i) many.push_back(update(T::Step, A::Start, std::to_string(i + 1)));
  EXPECT_EQ(code(many), "rewind.checkpoint.too_many_updates");
  EXPECT_EQ(code({update(T::Step, A::Start), exec}), "accepted");
}

// A START and the end of the same STEP or CONTEXT in one call, and a CONTEXT started with its
// children, are what other SDKs send (the AWS JS SDK batches so); other repeats are not.
TEST(CheckpointValidationTest, AnOperationMayBeStartedAndEndedInOneCheckpoint) {
  using A = rwd::OperationAction;
  using T = rwd::OperationType;
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn");
  auto code = [&](const std::vector<rwd::OperationUpdate>& batch) { return batchVerdict(store, batch); };
  auto succeed = update(T::Step, A::Succeed);
  succeed.payload = "1";
  auto retry = update(T::Step, A::Retry);
  retry.nextAttemptDelaySeconds = 2;
  auto context = update(T::Context, A::Start, "2");
  context.subType = rwd::OperationSubType::RunInChildContext;
  auto child = update(T::Step, A::Start, "2-1");
  child.parentId = context.id;
  auto contextDone = update(T::Context, A::Succeed, "2");
  contextDone.subType = rwd::OperationSubType::RunInChildContext;
  EXPECT_EQ(code({update(T::Step, A::Start), succeed}), "accepted");
  EXPECT_EQ(code({update(T::Step, A::Start), retry}), "accepted");
  EXPECT_EQ(code({update(T::Step, A::Start), update(T::Step, A::Fail)}), "rewind.checkpoint.fail_without_error");
  EXPECT_EQ(code({context, child, contextDone}), "accepted");
  EXPECT_EQ(code({update(T::Step, A::Start), succeed, succeed}), "rewind.checkpoint.duplicate_id");
  EXPECT_EQ(code({succeed, update(T::Step, A::Start)}), "rewind.checkpoint.bad_transition");
  auto waitStart = update(T::Wait, A::Start);
  waitStart.waitSeconds = 5;
  EXPECT_EQ(code({waitStart, update(T::Wait, A::Cancel)}), "rewind.checkpoint.duplicate_id");
  auto stepParent = update(T::Step, A::Start, "3");
  auto underStep = update(T::Step, A::Start, "3-1");
  underStep.parentId = stepParent.id;
  EXPECT_EQ(code({stepParent, underStep}), "rewind.checkpoint.parent_not_context");
  auto asContext = update(T::Context, A::Succeed);
  EXPECT_EQ(code({update(T::Step, A::Start), asContext}), "rewind.checkpoint.type_changed");
  // Applied one by one after validation, the batch leaves the records it describes.
  for (const auto& u : {context, child, contextDone}) store.apply(u);
  EXPECT_EQ(store.find(context.id)->status, rwd::OperationStatus::Succeeded);
  EXPECT_EQ(store.find(child.id)->status, rwd::OperationStatus::Started);
}

}  // namespace
