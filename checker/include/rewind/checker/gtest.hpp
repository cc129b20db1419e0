// GoogleTest integration of the replay verifier (target rewind::checker_gtest).
// Include <gtest/gtest.h> first.
//
//   REWIND_CHECK_CRASH_SAFETY(OrderSagaTest, SurvivesEveryCrash, orderSaga, Order{"o-1", 3});
//   REWIND_CHECK_CRASH_SAFETY_PROP(OrderSagaTest, SurvivesGeneratedSchedules, orderSaga,
//                                  rc::gen::construct<Order>(...));
//
// REWIND_CHECK_CRASH_SAFETY registers one test per slice of the crash points
// (Name/0 .. Name/k-1, k = max(4, GTEST_TOTAL_SHARDS)), so gtest's sharding
// (GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX) splits the crash points across shards.
// The _PROP variant is an RC_GTEST_PROP: RapidCheck generates the input and a schedule,
// shrinks failures and prints its `RC_PARAMS="reproduce=..."` string; the message also
// carries Rewind's schedule token for `rewind-check --reproduce`.
#pragma once

#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <string>

#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace rwd::checker {

// Slices per REWIND_CHECK_CRASH_SAFETY test: at least 4, at least GTEST_TOTAL_SHARDS.
inline int crashSlices() {
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  int n = total ? std::atoi(total) : 0;
  return n > 4 ? n : 4;
}

// Checks slice `slice` of `slices` of the exhaustive crash points; a gtest failure per finding.
inline void expectCrashSafe(const RawHandler& handler, const Payload& input, int slice, int slices,
                            CheckOptions options = {}) {
  options.shardIndex = static_cast<std::size_t>(slice);
  options.shardCount = static_cast<std::size_t>(slices);
  CrashChecker checker(handler, input, options);
  CheckReport report = checker.checkExhaustive();
  for (const Finding& f : report.findings)
    ADD_FAILURE() << "[" << toString(f.oracle) << "] " << f.message << "\n  schedule: " << describe(f.schedule)
                  << "\n  reproduce: rewind-check --reproduce " << toToken(f.schedule);
}

// One generated schedule for `input`; RC_FAIL with the finding when an oracle fails.
inline void checkGeneratedSchedule(const RawHandler& handler, const Payload& input, CheckOptions options = {}) {
  options.confirm = false;
  CrashChecker checker(handler, input, options);
  Schedule s = *genSchedule(scheduleSpace(checker.reference()));
  std::vector<Finding> findings = checker.check(s);
  if (!findings.empty())
    RC_FAIL("[" + std::string(toString(findings.front().oracle)) + "] " + findings.front().message +
            "\n  schedule: " + describe(s) + "\n  reproduce: rewind-check --reproduce " + toToken(s));
}

}  // namespace rwd::checker

#define REWIND_CHECK_CRASH_SAFETY(Suite, Name, handler, input)                                              \
  class Suite##_##Name##_CrashSlice : public ::testing::TestWithParam<int> {};                              \
  TEST_P(Suite##_##Name##_CrashSlice, Name) {                                                               \
    ::rwd::checker::expectCrashSafe(::rwd::makeHandler(handler), ::rwd::internal::jsonSerialize(input),     \
                                    GetParam(), ::rwd::checker::crashSlices());                             \
  }                                                                                                         \
  INSTANTIATE_TEST_SUITE_P(Suite, Suite##_##Name##_CrashSlice,                                              \
                           ::testing::Range(0, ::rwd::checker::crashSlices()))

#define REWIND_CHECK_CRASH_SAFETY_PROP(Suite, Name, handler, inputGen)                                      \
  RC_GTEST_PROP(Suite, Name, ()) {                                                                          \
    const auto rewindInput = *(inputGen);                                                                   \
    ::rwd::checker::checkGeneratedSchedule(::rwd::makeHandler(handler),                                     \
                                           ::rwd::internal::jsonSerialize(rewindInput));                    \
  }
