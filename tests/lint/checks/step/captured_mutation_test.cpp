// Tests for rewind-step-captured-mutation.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-step-captured-mutation";

TEST(CapturedMutationTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(CapturedMutationTest, NamesTheVariableAndWhereItIsDeclared) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "items.push_back(1)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("captured 'items' is mutated inside a step 'collect' callback"), std::string::npos)
      << finding->message;
  ASSERT_EQ(finding->notes.size(), 1u);
  EXPECT_EQ(finding->notes[0].position.line, lineOf(path, "std::vector<int> items;"));
}

TEST(CapturedMutationTest, ReportsWritesThroughCapturedPointers) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "*counter = 5"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("the object pointed to by captured 'counter'"), std::string::npos)
      << finding->message;
}

}  // namespace
}  // namespace rwd::lint::testing
