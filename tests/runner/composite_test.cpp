// Composite operations: child contexts, parallel, map, invoke, waitForCondition and
// rollback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::BatchItemStatus;
using rwd::CompletionReason;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::StepContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const rwd::Operation* opNamed(const rwd::ExecutionResult& r, const std::string& name) {
  for (const auto& op : r.getOperations())
    if (op.name == name) return &op;
  return nullptr;
}

// ---- child contexts -----------------------------------------------------------------

TEST(ChildContextTest, HasItsOwnIdSpaceAndCheckpointsItsResult) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    ctx.step("first", [] { return 0; });
    return ctx.runInChildContext("child", [](DurableContext& c) {
      int a = c.step("a", [] { return 1; });
      int b = c.step("b", [] { return 2; });
      return a + b;
    });
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 3);
  const auto* child = opNamed(r, "child");
  const auto* b = opNamed(r, "b");
  EXPECT_EQ(child->stepId, "2");
  EXPECT_EQ(b->stepId, "2-2");
  EXPECT_EQ(b->id, rwd::operationIdFor("2-2"));
  EXPECT_EQ(b->parentId, child->id);
  EXPECT_EQ(child->contextDetails->result, "3");
}

TEST(ChildContextTest, ACompletedChildReturnsFromTheLogWithoutRunningItsBody) {
  int bodies = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    int v = ctx.runInChildContext("child", [&](DurableContext& c) {
      ++bodies;
      return c.step("s", [] { return 5; });
    });
    ctx.wait("w", 1s);
    return v;
  });
  EXPECT_EQ(runner.run().getResult(), 5);
  EXPECT_EQ(bodies, 1);
}

TEST(ChildContextTest, AFailureSurfacesAsChildContextErrorKeepingTheInnerType) {
  std::vector<std::string> seen;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    try {
      ctx.runInChildContext("child", [](DurableContext& c) {
        return c.step("s", [](StepContext&) -> int { throw rwd::Error("inv::OutOfStock", "none left"); },
                      {.retryStrategy = rwd::retryPresets::none()});
      });
    } catch (const rwd::ChildContextError& e) {
      seen.push_back(e.errorType() + ": " + e.message());
    }
    ctx.wait("w", 1s);
    return 0;
  });
  EXPECT_EQ(runner.run().getStatus(), ExecutionStatus::Succeeded);
  EXPECT_THAT(seen, ElementsAre("inv::OutOfStock: none left", "inv::OutOfStock: none left"));
}

TEST(ChildContextTest, LargeResultsAreRebuiltFromTheChildrenOnReplay) {
  int bodies = 0, stepRuns = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    std::string big = ctx.runInChildContext("big", [&](DurableContext& c) {
      ++bodies;
      std::string part = c.step("part", [&] {
        ++stepRuns;
        return std::string(1000, 'x');
      });
      std::string out;
      for (int i = 0; i < 300; ++i) out += part;
      return out;
    });
    ctx.wait("w", 1s);
    return big.size();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 300000);
  const auto* big = opNamed(r, "big");
  EXPECT_TRUE(big->contextDetails->replayChildren);
  EXPECT_FALSE(big->contextDetails->result.has_value());
  EXPECT_EQ(bodies, 2);    // re-run over its children on replay
  EXPECT_EQ(stepRuns, 1);  // whose results come from the log
}

// ---- parallel / map -------------------------------------------------------------------

TEST(ParallelTest, ResultsComeInIndexOrderWhateverTheRunOrder) {
  struct Reverse final : rwd::BranchScheduler {
    std::size_t pick(const std::vector<std::size_t>& runnable) override {
      return *std::max_element(runnable.begin(), runnable.end());
    }
  };
  rwd::RunnerOptions o;
  o.scheduler = std::make_shared<Reverse>();
  std::vector<int> order;
  rwd::LocalDurableTestRunner runner(
      [&](const rwd::Json&, DurableContext& ctx) {
        std::vector<rwd::Branch<int>> branches;
        for (int i = 0; i < 4; ++i)
          branches.emplace_back([&order, i](DurableContext& c) {
            order.push_back(i);
            return c.step("b", [i] { return i * 10; });
          });
        return ctx.parallel("fan-out", branches).getResults();
      },
      o);
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), rwd::Json({0, 10, 20, 30}));
  EXPECT_THAT(order, ElementsAre(3, 2, 1, 0));
}

