// Batches under any branch order: replay finds the started items wherever they are,
// never-run items count nowhere, and NESTED and FLAT give the same BatchResult.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "execution_store.hpp"
#include "invocation.hpp"
#include "local_service.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::BatchItemStatus;
using rwd::CompletionReason;
using rwd::DurableContext;
using rwd::ExecutionStatus;
using rwd::Nesting;

// Runs the runnable item with the highest priority first (priority[i] larger = sooner).
class PriorityScheduler final : public rwd::BranchScheduler {
 public:
  explicit PriorityScheduler(std::vector<int> priority) : priority_(std::move(priority)) {}
  std::size_t pick(const std::vector<std::size_t>& runnable) override {
    return *std::max_element(runnable.begin(), runnable.end(),
                             [&](std::size_t a, std::size_t b) { return priority_.at(a) < priority_.at(b); });
  }

 private:
  std::vector<int> priority_;
};

std::shared_ptr<rwd::BranchScheduler> reverseOrder(std::size_t n) {
  std::vector<int> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<int>(i);
  return std::make_shared<PriorityScheduler>(p);
}

// What a handler returns about its batch: the whole BatchResult and its counts.
template <class R>
rwd::Json describe(const rwd::BatchResult<R>& r) {
  rwd::Json j = r;
  j["successCount"] = r.successCount();
  j["failureCount"] = r.failureCount();
  j["startedCount"] = r.startedCount();
  j["totalCount"] = r.totalCount();
  j["status"] = toString(r.status());
  try {
    r.throwIfError();
    j["throwIfError"] = nullptr;
  } catch (const rwd::BatchCompletionError& e) {
    j["throwIfError"] = e.errorType() + ": " + e.message();
  }
  return j;
}

// ---- point 1: started items are not a prefix by index -------------------------------

rwd::Json crashOnceThenFail(Nesting nesting) {
  auto crashed = std::make_shared<std::set<std::string>>();
  rwd::RunnerOptions options;
  options.scheduler = reverseOrder(3);
  rwd::LocalDurableTestRunner runner(
      [crashed, nesting](const rwd::Json&, DurableContext& ctx) {
        std::vector<int> items{0, 1, 2};
        auto r = ctx.map("m", items,
                         [crashed](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
                           return c.step("work",
                                         [&, item]() -> int {
                                           if (crashed->insert(c.stepIdPrefix()).second)
                                             rwd::testing::simulateProcessCrash();
                                           throw rwd::Error("work::Broken", "item " + std::to_string(item) + " broke");
                                         },
                                         {.retryStrategy = rwd::retryPresets::none()});
                         },
                         {.completionConfig = {.toleratedFailureCount = 5}, .nesting = nesting});
        return describe(r);
      },
      options);
  const auto& res = runner.run();
  EXPECT_EQ(res.getStatus(), ExecutionStatus::Succeeded) << res.getError().value_or(rwd::ErrorObject{}).errorMessage;
  return res.getStatus() == ExecutionStatus::Succeeded ? res.getResult() : rwd::Json();
}

TEST(BatchOrderTest, ItemsStartedOutOfIndexOrderReplayFromTheirRecords) {
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    rwd::Json r = crashOnceThenFail(nesting);
    EXPECT_EQ(r.value("failureCount", -1), 3) << r.dump();
    EXPECT_EQ(r.value("totalCount", -1), 3) << r.dump();
    EXPECT_EQ(r.value("completionReason", ""), "ALL_COMPLETED") << r.dump();
  }
}

// ---- point 2: FLAT items admitted but never run count nowhere ------------------------

