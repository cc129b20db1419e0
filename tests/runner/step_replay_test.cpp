// Steps, retries, replay and non-determinism, driven through LocalDurableTestRunner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/replay.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::HistoryEventType;
using rwd::StepContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<HistoryEventType> eventTypes(const rwd::ExecutionResult& r) {
  std::vector<HistoryEventType> out;
  for (const auto& e : r.getHistoryEvents()) out.push_back(e.type);
  return out;
}

rwd::RetryStrategy fixedRetries(int maxAttempts, rwd::Duration delay = 1s) {
  return rwd::createRetryStrategy(
      {.maxAttempts = maxAttempts, .initialDelay = delay, .backoffRate = 1.0, .jitter = rwd::JitterStrategy::None});
}

TEST(OperationIdTest, IsTheFirstSixteenHexCharactersOfMd5OfTheStepId) {
  EXPECT_EQ(rwd::operationIdFor("1"), "c4ca4238a0b92382");
  EXPECT_EQ(rwd::operationIdFor("2"), "c81e728d9d4c2f63");
  EXPECT_EQ(rwd::operationIdFor("3-2"), "b772d43b49bb57b5");
}

TEST(StepTest, ReturnsTheBodysValueThroughTheSerdes) {
  rwd::LocalDurableTestRunner runner([](const std::string& name, DurableContext& ctx) {
    return ctx.step("greet", [&](StepContext&) { return "Hello, " + name + "!"; });
  });
  const auto& r = runner.run(std::string("ada"));
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), "Hello, ada!");
  EXPECT_THAT(eventTypes(r), ElementsAre(HistoryEventType::ExecutionStarted, HistoryEventType::StepStarted,
                                         HistoryEventType::StepSucceeded, HistoryEventType::InvocationCompleted,
                                         HistoryEventType::ExecutionSucceeded));
  const auto& op = r.getOperations().at(0);
  EXPECT_EQ(op.stepDetails->result, "\"Hello, ada!\"");
  EXPECT_EQ(op.name, "greet");
}

TEST(StepTest, CompletedStepsAreNotRunAgainOnReplay) {
  int loads = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    int v = ctx.step("load", [&] { return ++loads; });
    ctx.wait("pause", 5s);
    return v;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(r.getInvocations().size(), 2u);
  EXPECT_EQ(r.getResult(), 1);
}

TEST(StepTest, AnUnnamedOperationHasNoNameKey) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) { return ctx.step([] { return 1; }); });
  const auto& r = runner.run();
  rwd::Json ev = rwd::toJson(r.getHistoryEvents().at(1));
  EXPECT_FALSE(ev.contains("Name"));
  EXPECT_EQ(ev["Id"], "c4ca4238a0b92382");
}

TEST(StepTest, RetriesReportEachAttemptAndTheScheduledDelay) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step(
        "flaky",
        [](StepContext& sc) {
          if (sc.attempt() < 3) throw TransientError("attempt " + std::to_string(sc.attempt()));
          return sc.attempt();
        },
        {.retryStrategy = fixedRetries(5, 2s)});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 3);
  std::vector<rwd::Json> failed;
  for (const auto& e : r.getHistoryEvents())
    if (e.type == HistoryEventType::StepFailed) failed.push_back(rwd::toJson(e));
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0]["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"], 1);
  EXPECT_EQ(failed[0]["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"], 2);
  EXPECT_EQ(failed[1]["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"], 2);
  EXPECT_EQ(failed[0]["StepFailedDetails"]["Error"]["Payload"]["ErrorType"], "(anonymous namespace)::TransientError");
  EXPECT_EQ(r.getInvocations().size(), 3u);  // every retry delay suspends
  EXPECT_EQ(r.getOperations().at(0).stepDetails->attempt, 3);
}

