// GoogleTest integration of the replay verifier (target rewind::checker_gtest).
// Include <gtest/gtest.h> first.
//
//   REWIND_CHECK_CRASH_SAFETY(OrderSagaTest, SurvivesEveryCrash, orderSaga, Order{"o-1", 3});
//   REWIND_CHECK_CRASH_SAFETY_WITH(ApprovalTest, SurvivesEveryCrash, approval, Ticket{"t-1"}, [] {
//     rwd::checker::CheckOptions o;
//     o.callbackResponders = {{"manager-approval", rwd::CallbackResponse::success(R"({"ok":true})")}};
//     o.setup = [] { fakeMailServer().reset(); };  // once per explored execution
//     o.invariants = {{"no card charged twice", noDoubleCharge}};
//     return o;
//   }());
//   REWIND_CHECK_CRASH_SAFETY_PROP(OrderSagaTest, SurvivesGeneratedSchedules, orderSaga,
//                                  rc::gen::construct<Order>(...));
//
// REWIND_CHECK_CRASH_SAFETY registers one test per slice of the crash points
// (Name/0 .. Name/k-1, k = max(4, GTEST_TOTAL_SHARDS)), so gtest's sharding
// (GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX) splits the crash points across shards. Every
// slice states the crash-free reference run's outcome (a "rewind_reference" test property
// and a line on stdout); a reference run that does not succeed fails the test with
// [rewind.checker.reference_failed] unless CheckOptions::expectFailure says it may.
// The _PROP variants are RC_GTEST_PROPs: RapidCheck generates the input and a schedule,
// shrinks failures and prints its `RC_PARAMS="reproduce=..."` string; the message also
// carries Rewind's schedule token for `rewind-check --reproduce`.
//
// Resumes: by default every crash point is resumed cold (each invocation in a fresh
// fork()ed child) and warm (in-process); see CheckMode. REWIND_CHECK_MODE=fork /
// in-process / both in the environment overrides the default (an explicit
// CheckOptions::mode other than Both is kept). Cold resumes are explored first, while the
// test process has not run the handler; run each test in its own process (ctest does,
// through gtest_discover_tests), since a warm phase of an earlier test in the same
// process leaves its statics to the children of a later one.
// REWIND_CHECK_CRASH_SAFETY_FORK always checks cold resumes only.
#pragma once

// GoogleTest first: rapidcheck/gtest.h uses it without including it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace rwd::checker {

// What REWIND_CHECK_MODE says ("fork", "in-process", "both"), or `fallback`. An unknown
// value throws std::invalid_argument.
inline CheckMode checkModeFromEnvironment(CheckMode fallback) {
  const char* m = std::getenv("REWIND_CHECK_MODE");
  if (!m || !*m) return fallback;
  std::optional<CheckMode> mode = checkModeFromString(m);
  if (!mode)
    throw std::invalid_argument(std::string("[rewind.checker.bad_mode] REWIND_CHECK_MODE is '") + m +
                                "'; use 'fork', 'in-process' or 'both'");
  return *mode;
}

// Slices per REWIND_CHECK_CRASH_SAFETY test: at least 4, at least GTEST_TOTAL_SHARDS.
inline int crashSlices() {
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  int n = total ? std::atoi(total) : 0;
  return n > 4 ? n : 4;
}

// One finding as a gtest failure message.
inline std::string describeFinding(const Finding& f) {
  std::string s = "[" + std::string(toString(f.oracle)) + "] (" + f.resume + " resume, " + f.mode + " mode) " +
                  f.message + "\n  where: " + (f.crash.empty() ? describe(f.schedule) : f.crash);
  if (f.confirmed && !f.reproduced) s += "\n  FLAKY: the same schedule re-run in the same mode gave another verdict";
  if (!f.historyDiff.empty()) s += "\n" + f.historyDiff;
  return s + "\n  reproduce: rewind-check --reproduce " + toToken(f.schedule) + " --mode " + f.mode;
}

