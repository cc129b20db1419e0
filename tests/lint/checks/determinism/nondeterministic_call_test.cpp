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

TEST(NondeterministicCallTest, ClockFixUsesTheReplaySafeNow) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "auto now = std::chrono"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->fixes.size(), 1u);
  EXPECT_EQ(finding->fixes[0].text, "ctx.now(\"now\")");
  const Finding* time = findingAt(result, lineOf(path, "long seconds = time(nullptr)"));
  ASSERT_NE(time, nullptr);
  ASSERT_EQ(time->fixes.size(), 1u);
  EXPECT_EQ(time->fixes[0].text, "std::chrono::system_clock::to_time_t(ctx.now(\"seconds\"))");
}

TEST(NondeterministicCallTest, OffersToWrapASerialisableInitializerInAStep) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* dice = findingAt(result, lineOf(path, "int dice = std::rand()"));
  ASSERT_NE(dice, nullptr);
  ASSERT_EQ(dice->fixes.size(), 1u);
  EXPECT_EQ(dice->fixes[0].text, "ctx.step(\"dice\", [&] { return std::rand(); })");
  const Finding* bare = findingAt(result, lineOf(path, "uuid_generate(raw)"));
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(bare->fixes.empty()) << "a call that is not an initializer has no fix";
  const Finding* thread = findingAt(result, lineOf(path, "auto thread = std::this_thread::get_id()"));
  ASSERT_NE(thread, nullptr);
  EXPECT_TRUE(thread->fixes.empty()) << "a thread id is not serialisable: no step can return it";
}

TEST(NondeterministicCallTest, GetenvFixNeverMakesAStepReturnACharPointer) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* pointer = findingAt(result, lineOf(path, "const char* region = std::getenv"));
  ASSERT_NE(pointer, nullptr);
  EXPECT_TRUE(pointer->fixes.empty()) << pointer->fixes[0].text;
  const Finding* text = findingAt(result, lineOf(path, "std::string home = std::getenv"));
  ASSERT_NE(text, nullptr);
  ASSERT_EQ(text->fixes.size(), 1u);
  EXPECT_EQ(text->fixes[0].text,
            "ctx.step(\"home\", [&] { const char* value = std::getenv(\"HOME\"); "
            "return std::string(value != nullptr ? value : \"\"); })");
}

TEST(NondeterministicCallTest, MessagesNameTheCallAsWritten) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "high_resolution_clock::now()"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->message.rfind("'std::chrono::high_resolution_clock::now' reads a clock", 0), 0u)
      << finding->message;
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