TEST(ParallelTest, MaxConcurrencyZeroIsAValidationErrorBeforeAnyCheckpoint) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.parallel<int>("bad", {[](DurableContext&) { return 1; }}, {.maxConcurrency = 0}).getResults();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("[rewind.batch.max_concurrency]"));
  EXPECT_TRUE(r.getOperations().empty());
}

TEST(ParallelTest, MinSuccessfulStopsEarlyAndUnstartedItemsCountNowhere) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    std::vector<rwd::Branch<int>> b(4, rwd::Branch<int>([](DurableContext&) { return 1; }));
    auto res = ctx.parallel("some", b, {.maxConcurrency = 1, .completionConfig = {.minSuccessful = 2}});
    return rwd::Json{{"reason", toString(res.completionReason)}, {"total", res.totalCount()},
                     {"ok", res.successCount()}};
  });
  const auto& r = runner.run();
  EXPECT_EQ(r.getResult(), rwd::Json({{"reason", "MIN_SUCCESSFUL_REACHED"}, {"total", 2}, {"ok", 2}}));
  int branches = 0;
  for (const auto& op : r.getOperations()) branches += op.subType == rwd::OperationSubType::ParallelBranch;
  EXPECT_EQ(branches, 2);
}

rwd::BatchResult<int> runWithFailures(DurableContext& ctx, std::vector<bool> fail, rwd::CompletionConfig cc) {
  std::vector<rwd::Branch<int>> b;
  for (std::size_t i = 0; i < fail.size(); ++i)
    b.emplace_back([f = fail[i], i](DurableContext&) -> int {
      if (f) throw std::runtime_error("branch " + std::to_string(i));
      return static_cast<int>(i);
    });
  return ctx.parallel("p", b, {.maxConcurrency = 1, .completionConfig = cc});
}

TEST(ParallelTest, CompletionConfigsDecideWhenTheBatchStops) {
  auto reason = [](std::vector<bool> fail, rwd::CompletionConfig cc) {
    rwd::LocalDurableTestRunner runner([=](const rwd::Json&, DurableContext& ctx) {
      auto r = runWithFailures(ctx, fail, cc);
      return rwd::Json{{"reason", toString(r.completionReason)}, {"failed", r.failureCount()},
                       {"total", r.totalCount()}, {"status", toString(r.status())}};
    });
    return runner.run().getResult();
  };
  // Default: fail fast.
  EXPECT_EQ(reason({false, true, false}, {}),
            rwd::Json({{"reason", "FAILURE_TOLERANCE_EXCEEDED"}, {"failed", 1}, {"total", 2}, {"status", "FAILED"}}));
  // Tolerate one failure: the second one exceeds it.
  EXPECT_EQ(reason({true, true, false}, {.toleratedFailureCount = 1})["reason"], "FAILURE_TOLERANCE_EXCEEDED");
  EXPECT_EQ(reason({true, false, false}, {.toleratedFailureCount = 1})["reason"], "ALL_COMPLETED");
  // 25 % of all four items: one failure is tolerated, two are not.
  EXPECT_EQ(reason({true, false, false, false}, {.toleratedFailurePercentage = 25})["reason"], "ALL_COMPLETED");
  EXPECT_EQ(reason({true, true, false, false}, {.toleratedFailurePercentage = 25})["total"], 2);
  // minSuccessful alone tolerates failures until it is reached or cannot be.
  EXPECT_EQ(reason({false, true, false}, {.minSuccessful = 3})["reason"], "ALL_COMPLETED");
}

TEST(ParallelTest, ThrowIfErrorRaisesTheFirstFailure) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) -> int {
    try {
      runWithFailures(ctx, {false, true}, {.toleratedFailureCount = 5}).throwIfError();
    } catch (const rwd::BatchCompletionError& e) {
      return e.message() == "branch 1" ? 1 : 0;
    }
    return -1;
  });
  EXPECT_EQ(runner.run().getResult(), 1);
}

TEST(ParallelTest, SuspendedBranchesResumeLaterWhileCompletedOnesAreNotRerun) {
  std::map<int, int> runs;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    std::vector<rwd::Branch<std::string>> b;
    b.emplace_back("fast", [&](DurableContext& c) {
      ++runs[0];
      return c.step("f", [] { return std::string("fast"); });
    });
    b.emplace_back("slow", [&](DurableContext& c) {
      ++runs[1];
      c.wait("nap", 10s);
      return std::string("slow");
    });
    b.emplace_back("waits-for-slot", [&](DurableContext&) {
      ++runs[2];
      return std::string("third");
    });
    return ctx.parallel("p", b, {.maxConcurrency = 2}).getResults();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), rwd::Json({"fast", "slow", "third"}));
  EXPECT_EQ(runs[0], 1);  // completed in invocation 1, never re-run
  EXPECT_EQ(runs[1], 2);  // suspended, replayed from its top
  EXPECT_EQ(runs[2], 1);
  EXPECT_EQ(r.getInvocations().size(), 2u);
}