// The SDK builds each update in place in the request it reuses for every checkpoint:
// nothing of one update (an error, a retry delay, a payload, a parent) may reach the next.
TEST(CheckpointTest, EachUpdateCarriesOnlyItsOwnFields) {
  std::vector<rwd::OperationUpdate> seen;
  rwd::RunnerOptions o;
  o.checkpointInterceptor = [&](const rwd::OperationUpdate& u, std::size_t) {
    seen.push_back(u);
    return rwd::CheckpointFate::Persist;
  };
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) {
        int first = ctx.step("flaky",
                             [](StepContext& sc) {
                               if (sc.attempt() < 2) throw TransientError("once");
                               return 1;
                             },
                             {.retryStrategy = fixedRetries(3, 2s)});
        auto items = ctx.map("items", std::vector<int>{0, 1},
                             [](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
                               return c.step("work",
                                             [item](StepContext&) {
                                               if (item == 1) throw TransientError("no");
                                               return item;
                                             },
                                             {.retryStrategy = rwd::retryPresets::none()});
                             },
                             {.completionConfig = {.toleratedFailureCount = 1}});
        return first + static_cast<int>(items.successCount());
      },
      o);
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  std::vector<std::string> steps;
  for (const rwd::OperationUpdate& u : seen) {
    steps.push_back(u.stepId + " " + std::string(rwd::toString(u.action)));
    SCOPED_TRACE(steps.back());
    bool carriesError = u.action == rwd::OperationAction::Retry || u.action == rwd::OperationAction::Fail;
    EXPECT_EQ(u.error.has_value(), carriesError);
    EXPECT_EQ(u.nextAttemptDelaySeconds.has_value(), u.action == rwd::OperationAction::Retry);
    if (u.action == rwd::OperationAction::Start || carriesError) {
      EXPECT_FALSE(u.payload);
    }
    EXPECT_FALSE(u.replayChildren);
    EXPECT_FALSE(u.waitSeconds || u.callbackTimeoutSeconds || u.functionName || u.tenantId);
    // Root operations have no parent; an item's is the map, an item's step's is the item.
    std::size_t dashes = static_cast<std::size_t>(std::count(u.stepId.begin(), u.stepId.end(), '-'));
    EXPECT_EQ(u.parentId.has_value(), dashes > 0);
    if (dashes > 0) {
      EXPECT_EQ(*u.parentId, rwd::operationIdFor(u.stepId.substr(0, u.stepId.rfind('-'))));
    }
    EXPECT_EQ(u.id, rwd::operationIdFor(u.stepId));
  }
  EXPECT_THAT(steps, ElementsAre("1 START", "1 RETRY", "1 START", "1 SUCCEED", "2 START", "2-1 START", "2-1-1 START",
                                 "2-1-1 SUCCEED", "2-1 SUCCEED", "2-2 START", "2-2-1 START", "2-2-1 FAIL", "2-2 FAIL",
                                 "2 SUCCEED"));
}

TEST(StepTest, ExhaustedRetriesFailWithTheThrownTypesName) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("always", [](StepContext&) -> int { throw TransientError("boom"); },
                    {.retryStrategy = fixedRetries(2)});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "(anonymous namespace)::TransientError");
  EXPECT_EQ(r.getError()->errorMessage, "boom");
}

TEST(StepTest, CaughtStepErrorsBehaveTheSameOnReplay) {
  std::vector<std::string> seen;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    std::string out;
    try {
      ctx.step("fails", [](StepContext&) -> int { throw rwd::Error("payments::Declined", "card declined", "{\"code\":7}"); },
               {.retryStrategy = rwd::retryPresets::none()});
    } catch (const rwd::StepError& e) {
      out = e.errorType() + "/" + e.message() + "/" + e.data().value_or("");
      seen.push_back(out);
    }
    ctx.wait("pause", 1s);
    return out;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_THAT(seen, ElementsAre("payments::Declined/card declined/{\"code\":7}",
                                "payments::Declined/card declined/{\"code\":7}"));
}

TEST(StepTest, DefaultRetryPresetMakesSixAttemptsWithJitterFromTheSeed) {
  auto run = [](std::uint64_t seed) {
    rwd::RunnerOptions o;
    o.seed = seed;
    rwd::LocalDurableTestRunner runner(
        [](const rwd::Json&, DurableContext& ctx) {
          return ctx.step("x", [](StepContext&) -> int { throw std::runtime_error("no"); });
        },
        o);
    std::vector<std::int64_t> delays;
    for (const auto& e : runner.run().getHistoryEvents())
      if (e.nextAttemptDelaySeconds) delays.push_back(*e.nextAttemptDelaySeconds);
    return delays;
  };
  auto a = run(1), b = run(1), c = run(99);
  EXPECT_EQ(a.size(), 5u);  // 6 attempts, 5 retries
  EXPECT_EQ(a, b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_GE(a[i], 1);
    EXPECT_LE(a[i], std::min<std::int64_t>(60, 5 << i));
  }
  EXPECT_NE(a, c);
}

