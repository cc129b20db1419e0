// Tests for rewind-determinism-nondeterministic-call.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-determinism-nondeterministic-call";

TEST(NondeterministicCallTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(NondeterministicCallTest, ReportsTheCallChainThroughHelpersAsNotes) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "std::string id2 = makeIdIndirect()"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("'fixture::makeIdIndirect' reads a random source through "
                                  "'std::random_device::operator()'"),
            std::string::npos)
      << finding->message;
  ASSERT_EQ(finding->notes.size(), 2u);
  EXPECT_EQ(finding->notes[0].message, "'fixture::makeIdIndirect' calls 'fixture::makeId'");
  EXPECT_EQ(finding->notes[1].message, "'fixture::makeId' calls 'std::random_device::operator()'");
  EXPECT_EQ(finding->notes[1].position.line, lineOf(path, "return std::to_string(device())"));
}

TEST(NondeterministicCallTest, OffersToWrapAnInitializerInAStep) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "auto now = std::chrono"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->fixes.size(), 1u);
  EXPECT_EQ(finding->fixes[0].text, "ctx.step(\"now\", [&] { return std::chrono::system_clock::now(); })");
  const Finding* bare = findingAt(result, lineOf(path, "uuid_generate(raw)"));
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(bare->fixes.empty()) << "a call that is not an initializer has no fix";
}

TEST(NondeterministicCallTest, ReadsAdditionalFunctionsFromOptions) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".AdditionalFunctions", "fixture::pureHelper"}});
  const Finding* finding = findingAt(result, lineOf(path, "std::string text = pureHelper(dice)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("a non-deterministic source"), std::string::npos);
}

TEST(NondeterministicCallTest, AnEmptyClockListDisablesClockFindings) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".ClockFunctions", ""}});
  EXPECT_EQ(findingAt(result, lineOf(path, "auto now = std::chrono")), nullptr);
  EXPECT_NE(findingAt(result, lineOf(path, "int dice = std::rand()")), nullptr);
}

}  // namespace
}  // namespace rwd::lint::testing