TEST(ParallelTest, ASuspendedItemKeepsItsConcurrencySlot) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    std::vector<rwd::Branch<int>> b;
    b.emplace_back([](DurableContext& c) {
      c.wait("nap", 5s);
      return 0;
    });
    b.emplace_back([](DurableContext&) { return 1; });
    return ctx.parallel("p", b, {.maxConcurrency = 1}).getResults();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  // Item 1 could only start after item 0 finished, i.e. after the wait.
  const rwd::Operation* second = nullptr;
  for (const auto& op : r.getOperations())
    if (op.stepId == "1-2") second = &op;
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->startTimestamp, rwd::kDefaultEpoch + 5s);
}

TEST(MapTest, NamesItemsAndAppliesTheItemSerdes) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    std::vector<std::string> items{"x", "y"};
    rwd::Serdes<std::string> wrapped{[](const std::string& v) { return rwd::Payload("wrapped:" + v); },
                                     [](const rwd::Payload& p) { return p->substr(8); }};
    auto r = ctx.map(
        "upper", items,
        [](DurableContext&, const std::string& item, std::size_t, const std::vector<std::string>&) {
          return item + item;
        },
        {.itemNamer = [](const std::string& item, std::size_t i) { return item + "-" + std::to_string(i); },
         .itemSerdes = wrapped});
    return r.getResults();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), rwd::Json({"xx", "yy"}));
  const auto* item = opNamed(r, "y-1");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->subType, rwd::OperationSubType::MapIteration);
  EXPECT_EQ(item->contextDetails->result, "wrapped:yy");
}

// The batch's checkpointed JSON is written from the items' payloads without a Json tree;
// it must be byte for byte what to_json(BatchResult) writes, for every item shape.
TEST(MapTest, BatchJsonTextIsExactlyTheDefaultJsonOfTheBatchResult) {
  rwd::internal::RawBatch raw;
  raw.reason = CompletionReason::FailureToleranceExceeded;
  raw.items.push_back({0, BatchItemStatus::Succeeded, rwd::internal::jsonSerialize<std::string>("a \"q\" \\ é\n"),
                       std::nullopt});
  raw.items.push_back({1, BatchItemStatus::Failed, std::nullopt,
                       rwd::ErrorObject{"Boom", "it \"failed\"", std::string("{\"k\":1}"), std::vector<std::string>{"at x"}}});
  raw.items.push_back({2, BatchItemStatus::Started, std::nullopt, std::nullopt});
  raw.items.push_back({3, BatchItemStatus::Succeeded, rwd::internal::jsonSerialize<std::string>(""), std::nullopt});
  rwd::BatchResult<std::string> typed;
  typed.completionReason = raw.reason;
  typed.all.push_back({0, BatchItemStatus::Succeeded, std::string("a \"q\" \\ é\n"), std::nullopt});
  typed.all.push_back({1, BatchItemStatus::Failed, std::nullopt, raw.items[1].error});
  typed.all.push_back({2, BatchItemStatus::Started, std::nullopt, std::nullopt});
  typed.all.push_back({3, BatchItemStatus::Succeeded, std::string(), std::nullopt});
  EXPECT_EQ(rwd::internal::batchJsonText(raw), rwd::Json(typed).dump());

  rwd::internal::RawBatch ints;
  ints.items.push_back({0, BatchItemStatus::Succeeded, rwd::internal::jsonSerialize<int>(-42), std::nullopt});
  rwd::BatchResult<int> typedInts;
  typedInts.all.push_back({0, BatchItemStatus::Succeeded, -42, std::nullopt});
  EXPECT_EQ(rwd::internal::batchJsonText(ints), rwd::Json(typedInts).dump());

  rwd::internal::RawBatch missing;  // a succeeded item without a payload: the typed path
  missing.items.push_back({0, BatchItemStatus::Succeeded, std::nullopt, std::nullopt});
  EXPECT_EQ(rwd::internal::batchJsonText(missing), std::nullopt);
}

