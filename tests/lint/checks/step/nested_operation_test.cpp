// Tests for rewind-step-nested-operation.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-step-nested-operation";

TEST(NestedOperationTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(NestedOperationTest, SuggestsRunInChildContext) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "ctx.wait(\"inside\""));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("durable operation 'wait' called inside a step 'outer' callback"), std::string::npos)
      << finding->message;
  EXPECT_NE(finding->message.find("runInChildContext"), std::string::npos);
}

TEST(NestedOperationTest, FollowsHelpersThatTakeTheContext) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "return chargeTwice(ctx);"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->notes.size(), 1u);
  EXPECT_EQ(finding->notes[0].message, "'fixture::chargeTwice' calls 'step'");
}

}  // namespace
}  // namespace rwd::lint::testing