TEST(BatchOrderTest, FlatItemsAdmittedButNeverRunCountNowhere) {
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    rwd::LocalDurableTestRunner runner([nesting](const rwd::Json&, DurableContext& ctx) {
      std::vector<int> items{0, 1, 2, 3};
      auto r = ctx.map("m", items,
                       [](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
                         return c.step("v", [item] { return item; });
                       },
                       {.completionConfig = {.minSuccessful = 1}, .nesting = nesting});
      return describe(r);
    });
    const auto& res = runner.run();
    ASSERT_EQ(res.getStatus(), ExecutionStatus::Succeeded);
    EXPECT_EQ(res.getResult()["totalCount"], 1) << res.getResult().dump();
    EXPECT_EQ(res.getResult()["startedCount"], 0) << res.getResult().dump();
    EXPECT_EQ(res.getResult()["completionReason"], "MIN_SUCCESSFUL_REACHED");
  }
}

// ---- point 3: FLAT keeps the outcomes of earlier invocations -------------------------

TEST(BatchOrderTest, FlatKeepsAFailureFromAnEarlierInvocation) {
  rwd::Json results[2];
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    rwd::RunnerOptions options;
    options.scheduler = reverseOrder(2);
    rwd::LocalDurableTestRunner runner(
        [nesting](const rwd::Json&, DurableContext& ctx) {
          std::vector<int> items{0, 1};
          auto r = ctx.map("m", items,
                           [](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
                             if (item == 0)
                               return c.step("fails", []() -> int { throw rwd::Error("work::Broken", "no"); },
                                             {.retryStrategy = rwd::retryPresets::none()});
                             c.wait("nap", 2s);
                             return c.step("after-nap", [] { return 1; });
                           },
                           {.completionConfig = {.minSuccessful = 1, .toleratedFailureCount = 5}, .nesting = nesting});
          return describe(r);
        },
        options);
    const auto& res = runner.run();
    ASSERT_EQ(res.getStatus(), ExecutionStatus::Succeeded);
    results[nesting == Nesting::Flat] = res.getResult();
  }
  EXPECT_EQ(results[1]["failureCount"], 1) << results[1].dump();
  EXPECT_EQ(results[1]["status"], "FAILED") << results[1].dump();
  EXPECT_NE(results[1]["throwIfError"], nullptr);
  EXPECT_EQ(results[0], results[1]);
}

// ---- NESTED and FLAT agree, over random batches and branch orders --------------------

enum class Op { Step, StepFails, CrashOnce, Wait, RetryOnce, Callback };

struct ItemScript {
  std::vector<Op> ops;
  bool throwsAtEnd = false;
};

struct BatchCase {
  std::vector<ItemScript> items;
  std::optional<int> maxConcurrency;
  rwd::CompletionConfig completion;
  std::vector<int> priority;  // empty: the default index order
  bool parallel = false;
};

BatchCase randomCase(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  BatchCase c;
  int n = pick(1, 5);
  // Crashes only under the default order: see NestedAndFlatGiveTheSameBatchResult... below.
  const bool customOrder = pick(0, 2) != 0;
  for (int i = 0; i < n; ++i) {
    ItemScript s;
    int len = pick(1, 4);
    for (int k = 0; k < len; ++k) {
      // The first operation is a step: a FLAT item leaves a trace from its start.
      Op op = k == 0 ? (pick(0, 3) == 0 ? Op::CrashOnce : Op::Step) : static_cast<Op>(pick(0, 5));
      if (customOrder && op == Op::CrashOnce) op = Op::Step;
      s.ops.push_back(op);
    }
    s.throwsAtEnd = pick(0, 5) == 0;
    c.items.push_back(s);
  }
  if (pick(0, 2) != 0) c.maxConcurrency = pick(1, 3);
  switch (pick(0, 4)) {
    case 0:
      break;
    case 1:
      c.completion.minSuccessful = static_cast<std::size_t>(pick(1, n));
      break;
    case 2:
      c.completion.toleratedFailureCount = static_cast<std::size_t>(pick(0, 2));
      break;
    case 3:
      c.completion.toleratedFailurePercentage = pick(0, 4) * 25.0;
      break;
    default:
      c.completion.minSuccessful = static_cast<std::size_t>(pick(1, n));
      c.completion.toleratedFailureCount = static_cast<std::size_t>(pick(0, 3));
  }
  if (customOrder) {
    for (int i = 0; i < n; ++i) c.priority.push_back(i);
    std::shuffle(c.priority.begin(), c.priority.end(), rng);
  }
  c.parallel = pick(0, 1) == 1;
  return c;
}