// A large batch's result is over the checkpoint's limit: only the text's size decides
// that, and it is counted without writing the text. The count must be the text's size
// for every item shape it counts (and say "no" where it would need the text).
TEST(MapTest, BatchJsonSizeIsTheSizeOfTheBatchJsonText) {
  rwd::internal::RawBatch raw;
  raw.reason = CompletionReason::MinSuccessfulReached;
  EXPECT_EQ(rwd::internal::batchJsonSize(raw), rwd::internal::batchJsonText(raw)->size());  // no item
  for (std::size_t index : {0, 7, 9, 10, 99, 100, 12345, 1000000}) {
    raw.items.push_back({index, BatchItemStatus::Succeeded, rwd::internal::jsonSerialize<int>(-42), std::nullopt});
    raw.items.push_back({index + 1, BatchItemStatus::Started, std::nullopt, std::nullopt});
    raw.items.push_back({index + 2, BatchItemStatus::Succeeded, rwd::internal::jsonSerialize<std::string>("a \"q\" é"),
                         std::nullopt});
  }
  for (CompletionReason reason : {CompletionReason::AllCompleted, CompletionReason::MinSuccessfulReached,
                                  CompletionReason::FailureToleranceExceeded}) {
    raw.reason = reason;
    EXPECT_EQ(rwd::internal::batchJsonSize(raw), rwd::internal::batchJsonText(raw)->size());
  }

  rwd::internal::RawBatch failed = raw;  // an error's JSON is only known by writing it
  failed.items.push_back({5, BatchItemStatus::Failed, std::nullopt, rwd::ErrorObject{"Boom", "no", {}, {}}});
  EXPECT_EQ(rwd::internal::batchJsonSize(failed), std::nullopt);
  rwd::internal::RawBatch missing;  // nor is the typed path's
  missing.items.push_back({0, BatchItemStatus::Succeeded, std::nullopt, std::nullopt});
  EXPECT_EQ(rwd::internal::batchJsonSize(missing), std::nullopt);
}

// A map whose result is over the limit checkpoints ReplayChildren and no result, returns
// its items' results live, and rebuilds the same result from its items on replay.
TEST(MapTest, AResultOverTheLimitIsRebuiltFromTheItemsOnReplay) {
  std::vector<int> items(9000);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int>(i);
  int itemRuns = 0;
  std::vector<std::vector<int>> seen;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
    auto r = ctx.map("big", items, [&](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
      return c.step("work", [&] {
        ++itemRuns;
        return item * 3;
      });
    });
    seen.push_back(r.getResults());
    ctx.wait("w", 1s);
    return r.successCount();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 9000);
  const auto* big = opNamed(r, "big");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->contextDetails->replayChildren);
  EXPECT_FALSE(big->contextDetails->result.has_value());
  ASSERT_EQ(seen.size(), 2U);  // the first run and the replay after the wait
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0].size(), 9000U);
  EXPECT_EQ(seen[0][8999], 8999 * 3);
  EXPECT_EQ(itemRuns, 9000);  // replayed items' steps come from the log
}

// The default serdes' shortcuts for integers and plain strings read and write what
// nlohmann does, and leave everything else (escapes, non-JSON integers) to it.
TEST(SerdesTest, IntegerAndStringShortcutsAgreeWithNlohmann) {
  for (long long v : {0LL, -1LL, 42LL, -9223372036854775807LL - 1, 9223372036854775807LL})
    EXPECT_EQ(rwd::internal::jsonSerialize<long long>(v), rwd::Json(v).dump());
  EXPECT_EQ(rwd::internal::jsonSerialize<unsigned>(4000000000u), "4000000000");
  EXPECT_EQ(rwd::internal::jsonDeserialize<int>(rwd::Payload("-17")), -17);
  EXPECT_EQ(rwd::internal::jsonDeserialize<int>(rwd::Payload(" 5 ")), 5);   // JSON whitespace
  EXPECT_EQ(rwd::internal::jsonDeserialize<int>(rwd::Payload("2.0")), 2);   // nlohmann converts
  EXPECT_THROW(rwd::internal::jsonDeserialize<int>(rwd::Payload("05")), rwd::Json::parse_error);
  EXPECT_THROW(rwd::internal::jsonDeserialize<int>(rwd::Payload("+5")), rwd::Json::parse_error);
  for (std::string v : {std::string("plain"), std::string(""), std::string("tab\there"), std::string("q\"uote"),
                        std::string("back\\slash"), std::string("caf\xc3\xa9")}) {
    EXPECT_EQ(rwd::internal::jsonSerialize<std::string>(v), rwd::Json(v).dump()) << v;
    EXPECT_EQ(rwd::internal::jsonDeserialize<std::string>(rwd::Json(v).dump()), v) << v;
  }
  EXPECT_EQ(rwd::internal::jsonDeserialize<std::string>(rwd::Payload("\"a\\u0041\"")), "aA");
}

