// Tests for rewind-orchestration-blocking-sleep.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-orchestration-blocking-sleep";

TEST(BlockingSleepTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(BlockingSleepTest, ReplacesSleepForWithADurableWait) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "std::this_thread::sleep_for(std::chrono::seconds(5))"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->fixes.size(), 1u);
  EXPECT_EQ(finding->fixes[0].text, "ctx.wait(std::chrono::seconds(5))");
  EXPECT_EQ(finding->fixes[0].length, std::string("std::this_thread::sleep_for(std::chrono::seconds(5))").size());
  const Finding* posix = findingAt(result, lineOf(path, "sleep(2);"));
  ASSERT_NE(posix, nullptr);
  ASSERT_EQ(posix->fixes.size(), 1u);
  EXPECT_EQ(posix->fixes[0].text, "ctx.wait(std::chrono::seconds(2))");
}

TEST(BlockingSleepTest, ASubSecondSleepIsRoundedUpToWholeSecondsNotPassedAsIs) {
  // Waits are whole seconds (rwd::Duration): ctx.wait(milliseconds) would not compile.
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "std::chrono::milliseconds(1500)"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->fixes.size(), 1u);
  EXPECT_EQ(finding->fixes[0].text,
            "ctx.wait(std::chrono::ceil<std::chrono::seconds>(std::chrono::milliseconds(1500)))");
}

TEST(BlockingSleepTest, FollowsHelpersAndNamesTheSleep) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "  backoff();"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("through 'usleep'"), std::string::npos) << finding->message;
  ASSERT_EQ(finding->notes.size(), 1u);
  EXPECT_EQ(finding->notes[0].message, "'fixture::backoff' calls 'usleep'");
}

}  // namespace
}  // namespace rwd::lint::testing