std::string caseText(const BatchCase& bc) {
  static const char* kOps[] = {"step", "stepFails", "crashOnce", "wait", "retryOnce", "callback"};
  std::string out = bc.parallel ? "parallel" : "map";
  out += " maxConcurrency=" + (bc.maxConcurrency ? std::to_string(*bc.maxConcurrency) : std::string("-"));
  if (bc.completion.minSuccessful) out += " minSuccessful=" + std::to_string(*bc.completion.minSuccessful);
  if (bc.completion.toleratedFailureCount)
    out += " toleratedFailureCount=" + std::to_string(*bc.completion.toleratedFailureCount);
  if (bc.completion.toleratedFailurePercentage)
    out += " toleratedFailurePercentage=" + std::to_string(*bc.completion.toleratedFailurePercentage);
  out += " priority=[";
  for (int p : bc.priority) out += std::to_string(p) + " ";
  out += "]";
  for (std::size_t i = 0; i < bc.items.size(); ++i) {
    out += "\n  item " + std::to_string(i) + ":";
    for (Op op : bc.items[i].ops) out += std::string(" ") + kOps[static_cast<int>(op)];
    if (bc.items[i].throwsAtEnd) out += " throw";
  }
  return out;
}

int runItem(DurableContext& c, const ItemScript& s, std::size_t index, std::set<std::string>& crashed) {
  int sum = static_cast<int>(index) * 100;
  for (std::size_t k = 0; k < s.ops.size(); ++k) {
    std::string name = "op-" + std::to_string(k);
    int v = static_cast<int>(k) + 1;
    switch (s.ops[k]) {
      case Op::Step:
        sum += c.step(name, [v] { return v; });
        break;
      case Op::StepFails:
        sum += c.step(name,
                      [&]() -> int { throw rwd::Error("item::Failed", "item " + std::to_string(index) + " failed"); },
                      {.retryStrategy = rwd::retryPresets::none()});
        break;
      case Op::CrashOnce: {
        std::string key = c.stepIdPrefix() + "/" + name;
        sum += c.step(name, [&, key, v] {
          if (crashed.insert(key).second) rwd::testing::simulateProcessCrash();
          return v;
        });
        break;
      }
      case Op::Wait:
        c.wait(name, std::chrono::seconds(v));
        break;
      case Op::RetryOnce:
        sum += c.step(name,
                      [v](rwd::StepContext& sc) {
                        if (sc.attempt() == 1) throw rwd::Error("item::Flaky", "first attempt fails");
                        return v;
                      },
                      {.retryStrategy = [](const rwd::ErrorInfo&, int attempt) {
                        return rwd::RetryDecision{attempt < 2, std::chrono::seconds(1)};
                      }});
        break;
      case Op::Callback:
        sum += std::stoi(c.waitForCallback(name, [](const std::string&) {}));
        break;
    }
  }
  if (s.throwsAtEnd) throw rwd::Error("item::Thrown", "item " + std::to_string(index) + " threw");
  return sum;
}