// ---- invoke -----------------------------------------------------------------------------

TEST(InvokeTest, CallsAPlainFunctionAndADurableOne) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    auto a = ctx.invoke("plain", "double", rwd::Json(21));
    auto b = ctx.invoke("durable", "greeter", rwd::Json("bob"));
    return rwd::Json{a, b};
  });
  runner.registerFunction("double", [](const rwd::Json& in) { return in.get<int>() * 2; });
  runner.registerDurableFunction("greeter", [](const std::string& name, DurableContext& ctx) {
    ctx.wait("think", 1min);
    return ctx.step("greet", [&] { return "hi " + name; });
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), rwd::Json({42, "hi bob"}));
  EXPECT_EQ(r.getInvocations().size(), 3u);  // each chained invoke ends an invocation
}

TEST(InvokeTest, FailuresSurfaceAsInvokeError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) -> std::string {
    try {
      ctx.invoke("call", "missing", rwd::Json(nullptr));
    } catch (const rwd::InvokeError& e) {
      return e.errorType();
    }
    return "no error";
  });
  EXPECT_EQ(runner.run().getResult(), "ResourceNotFoundException");
}

// ---- waitForCondition -------------------------------------------------------------------

TEST(WaitForConditionTest, EachPollIsAnAttemptOfOneStep) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.waitForCondition<int>(
        "poll", [](const int& s, StepContext&) { return s + 1; },
        {.initialState = 0,
         .waitStrategy = rwd::createWaitStrategy<int>({.shouldContinuePolling = [](const int& s) { return s < 3; },
                                                       .initialDelay = 2s,
                                                       .backoffRate = 1.0,
                                                       .jitter = rwd::JitterStrategy::None})});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(r.getResult(), 3);
  ASSERT_EQ(r.getOperations().size(), 1u);
  EXPECT_EQ(r.getOperations()[0].stepDetails->attempt, 3);
  EXPECT_EQ(r.getInvocations().size(), 3u);
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + 4s);
}

TEST(WaitForConditionTest, RunningOutOfAttemptsThrowsWaitForConditionError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) -> std::string {
    try {
      ctx.waitForCondition<int>(
          "poll", [](const int& s, StepContext&) { return s; },
          {.waitStrategy = rwd::createWaitStrategy<int>(
               {.shouldContinuePolling = [](const int&) { return true; }, .maxAttempts = 3})});
    } catch (const rwd::WaitForConditionError& e) {
      return e.message();
    }
    return "no error";
  });
  EXPECT_EQ(runner.run().getResult(), "waitForCondition exceeded 3 attempts");
}

// ---- rollback -----------------------------------------------------------------------------

struct SagaLog {
  std::vector<std::string> undone;
};

std::string saga(DurableContext& ctx, SagaLog& log, bool undoFails = false) {
  try {
    for (const char* name : {"reserve", "charge", "ship"}) {
      ctx.stepWithRollback<std::string>(
          name, {.run = [name](StepContext&) { return std::string(name) + "-id"; },
                 .undo = [&log, undoFails, name](const rwd::ErrorInfo& e, const std::string& result, StepContext&) {
                   if (undoFails && std::string(name) == "charge") throw std::runtime_error("refund failed");
                   log.undone.push_back(result + " after " + e.message);
                 }});
    }
    ctx.step("notify", [](StepContext&) -> int { throw std::runtime_error("mail down"); },
             {.retryStrategy = rwd::retryPresets::none()});
    return "ok";
  } catch (const rwd::StepError& e) {
    ctx.rollbackAll(e);
    throw;
  }
}

TEST(RollbackTest, UndoesRunInExactReverseOrderAndTheOriginalErrorFails) {
  SagaLog log;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) { return saga(ctx, log); });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorMessage, "mail down");
  EXPECT_THAT(log.undone, ElementsAre("ship-id after mail down", "charge-id after mail down",
                                      "reserve-id after mail down"));
  EXPECT_NE(opNamed(r, "rollback:charge"), nullptr);
}

