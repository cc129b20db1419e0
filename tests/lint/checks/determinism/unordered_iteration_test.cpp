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
  // Pointer-keyed ordered containers are flagged whatever the list says.
  ASSERT_EQ(result.findings.size(), 3u);
  EXPECT_EQ(result.findings[0].position.line, lineOf(path, ": byAddress)"));
  EXPECT_EQ(result.findings[1].position.line, lineOf(path, ": ordered)"));
  EXPECT_EQ(result.findings[2].position.line, lineOf(path, ": std::views::keys(ordered))"));
}

TEST(UnorderedIterationTest, PointerKeyedContainersIterateInAddressOrder) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, ": byAddress)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->message.rfind("loop over 'std::set keyed by pointer' issues durable operations in address order",
                                   0),
            0u)
      << finding->message;
}

TEST(UnorderedIterationTest, RangeAdaptorsOverAnUnorderedContainerAreLoopsOverIt) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, ": std::views::keys(quantities))"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->message.rfind("loop over 'std::unordered_map'", 0), 0u) << finding->message;
}

}  // namespace
}  // namespace rwd::lint::testing