rwd::Json runCase(const BatchCase& bc, Nesting nesting) {
  auto crashed = std::make_shared<std::set<std::string>>();
  rwd::RunnerOptions options;
  if (!bc.priority.empty()) options.scheduler = std::make_shared<PriorityScheduler>(bc.priority);
  rwd::LocalDurableTestRunner runner(
      [&bc, crashed, nesting](const rwd::Json&, DurableContext& ctx) {
        if (bc.parallel) {
          std::vector<rwd::Branch<int>> branches;
          for (std::size_t i = 0; i < bc.items.size(); ++i)
            branches.emplace_back(
                [&bc, crashed, i](DurableContext& c) { return runItem(c, bc.items[i], i, *crashed); });
          return describe(ctx.parallel(
              "batch", branches,
              {.maxConcurrency = bc.maxConcurrency, .completionConfig = bc.completion, .nesting = nesting}));
        }
        std::vector<int> items(bc.items.size());
        return describe(
            ctx.map("batch", items,
                    [&bc, crashed](DurableContext& c, const int&, std::size_t i, const std::vector<int>&) {
                      return runItem(c, bc.items[i], i, *crashed);
                    },
                    {.maxConcurrency = bc.maxConcurrency, .completionConfig = bc.completion, .nesting = nesting}));
      },
      options);
  // Callbacks are answered in creation order, one virtual second after their invocation.
  runner.onCallback("*", rwd::CallbackResponse::success("7").after(1s));
  for (int i = 0; i < 20; ++i) runner.onCallback("*", rwd::CallbackResponse::success("7").after(1s));
  const auto& res = runner.run();
  if (res.getStatus() != ExecutionStatus::Succeeded)
    return rwd::Json{{"status", toString(res.getStatus())},
                     {"error", res.getError().value_or(rwd::ErrorObject{}).errorMessage}};
  return res.getResult();
}

// Random batches of random items (steps, failing steps, retries, waits, callbacks,
// simulated crashes, throwing items) under random completion configs, concurrency
// limits and branch orders. FLAT keeps no per-item records, so after an invocation
// that crashed it cannot tell whether that invocation reached an item unblocked just
// before it; it treats such an item as runnable, which is what NESTED does under the
// default order. So crashes are combined with the default order only, and every other
// branch order runs crash-free.
// Found by tests/differential: a FLAT branch that throws before any durable operation
// leaves no trace; when a later branch waits and the batch completes early in the next
// invocation, its failure was lost (NESTED kept it in the branch's record). A branch below
// the highest traced one did run, so the replay probes it too.
TEST(BatchOrderTest, FlatKeepsTheOutcomeOfABranchWithoutDurableOperations) {
  rwd::Json results[2];
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    rwd::LocalDurableTestRunner runner([nesting](const rwd::Json&, DurableContext& ctx) {
      std::vector<rwd::Branch<int>> branches;
      branches.emplace_back("pure", [](DurableContext&) -> int { throw rwd::Error("item::Pure", "no trace"); });
      branches.emplace_back("waits", [](DurableContext& c) {
        c.wait("nap", 2s);
        return c.step("after-nap", [] { return 1; });
      });
      branches.emplace_back("also-waits", [](DurableContext& c) {
        c.wait("long-nap", 5s);
        return 2;
      });
      auto r = ctx.parallel("p", branches,
                            {.completionConfig = {.minSuccessful = 1, .toleratedFailureCount = 5}, .nesting = nesting});
      return describe(r);
    });
    const auto& res = runner.run();
    ASSERT_EQ(res.getStatus(), ExecutionStatus::Succeeded);
    results[nesting == Nesting::Flat] = res.getResult();
  }
  EXPECT_EQ(results[1]["failureCount"], 1) << results[1].dump();
  EXPECT_EQ(results[0], results[1]);
}