TEST(StepTest, RetryableErrorFiltersStopRetriesOfOtherTypes) {
  auto strategy = rwd::createRetryStrategy({.maxAttempts = 5, .retryableErrorTypes = {"Transient"}});
  EXPECT_TRUE(strategy({"Transient", "x", {}, nullptr}, 1).shouldRetry);
  EXPECT_FALSE(strategy({"Permanent", "x", {}, nullptr}, 1).shouldRetry);
  EXPECT_FALSE(strategy({"Transient", "x", {}, nullptr}, 5).shouldRetry);
  auto d = rwd::createRetryStrategy({.maxAttempts = 9, .initialDelay = 5s, .maxDelay = 300s, .backoffRate = 2.0});
  EXPECT_EQ(d({"E", "", {}, nullptr}, 1).delay, 5s);
  EXPECT_EQ(d({"E", "", {}, nullptr}, 3).delay, 20s);
  EXPECT_EQ(d({"E", "", {}, nullptr}, 8).delay, 300s);
}

TEST(StepTest, AtMostOnceStepInterruptedByACrashFailsWithStepInterruptedError) {
  int runs = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    return ctx.step(
        "charge",
        [&](StepContext&) -> int {
          ++runs;
          rwd::testing::simulateProcessCrash();
        },
        {.retryStrategy = rwd::retryPresets::none(), .semantics = rwd::StepSemantics::AtMostOncePerRetry});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(r.getError()->errorType, "StepInterruptedError");
  EXPECT_THAT(eventTypes(r), ElementsAre(HistoryEventType::ExecutionStarted, HistoryEventType::StepStarted,
                                         HistoryEventType::InvocationCompleted, HistoryEventType::StepFailed,
                                         HistoryEventType::InvocationCompleted, HistoryEventType::ExecutionFailed));
  rwd::Json crashed = rwd::toJson(r.getHistoryEvents().at(2));
  EXPECT_EQ(crashed["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "Runtime.ExitError");
}

TEST(StepTest, AtLeastOnceStepLeftStartedRerunsWithoutANewStart) {
  int runs = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("work", [&](StepContext& sc) {
      if (++runs == 1) rwd::testing::simulateProcessCrash();
      return sc.attempt();
    });
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(r.getResult(), 1);
  EXPECT_THAT(eventTypes(r), ElementsAre(HistoryEventType::ExecutionStarted, HistoryEventType::StepStarted,
                                         HistoryEventType::InvocationCompleted, HistoryEventType::StepSucceeded,
                                         HistoryEventType::InvocationCompleted, HistoryEventType::ExecutionSucceeded));
}

TEST(StepTest, AStepResultOverTheLimitFailsNamingTheStep) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("huge", [] { return std::string(300 * 1024, 'x'); }, {.retryStrategy = rwd::retryPresets::none()});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("'huge'"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("262144"));
}

TEST(StepTest, AnErrorPayloadOverTheLimitIsAClearCheckpointError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("noisy", [](StepContext&) -> int { throw std::runtime_error(std::string(40000, 'e')); },
                    {.retryStrategy = rwd::retryPresets::none()});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "InvalidCheckpointError");
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.checkpoint.error_too_large]"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("'noisy'"));
}

TEST(StepTest, CustomSerdesOutputIsStoredVerbatimAndTheHandlerSeesTheRoundTrip) {
  rwd::Serdes<std::string> upper{[](const std::string& v) {
                                   std::string s = v;
                                   for (auto& c : s) c = static_cast<char>(std::toupper(c));
                                   return rwd::Payload("U:" + s);
                                 },
                                 [](const rwd::Payload& p) { return p->substr(2); }};
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("s", [] { return std::string("abc"); }, {.serdes = upper});
  });
  const auto& r = runner.run();
  EXPECT_EQ(r.getOperations().at(0).stepDetails->result, "U:ABC");
  EXPECT_EQ(r.getResult(), "ABC");
}

TEST(StepTest, ADurableOperationInsideAStepBodyFailsTheExecution) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("outer", [&] { return ctx.step("inner", [] { return 1; }); });
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.step.nested_operation]"));
}

TEST(ReplayTest, AChangedOperationNameIsNonDeterminism) {
  int invocation = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    ++invocation;
    ctx.step(invocation == 1 ? "charge-card" : "charge-wallet", [] { return 1; });
    ctx.wait("pause", 1s);
    return 0;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "NonDeterministicExecutionError");
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.replay.mismatch]"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("step 1"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("'charge-card'"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("'charge-wallet'"));
}