TEST(RollbackTest, ACrashBetweenTwoUndosRunsEachUndoOnce) {
  SagaLog log;
  rwd::RunnerOptions o;
  bool crashed = false;
  o.checkpointInterceptor = [&](const rwd::OperationUpdate& u, std::size_t) {
    if (!crashed && u.name == "rollback:ship" && u.action == rwd::OperationAction::Succeed) {
      crashed = true;
      return rwd::CheckpointFate::PersistAndCrash;
    }
    return rwd::CheckpointFate::Persist;
  };
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) { return saga(ctx, log); }, o);
  const auto& r = runner.run();
  ASSERT_TRUE(crashed);
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getInvocations().size(), 2u);
  EXPECT_THAT(log.undone, ElementsAre("ship-id after mail down", "charge-id after mail down",
                                      "reserve-id after mail down"));
}

TEST(RollbackTest, AFailingUndoIsReportedAndTheOthersStillRun) {
  SagaLog log;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) { return saga(ctx, log, true); });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "RollbackError");
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("rollback:charge"));
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("refund failed"));
  EXPECT_EQ(r.getError()->errorData, "mail down");  // the original error is kept
  EXPECT_THAT(log.undone, ElementsAre("ship-id after mail down", "reserve-id after mail down"));
}

}  // namespace

namespace {

TEST(MapTest, FlatNestingKeepsPerItemIdSpacesWithoutItemContexts) {
  int runs = 0;
  rwd::LocalDurableTestRunner runner([&](const rwd::Json&, rwd::DurableContext& ctx) {
    std::vector<int> items{1, 2, 3};
    auto r = ctx.map(
        "flat", items,
        [&](rwd::DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
          ++runs;
          int v = c.step("double", [item] { return item * 2; });
          if (item == 2) c.wait("nap", std::chrono::seconds(5));
          return v;
        },
        {.nesting = rwd::Nesting::Flat});
    return r.getResults();
  });
  const auto& res = runner.run();
  ASSERT_EQ(res.getStatus(), rwd::ExecutionStatus::Succeeded);
  EXPECT_EQ(res.getResult(), rwd::Json({2, 4, 6}));
  const rwd::Operation* batch = nullptr;
  for (const auto& op : res.getOperations()) {
    EXPECT_NE(op.subType, rwd::OperationSubType::MapIteration);
    if (op.name == "flat") batch = &op;
  }
  ASSERT_NE(batch, nullptr);
  for (const auto& op : res.getOperations()) {
    if (op.stepId == "1-3-1") {
      EXPECT_EQ(op.parentId, batch->id);  // item 3's step: its own id space, the batch as parent
    }
  }
  // FLAT items re-run from their top on the second invocation: items 1 and 3 end from
  // the log; item 2, whose wait completed since, is probed from the log and then runs.
  EXPECT_EQ(runs, 7);
}

TEST(WaitTest, WaitUntilComposesInsideChildrenAndBranches) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, rwd::DurableContext& ctx) {
    ctx.runInChildContext("child", [](rwd::DurableContext& c) { c.waitUntil("until-1", rwd::kDefaultEpoch + std::chrono::seconds(10)); });
    std::vector<rwd::Branch<int>> b;
    b.emplace_back([](rwd::DurableContext& c) {
      c.waitUntil("until-2", rwd::kDefaultEpoch + std::chrono::seconds(20));
      return 1;
    });
    return ctx.parallel("p", b).getResults();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), rwd::ExecutionStatus::Succeeded);
  EXPECT_EQ(runner.now(), rwd::kDefaultEpoch + std::chrono::seconds(20));
}

TEST(ParallelTest, BadCompletionConfigsAreValidationErrors) {
  auto error = [](rwd::CompletionConfig cc) {
    rwd::LocalDurableTestRunner runner([cc](const rwd::Json&, rwd::DurableContext& ctx) {
      return ctx.parallel<int>("p", {[](rwd::DurableContext&) { return 1; }}, {.completionConfig = cc}).getResults();
    });
    return runner.run().getError().value_or(rwd::ErrorObject{}).errorMessage;
  };
  EXPECT_THAT(error({.minSuccessful = 2}), HasSubstr("[rewind.batch.min_successful]"));
  EXPECT_THAT(error({.toleratedFailurePercentage = 150}), HasSubstr("[rewind.batch.tolerated_percentage]"));
}

}  // namespace