// Checks slice `slice` of `slices` of the exhaustive crash points; a gtest failure per
// finding, and one for a reference run that did not succeed.
inline void expectCrashSafe(const RawHandler& handler, const Payload& input, int slice, int slices,
                            CheckOptions options = {}) {
  options.shardIndex = static_cast<std::size_t>(slice);
  options.shardCount = static_cast<std::size_t>(slices);
  if (options.mode == CheckMode::Both) options.mode = checkModeFromEnvironment(CheckMode::Both);
  CrashChecker checker(handler, input, options);
  CheckReport report = checker.checkExhaustive();
  ::testing::Test::RecordProperty("rewind_reference", report.reference);
  std::cout << "[  REWIND  ] reference (crash-free) run: " << report.reference << "\n";
  if (report.referenceError) ADD_FAILURE() << *report.referenceError;
  for (const Finding& f : report.findings) ADD_FAILURE() << describeFinding(f);
}

// One generated schedule for `input`; RC_FAIL with the finding when an oracle fails, or
// with the reference error when the crash-free run did not succeed.
inline void checkGeneratedSchedule(const RawHandler& handler, const Payload& input, CheckOptions options = {},
                                   const std::map<std::string, rc::Gen<std::string>>& callbackPayloads = {}) {
  options.confirm = false;
  if (options.mode == CheckMode::Both) options.mode = checkModeFromEnvironment(CheckMode::Both);
  CrashChecker checker(handler, input, options);
  if (std::optional<std::string> error = checker.referenceError()) RC_FAIL(*error);
  ScheduleSpace space = scheduleSpace(checker.reference());
  space.callbackPayloads = callbackPayloads;
  Schedule s = *genSchedule(space);
  std::vector<Finding> findings = checker.check(s);
  if (!findings.empty()) RC_FAIL(describeFinding(findings.front()));
}

}  // namespace rwd::checker

// REWIND_CHECK_CRASH_SAFETY with CheckOptions (callback responders, setup, invariants, mode).
#define REWIND_CHECK_CRASH_SAFETY_WITH(Suite, Name, handler, input, options)                                        \
  class Suite##_##Name##_CrashSlice : public ::testing::TestWithParam<int> {};                                      \
  TEST_P(Suite##_##Name##_CrashSlice, Name) {                                                                       \
    ::rwd::checker::expectCrashSafe(::rwd::makeHandler(handler), ::rwd::internal::jsonSerialize(input), GetParam(), \
                                    ::rwd::checker::crashSlices(), (options));                                      \
  }                                                                                                                 \
  INSTANTIATE_TEST_SUITE_P(Suite, Suite##_##Name##_CrashSlice, ::testing::Range(0, ::rwd::checker::crashSlices()))

#define REWIND_CHECK_CRASH_SAFETY(Suite, Name, handler, input) \
  REWIND_CHECK_CRASH_SAFETY_WITH(Suite, Name, handler, input, ::rwd::checker::CheckOptions{})

// REWIND_CHECK_CRASH_SAFETY resuming cold only (fork mode), whatever REWIND_CHECK_MODE says.
#define REWIND_CHECK_CRASH_SAFETY_FORK(Suite, Name, handler, input)                      \
  REWIND_CHECK_CRASH_SAFETY_WITH(Suite, Name, handler, input, ([] {                      \
                                   ::rwd::checker::CheckOptions rewindOptions;           \
                                   rewindOptions.mode = ::rwd::checker::CheckMode::Fork; \
                                   return rewindOptions;                                 \
                                 }()))

// REWIND_CHECK_CRASH_SAFETY_PROP with CheckOptions and per-callback payload generators
// (a std::map<std::string, rc::Gen<std::string>>, by callback name; {} for none).
#define REWIND_CHECK_CRASH_SAFETY_PROP_WITH(Suite, Name, handler, inputGen, options, callbackPayloads)               \
  RC_GTEST_PROP(Suite, Name, ()) {                                                                                   \
    const auto rewindInput = *(inputGen);                                                                            \
    ::rwd::checker::checkGeneratedSchedule(::rwd::makeHandler(handler), ::rwd::internal::jsonSerialize(rewindInput), \
                                           (options), (callbackPayloads));                                           \
  }

#define REWIND_CHECK_CRASH_SAFETY_PROP(Suite, Name, handler, inputGen)                                \
  REWIND_CHECK_CRASH_SAFETY_PROP_WITH(Suite, Name, handler, inputGen, ::rwd::checker::CheckOptions{}, \
                                      (std::map<std::string, rc::Gen<std::string>>{}))
