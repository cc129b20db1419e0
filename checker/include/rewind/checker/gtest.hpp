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
//
// Mode: both macros check in-process unless the environment says
// REWIND_CHECK_MODE=fork (the faithful mode: each invocation in a fresh fork()ed child,
// see fork_executor.hpp). expectCrashSafe/checkGeneratedSchedule also take
// CheckOptions::mode: CheckMode::Fork there is kept whatever the variable says.
// REWIND_CHECK_CRASH_SAFETY_FORK always checks in fork mode.
#pragma once

#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace rwd::checker {

// CheckOptions::mode, or what REWIND_CHECK_MODE says ("fork", "in-process"). An unknown
// value throws std::invalid_argument.
inline CheckMode checkModeFromEnvironment(CheckMode fallback) {
  const char* m = std::getenv("REWIND_CHECK_MODE");
  if (!m || !*m) return fallback;
  std::optional<CheckMode> mode = checkModeFromString(m);
  if (!mode)
    throw std::invalid_argument(std::string("[rewind.checker.bad_mode] REWIND_CHECK_MODE is '") + m +
                                "'; use 'fork' or 'in-process'");
  return *mode;
}

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
  if (options.mode == CheckMode::InProcess) options.mode = checkModeFromEnvironment(CheckMode::InProcess);
  CrashChecker checker(handler, input, options);
  CheckReport report = checker.checkExhaustive();
  for (const Finding& f : report.findings)
    ADD_FAILURE() << "[" << toString(f.oracle) << "] (" << f.mode << " mode) " << f.message
                  << "\n  schedule: " << describe(f.schedule) << "\n  reproduce: rewind-check --reproduce "
                  << toToken(f.schedule) << (f.mode == "fork" ? " --mode fork" : "");
}

// One generated schedule for `input`; RC_FAIL with the finding when an oracle fails.
inline void checkGeneratedSchedule(const RawHandler& handler, const Payload& input, CheckOptions options = {}) {
  options.confirm = false;
  if (options.mode == CheckMode::InProcess) options.mode = checkModeFromEnvironment(CheckMode::InProcess);
  CrashChecker checker(handler, input, options);
  Schedule s = *genSchedule(scheduleSpace(checker.reference()));
  std::vector<Finding> findings = checker.check(s);
  if (!findings.empty())
    RC_FAIL("[" + std::string(toString(findings.front().oracle)) + "] " + findings.front().message +
            "\n  schedule: " + describe(s) + "\n  reproduce: rewind-check --reproduce " + toToken(s) +
            (options.mode == CheckMode::Fork ? " --mode fork" : ""));
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

// REWIND_CHECK_CRASH_SAFETY in fork mode, whatever REWIND_CHECK_MODE says.
#define REWIND_CHECK_CRASH_SAFETY_FORK(Suite, Name, handler, input)                                                 \
  class Suite##_##Name##_CrashSlice : public ::testing::TestWithParam<int> {};                                      \
  TEST_P(Suite##_##Name##_CrashSlice, Name) {                                                                       \
    ::rwd::checker::CheckOptions rewindOptions;                                                                     \
    rewindOptions.mode = ::rwd::checker::CheckMode::Fork;                                                           \
    ::rwd::checker::expectCrashSafe(::rwd::makeHandler(handler), ::rwd::internal::jsonSerialize(input), GetParam(), \
                                    ::rwd::checker::crashSlices(), rewindOptions);                                  \
  }                                                                                                                 \
  INSTANTIATE_TEST_SUITE_P(Suite, Suite##_##Name##_CrashSlice, ::testing::Range(0, ::rwd::checker::crashSlices()))

#define REWIND_CHECK_CRASH_SAFETY_PROP(Suite, Name, handler, inputGen)                                      \
  RC_GTEST_PROP(Suite, Name, ()) {                                                                          \
    const auto rewindInput = *(inputGen);                                                                   \
    ::rwd::checker::checkGeneratedSchedule(::rwd::makeHandler(handler),                                     \
                                           ::rwd::internal::jsonSerialize(rewindInput));                    \
  }