// Found by tests/differential with results over 256 KiB: a FLAT batch checkpointed with
// ReplayChildren is rebuilt by re-running its items, and one that was still waiting when
// the batch completed early (minSuccessful) but whose wait fired since counted as ended:
// the batch's result changed from one invocation to the next (item 1 STARTED, then
// SUCCEEDED). Its SUCCEED now names the items still running ({"startedItems":"1"}).
TEST(BatchOrderTest, AFlatBatchRecordedWithoutItsResultKeepsTheItemsThatWereStillRunning) {
  const std::string big(140 * 1024, 'b');
  rwd::Json results[2];
  std::vector<rwd::Json> seen[2];  // the batch's result as each invocation saw it
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    auto& views = seen[nesting == Nesting::Flat];
    rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
      std::vector<int> items{0, 1};
      auto outer = ctx.map(
          "outer", items,
          [&](DurableContext& c, const int&, std::size_t, const std::vector<int>&) {
            std::string value = c.step("big", [&] { return big; });
            c.wait("nap", 81s);
            return value + value;  // one item's result alone is over 256 KiB
          },
          {.completionConfig = {.minSuccessful = 1}, .nesting = nesting});
      views.push_back(rwd::Json{{"started", outer.startedCount()}, {"succeeded", outer.successCount()}});
      ctx.wait("after", 54s);
      return rwd::Json{{"started", outer.startedCount()}, {"succeeded", outer.successCount()}};
    });
    const auto& res = runner.run();
    ASSERT_EQ(res.getStatus(), ExecutionStatus::Succeeded) << res.getError().value_or(rwd::ErrorObject{}).errorMessage;
    results[nesting == Nesting::Flat] = res.getResult();
    if (nesting == Nesting::Flat) {
      const auto& batch = runner.getOperation("outer");
      rwd::ContextDetails details = batch.getContextDetails();
      EXPECT_TRUE(details.replayChildren);
      EXPECT_TRUE(details.result == std::optional<std::string>(R"({"startedItems":"1"})"))
          << details.result.value_or("(none)").substr(0, 200);
    }
  }
  EXPECT_EQ(results[0], (rwd::Json{{"started", 1}, {"succeeded", 1}}));
  EXPECT_EQ(results[1], results[0]);
  for (const auto& views : seen)
    for (const rwd::Json& view : views) EXPECT_EQ(view, results[0]);
}

// Found by tests/differential --large-values: a NESTED item whose result is over 256 KiB
// is recorded with ReplayChildren and counts as running until the batch re-runs it to
// rebuild its result; when the batch completes first (here at the other branch's final
// failure) it is reported STARTED. FLAT counted the same item as ended.
TEST(BatchOrderTest, FlatCountsAnItemWithAResultOverTheLimitAsNestedDoes) {
  const std::string big(140 * 1024, 'b');
  rwd::Json results[2];
  for (Nesting nesting : {Nesting::Nested, Nesting::Flat}) {
    rwd::LocalDurableTestRunner runner([&](const rwd::Json&, DurableContext& ctx) {
      std::vector<rwd::Branch<std::string>> branches;
      branches.emplace_back("fails", [](DurableContext& c) {
        return c.step(
            "flaky", []() -> std::string { throw rwd::Error("flaky::Down", "down"); },
            {.retryStrategy = [](const rwd::ErrorInfo&, int attempt) {
               return rwd::RetryDecision{attempt < 3, std::chrono::seconds(1)};
             }});
      });
      branches.emplace_back("large", [&](DurableContext& c) {
        std::string value = c.step("big", [&] { return big; });
        return value + value;
      });
      auto r = ctx.parallel("p", branches, {.nesting = nesting});
      return rwd::Json{{"started", r.startedCount()}, {"succeeded", r.successCount()}, {"failed", r.failureCount()}};
    });
    const auto& res = runner.run();
    ASSERT_EQ(res.getStatus(), ExecutionStatus::Succeeded) << res.getError().value_or(rwd::ErrorObject{}).errorMessage;
    results[nesting == Nesting::Flat] = res.getResult();
  }
  EXPECT_EQ(results[0], (rwd::Json{{"started", 1}, {"succeeded", 0}, {"failed", 1}}));
  EXPECT_EQ(results[1], results[0]);
}