TEST(ReplayTest, AChangedOperationTypeIsNonDeterminism) {
  int invocation = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    if (++invocation == 1)
      ctx.wait("a", 1s);
    else
      ctx.step("a", [] { return 1; });
    return 0;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("WAIT/Wait 'a'"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("STEP/Step 'a'"));
}

TEST(ReplayTest, OperationsThatVanishFromTheEndOfTheLogAreReported) {
  int invocation = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    ctx.step("a", [] { return 1; });
    if (++invocation == 1) {
      ctx.step("b", [] { return 2; });
      ctx.wait("w", 1s);
    }
    return 0;
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.replay.vanished]"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("'b'"));
}

TEST(ReplayTest, SameHandlerAndInputGiveTheSameInvocationsAndHistory) {
  auto handler = [](const std::string& in, DurableContext& ctx) {
    auto a = ctx.step("a", [&] { return in + "!"; });
    ctx.wait("w", 30s);
    auto b = ctx.waitForCallback("cb", [](const std::string&) {});
    return a + b;
  };
  auto once = [&] {
    rwd::LocalDurableTestRunner runner(handler);
    runner.onCallback("cb", rwd::CallbackResponse::success("ok").after(10s));
    return runner.run(std::string("x")).historyJson().dump();
  };
  EXPECT_EQ(once(), once());
}

TEST(SuspensionTest, ACatchAllThatSwallowsASuspensionFailsTheExecution) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    try {
      ctx.wait("nap", 10s);
    } catch (...) {  // NOLINT: deliberately wrong
    }
    return std::string("done");
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.suspension.swallowed]"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("wait 'nap'"));
}

// The same in a map item: the item's code catches its own suspension, then returns or
// throws something else; the execution fails and the message says which item did what.
TEST(SuspensionTest, AMapItemThatSwallowsItsSuspensionFailsTheExecution) {
  for (bool rethrowsOther : {false, true}) {
    rwd::LocalDurableTestRunner runner([rethrowsOther](const rwd::Json&, DurableContext& ctx) {
      std::vector<int> items{0, 1};
      auto r = ctx.map("m", items, [rethrowsOther](DurableContext& c, const int& item, std::size_t,
                                                   const std::vector<int>&) {
        try {
          c.wait("nap", 10s);
        } catch (...) {  // NOLINT: deliberately wrong
          if (rethrowsOther) throw std::runtime_error("other");
        }
        return item;
      });
      return r.all.size();
    });
    const auto& r = runner.run();
    ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed) << rethrowsOther;
    EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.suspension.swallowed]"));
    EXPECT_THAT(r.getError()->errorMessage, HasSubstr("batch item"));
    EXPECT_THAT(r.getError()->errorMessage,
                HasSubstr(rethrowsOther ? "caught the suspension and threw something else"
                                        : "caught the suspension and returned normally"));
  }
}

TEST(SuspensionTest, DurableCallsAfterASwallowedSuspensionCheckpointNothing) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    try {
      ctx.wait("nap", 10s);
    } catch (...) {  // NOLINT: deliberately wrong
    }
    return ctx.step("after", [] { return 1; });
  });
  const auto& r = runner.run();
  // The step rethrows the suspension, so the invocation suspends; on replay the wait
  // has completed and the step runs exactly once.
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  int stepStarts = 0;
  for (const auto& e : r.getHistoryEvents()) stepStarts += e.type == HistoryEventType::StepStarted;
  EXPECT_EQ(stepStarts, 1);
}

TEST(LoggerTest, IsSilentWhileReplayingUnlessConfigured) {
  auto handler = [](const rwd::Json&, DurableContext& ctx) {
    ctx.logger().info("before wait");
    ctx.wait("w", 1s);
    ctx.logger().info("after wait");
    return 0;
  };
  rwd::LocalDurableTestRunner quiet(handler);
  const auto& a = quiet.run();
  ASSERT_EQ(a.getLogs().size(), 2u);
  EXPECT_EQ(a.getLogs()[0]["message"], "before wait");
  EXPECT_EQ(a.getLogs()[1]["message"], "after wait");
  EXPECT_EQ(a.getLogs()[0]["executionArn"], a.getExecutionArn());

  rwd::RunnerOptions o;
  o.handlerConfig.logDuringReplay = true;
  rwd::LocalDurableTestRunner loud(handler, o);
  EXPECT_EQ(loud.run().getLogs().size(), 3u);
}

