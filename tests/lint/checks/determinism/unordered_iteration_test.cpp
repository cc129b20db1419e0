// Tests for rewind-determinism-unordered-iteration.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-determinism-unordered-iteration";

TEST(UnorderedIterationTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(UnorderedIterationTest, PointsAtTheDurableOperationInANote) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "for (const auto& tag : tags)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("'std::unordered_set'"), std::string::npos);
  ASSERT_EQ(finding->notes.size(), 2u);
  EXPECT_EQ(finding->notes[0].message, "'fixture::process' issues durable operation 'step'");
  EXPECT_EQ(finding->notes[1].message, "'fixture::process' calls 'step'");
}

TEST(UnorderedIterationTest, ContainerTypesAreConfigurable) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".ContainerTypes", "::std::map"}});
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].position.line, lineOf(path, ": ordered)"));
}

}  // namespace
}  // namespace rwd::lint::testing