// A FLAT item's probe that meets a FLAT batch of its own stays a probe when the inner
// one ends: its end used to leave the outer probe, so the rest of the outer item ran for
// real (live work, logs and plugin hooks) while it was only being probed.
TEST(BatchOrderTest, AProbeInsideAProbeReturnsToTheOuterProbe) {
  rwd::internal::ExecutionStore store(rwd::kDefaultEpoch, 1, "arn:aws:lambda:us-east-1:123456789012:function:probe");
  std::vector<rwd::Json> logs;
  rwd::internal::InvocationSettings settings;
  settings.clock = [&store] { return store.now(); };
  settings.logSink = &logs;
  rwd::internal::LocalDurableService service(store);
  auto input = service.invocationInput(rwd::Payload("null"), rwd::kDefaultEpoch);
  rwd::internal::Invocation inv(service, input, settings);
  inv.beginProbe();
  inv.log(rwd::LogLevel::Info, "outer", false, "", 0);
  inv.beginProbe();
  inv.log(rwd::LogLevel::Info, "inner", false, "", 0);
  EXPECT_FALSE(inv.endProbe(true));
  EXPECT_TRUE(inv.probing()) << "the inner probe's end left the outer probe";
  EXPECT_TRUE(logs.empty()) << "the inner probe's logs were written while the outer one still held its own";
  inv.log(rwd::LogLevel::Info, "outer again", false, "", 0);
  EXPECT_FALSE(inv.endProbe(false));  // the outer probe drops everything it held
  EXPECT_FALSE(inv.probing());
  EXPECT_TRUE(logs.empty()) << logs.size() << " records written";
  inv.beginProbe();
  inv.log(rwd::LogLevel::Info, "kept", false, "", 0);
  inv.endProbe(true);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0]["message"], "kept");
}

TEST(BatchOrderTest, NestedAndFlatGiveTheSameBatchResultOverRandomBatchesAndBranchOrders) {
  // REWIND_BATCH_ROUNDS=N runs a longer exploration.
  const char* env = std::getenv("REWIND_BATCH_ROUNDS");
  const int rounds = env ? std::atoi(env) : 400;
  std::mt19937 rng(20261204);
  for (int round = 0; round < rounds; ++round) {
    BatchCase bc = randomCase(rng);
    rwd::Json nested = runCase(bc, Nesting::Nested);
    rwd::Json flat = runCase(bc, Nesting::Flat);
    ASSERT_TRUE(nested.contains("all")) << "round " << round << ": " << nested.dump();
    ASSERT_EQ(nested, flat) << "round " << round << ": " << caseText(bc);
  }
}

}  // namespace

namespace {

// ---- point 4: unnamed items carry the AWS JS SDK's names -----------------------------

TEST(BatchNamesTest, UnnamedMapItemsAndParallelBranchesGetTheJsSdkNames) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    std::vector<int> items{10, 20, 30};
    ctx.map("m", items, [](DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
      return c.step("s", [item] { return item; });
    });
    std::vector<rwd::Branch<int>> branches;
    branches.emplace_back([](DurableContext&) { return 1; });
    branches.emplace_back("named", [](DurableContext&) { return 2; });
    branches.emplace_back([](DurableContext&) { return 3; });  // after a named one
    ctx.parallel("p", branches);
    return 0;
  });
  ASSERT_EQ(runner.run().getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(runner.getOperation("map-item-2").getSubType(), rwd::OperationSubType::MapIteration);
  EXPECT_EQ(runner.getOperation("map-item-0").getChildOperations().at(0).name, "s");
  EXPECT_EQ(runner.getOperation("parallel-branch-0").getSubType(), rwd::OperationSubType::ParallelBranch);
  EXPECT_TRUE(runner.getOperation("named").exists());
  EXPECT_FALSE(runner.getOperation("parallel-branch-1").exists());
  EXPECT_EQ(runner.getOperation("parallel-branch-2").getSubType(), rwd::OperationSubType::ParallelBranch);
}

}  // namespace
