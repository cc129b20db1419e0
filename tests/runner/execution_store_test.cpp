// The records' id index (runner/src/operation_index.hpp), the positional id cache
// (operationIdFor) and the runner hooks the replay verifier uses to skip work nobody
// reads: a history not recorded, operations moved out of the result.
#include <openssl/evp.h>

#include <array>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "operation_index.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;

struct Record {
  std::string id;
};

TEST(OperationIndexTest, FindsEveryRecordByIdThroughGrowthAndCollisions) {
  std::deque<Record> records;
  rwd::internal::OperationIndex index;
  EXPECT_FALSE(index.find("a", records));
  for (int i = 0; i < 10000; ++i) {
    // Positional ids and ids a user's service might send (short, long, shared prefixes).
    std::string id = i % 3 == 0 ? rwd::operationIdFor(std::to_string(i)) : "step-" + std::to_string(i);
    index.append(id);
    records.push_back({id});
  }
  ASSERT_EQ(index.count(), records.size());
  for (std::size_t p = 0; p < records.size(); ++p) {
    auto found = index.find(records[p].id, records);
    ASSERT_TRUE(found) << records[p].id;
    EXPECT_EQ(*found, p);
  }
  EXPECT_FALSE(index.find("step-10000", records));
  EXPECT_FALSE(index.find("", records));

  // A copy (a crash snapshot of the store) grows on its own.
  std::deque<Record> copyRecords = records;
  rwd::internal::OperationIndex copy = index;
  copy.append("later");
  copyRecords.push_back({"later"});
  EXPECT_EQ(copy.find("later", copyRecords), std::optional<std::size_t>(records.size()));
  EXPECT_FALSE(index.find("later", records));
  index.clear();
  EXPECT_FALSE(index.find(records[0].id, records));
}

std::string md5Hex16(const std::string& s) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(s.data(), s.size(), d.data(), &len, EVP_md5(), nullptr), 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 0xf];
  }
  return out;
}

TEST(OperationIdTest, CachedIdsAreTheFirstEightBytesOfMd5ForEveryStepId) {
  // More ids than the cache has slots, asked twice in different orders (hits, misses and
  // evictions), plus step ids longer than a slot's key.
  std::vector<std::string> stepIds;
  for (int i = 1; i <= 3000; ++i) stepIds.push_back(std::to_string(i));
  for (int i = 1; i <= 50; ++i) stepIds.push_back("1-2-3-" + std::to_string(i) + "-4-5-6-7-8-9-10-11-12");
  stepIds.push_back("");
  for (int round = 0; round < 2; ++round)
    for (std::size_t k = 0; k < stepIds.size(); ++k) {
      const std::string& s = round == 0 ? stepIds[k] : stepIds[stepIds.size() - 1 - k];
      ASSERT_EQ(rwd::operationIdFor(s), md5Hex16(s)) << "step id '" << s << "'";
    }
}

rwd::RawHandler callbackAndSteps() {
  return rwd::makeHandler([](const rwd::Json&, rwd::DurableContext& ctx) {
    int a = ctx.step("a", [] { return 1; });
    std::string v = ctx.waitForCallback("approve", [](const std::string&, rwd::StepContext&) {},
                                        {.timeout = std::chrono::hours(1)});
    ctx.wait("pause", 10s);
    return std::to_string(a) + v;
  });
}

rwd::RawHandler waitThenStep() {
  return rwd::makeHandler([](const rwd::Json&, rwd::DurableContext& ctx) {
    ctx.wait("pause", 10s);
    return ctx.step("a", [] { return 2; });
  });
}

TEST(RunnerHistoryTest, WithoutARecordedHistoryTheExecutionIsTheSame) {
  rwd::RunnerOptions quiet;
  quiet.recordHistory = false;
  rwd::LocalDurableTestRunner full(waitThenStep());
  rwd::LocalDurableTestRunner bare(waitThenStep(), quiet);
  const auto& a = full.runPayload("null");
  const auto& b = bare.runPayload("null");
  EXPECT_EQ(b.getStatus(), a.getStatus());
  EXPECT_EQ(b.getResultPayload(), a.getResultPayload());
  ASSERT_EQ(b.getOperations().size(), a.getOperations().size());
  for (std::size_t i = 0; i < a.getOperations().size(); ++i) {
    EXPECT_EQ(b.getOperations()[i].id, a.getOperations()[i].id);
    EXPECT_EQ(b.getOperations()[i].status, a.getOperations()[i].status);
  }
  EXPECT_EQ(b.getInvocations().size(), a.getInvocations().size());
  EXPECT_FALSE(a.getHistoryEvents().empty());
  EXPECT_TRUE(b.getHistoryEvents().empty());
}

TEST(RunnerHistoryTest, CallbackRespondersKeepTheHistoryTheyArePlannedFrom) {
  rwd::RunnerOptions quiet;
  quiet.recordHistory = false;
  rwd::LocalDurableTestRunner runner(callbackAndSteps(), quiet);
  runner.onCallback("approve", rwd::CallbackResponse::success("\"yes\"").after(30s));
  const auto& r = runner.runPayload("null");
  EXPECT_EQ(r.getStatus(), rwd::ExecutionStatus::Succeeded) << r.getBlockedReason();
  ASSERT_TRUE(r.getResultPayload());
  EXPECT_NE(r.getResultPayload()->find("yes"), std::string::npos) << *r.getResultPayload();
  EXPECT_FALSE(r.getHistoryEvents().empty());
}

TEST(RunnerTakeOperationsTest, TheOperationsMoveOutOnce) {
  rwd::LocalDurableTestRunner runner(rwd::makeHandler([](const rwd::Json&, rwd::DurableContext& ctx) {
    return ctx.step("a", [] { return 1; }) + ctx.step("b", [] { return 2; });
  }));
  const auto& r = runner.runPayload("null");
  ASSERT_EQ(r.getOperations().size(), 2u);
  std::vector<rwd::Operation> ops = runner.takeOperations();
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[1].name, std::optional<std::string>("b"));
  EXPECT_TRUE(runner.getOperations().empty());
  EXPECT_EQ(runner.getStatus(), rwd::ExecutionStatus::Succeeded);
  EXPECT_TRUE(runner.takeOperations().empty());
}

}  // namespace