TEST(EnvelopeTest, AThrownNonStdExceptionIsReportedWithItsTypeName) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext&) -> int { throw 42; });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "int");
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("not a std::exception"));
}

TEST(EnvelopeTest, AMalformedInputFailsTheExecutionClearly) {
  struct In {
    int n = 0;
  };
  rwd::LocalDurableTestRunner runner([](const rwd::Json& in, DurableContext&) { return in.at("n").get<int>(); });
  const auto& r = runner.runPayload("{\"m\": 1}");
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorType, HasSubstr("nlohmann"));
}

}  // namespace

namespace {

TEST(HistoryReplayTest, AnUnchangedHandlerReplaysItsOwnJsonLogWithoutDivergence) {
  auto handler = [](const std::string& in, rwd::DurableContext& ctx) {
    auto a = ctx.step("a", [&] { return in + "!"; });
    ctx.wait("w", std::chrono::seconds(30));
    auto b = ctx.runInChildContext("child", [](rwd::DurableContext& c) { return c.step("b", [] { return 2; }); });
    return a + std::to_string(b);
  };
  rwd::LocalDurableTestRunner runner(handler);
  const auto& r = runner.run(std::string("x"));
  ASSERT_EQ(r.getStatus(), rwd::ExecutionStatus::Succeeded);
  // Through JSON, as `rewind-run --json` writes it.
  std::vector<rwd::Operation> log = rwd::operationsFromJson(rwd::Json::parse(r.toJson().dump()));
  ASSERT_EQ(log.size(), r.getOperations().size());
  EXPECT_EQ(log[0].stepDetails->result, "\"x!\"");
  auto same = rwd::replayInvocation(rwd::makeHandler(handler), log, "\"x\"");
  EXPECT_FALSE(same.divergence.has_value()) << same.divergence->errorMessage;
  EXPECT_EQ(same.outcome, rwd::InvocationOutcome::Succeeded);
  EXPECT_EQ(same.result, "\"x!2\"");
  EXPECT_TRUE(same.newUpdates.empty());

  auto changed = rwd::replayInvocation(rwd::makeHandler([](const std::string&, rwd::DurableContext& ctx) {
                                         ctx.step("a", [] { return std::string("?"); });
                                         ctx.wait("renamed", std::chrono::seconds(30));
                                         return std::string();
                                       }),
                                       log, "\"x\"");
  ASSERT_TRUE(changed.divergence.has_value());
  EXPECT_THAT(changed.divergence->errorMessage, ::testing::HasSubstr("'renamed'"));
}

// A log whose child record has lost its parent (possible only by editing a history) is
// refused before anything runs, naming the record; before, replay re-started the parent and
// failed at its child's START with a bad_transition that named neither.
TEST(HistoryReplayTest, ALogWithAChildWithoutItsParentIsRefusedNamingTheChild) {
  auto handler = [](const std::string&, rwd::DurableContext& ctx) {
    return ctx.runInChildContext("child", [](rwd::DurableContext& c) { return c.step("b", [] { return 2; }); });
  };
  rwd::LocalDurableTestRunner runner(handler);
  const auto& r = runner.run(std::string("x"));
  ASSERT_EQ(r.getStatus(), rwd::ExecutionStatus::Succeeded);
  std::vector<rwd::Operation> log = r.getOperations();
  ASSERT_EQ(log.size(), 2u);
  ASSERT_TRUE(log[1].parentId.has_value());
  EXPECT_NO_THROW(rwd::validateLog(log));
  std::vector<rwd::Operation> orphan{log[1]};
  std::string message;
  try {
    rwd::replayInvocation(rwd::makeHandler(handler), orphan, "\"x\"");
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  EXPECT_THAT(message, ::testing::HasSubstr("[rewind.replay.bad_log]"));
  EXPECT_THAT(message, ::testing::HasSubstr(std::string(log[1].id.view())));
  EXPECT_THAT(message, ::testing::HasSubstr("no record"));
  // A parent that is not a CONTEXT, and an Id twice.
  std::vector<rwd::Operation> stepParent{log[1], log[1]};
  stepParent[0].id = *log[1].parentId;
  stepParent[0].parentId.reset();
  EXPECT_THROW(rwd::validateLog(stepParent), std::invalid_argument);
  EXPECT_THROW(rwd::validateLog({log[0], log[1], log[1]}), std::invalid_argument);
}

}  // namespace
