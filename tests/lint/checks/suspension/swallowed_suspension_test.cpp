// Tests for rewind-suspension-swallowed.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-suspension-swallowed";

TEST(SwallowedSuspensionTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(SwallowedSuspensionTest, NamesTheCaughtSignalType) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "catch (rwd::internal::Suspension&)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("catching 'rwd::internal::Suspension'"), std::string::npos) << finding->message;
}

TEST(SwallowedSuspensionTest, SignalTypesAreConfigurable) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".SignalTypes", "::std::exception"}});
  const Finding* finding = findingAt(result, lineOf(path, "catch (const std::exception& e)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(findingAt(result, lineOf(path, "catch (rwd::internal::Suspension&)")), nullptr);
}

}  // namespace
}  // namespace rwd::lint::testing
