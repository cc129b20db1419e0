// NOLINT / NOLINTNEXTLINE / NOLINTBEGIN-END, check globs, and the config file.
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/glob_list.hpp"
#include "core/nolint.hpp"
#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

TEST(NolintTest, PlainNolintSuppressesEveryCheckOnItsLine) {
  NolintIndex index("a();\nb();  // NOLINT\nc();\n");
  EXPECT_FALSE(index.suppresses(1, "rewind-x"));
  EXPECT_TRUE(index.suppresses(2, "rewind-x"));
  EXPECT_FALSE(index.suppresses(3, "rewind-x"));
}

TEST(NolintTest, CheckListsAndGlobsLimitTheSuppression) {
  NolintIndex index("a();  // NOLINT(rewind-step-*, rewind-other)\n");
  EXPECT_TRUE(index.suppresses(1, "rewind-step-captured-mutation"));
  EXPECT_TRUE(index.suppresses(1, "rewind-other"));
  EXPECT_FALSE(index.suppresses(1, "rewind-suspension-swallowed"));
}

TEST(NolintTest, NextLineAppliesToTheFollowingLineOnly) {
  NolintIndex index("// NOLINTNEXTLINE(rewind-a)\nx();\ny();\n");
  EXPECT_FALSE(index.suppresses(1, "rewind-a"));
  EXPECT_TRUE(index.suppresses(2, "rewind-a"));
  EXPECT_FALSE(index.suppresses(3, "rewind-a"));
}

TEST(NolintTest, BeginEndRegionsPairByCheckList) {
  NolintIndex index(
      "// NOLINTBEGIN(rewind-a)\nx();\n// NOLINTBEGIN\ny();\n// NOLINTEND\n"
      "z();\n// NOLINTEND(rewind-a)\nw();\n");
  EXPECT_TRUE(index.suppresses(2, "rewind-a"));
  EXPECT_FALSE(index.suppresses(2, "rewind-b"));
  EXPECT_TRUE(index.suppresses(4, "rewind-b"));
  EXPECT_FALSE(index.suppresses(6, "rewind-b"));
  EXPECT_TRUE(index.suppresses(6, "rewind-a"));
  EXPECT_FALSE(index.suppresses(8, "rewind-a"));
}

TEST(NolintTest, NolintOutsideCommentsAndLookalikesAreIgnored) {
  NolintIndex index("const char* s = \"NOLINT\";\nx();  // NOLINTFOO\n");
  EXPECT_FALSE(index.suppresses(1, "rewind-a"));
  EXPECT_FALSE(index.suppresses(2, "rewind-a"));
}

TEST(NolintTest, AnUnmatchedBeginSuppressesNothingAndIsAProblem) {
  NolintIndex index("x();\n// NOLINTBEGIN(rewind-a)\ny();\n");
  EXPECT_FALSE(index.suppresses(3, "rewind-a"));
  ASSERT_EQ(index.problems().size(), 1u);
  EXPECT_EQ(index.problems()[0].line, 2u);
  EXPECT_EQ(index.problems()[0].column, 4u);
  EXPECT_NE(index.problems()[0].message.find("unmatched 'NOLINTBEGIN'"), std::string::npos);
}

TEST(NolintTest, AnUnmatchedEndIsAProblem) {
  NolintIndex index("// NOLINTBEGIN(rewind-a)\nx();\n// NOLINTEND(rewind-b)\n");
  ASSERT_EQ(index.problems().size(), 2u);  // END without its BEGIN, BEGIN without its END
  EXPECT_NE(index.problems()[0].message.find("unmatched 'NOLINTEND'"), std::string::npos);
}

TEST(NolintTest, AnUnmatchedBeginInASourceIsAnErrorFindingLikeClangTidy) {
  std::string path = fixturesDir() + "/nolint_unmatched.cpp";
  LintResult result = lintFile(path, "rewind-*");
  ASSERT_FALSE(result.toolError) << result.errors;
  const Finding* error = findingAt(result, lineOf(path, "NOLINTBEGIN(rewind-determinism"));
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->check, "clang-tidy-nolint");
  EXPECT_TRUE(error->isError);
  EXPECT_NE(findingAt(result, lineOf(path, "long late = time(nullptr)")), nullptr)
      << "an unmatched NOLINTBEGIN must not silence the rest of the file";
}

TEST(NolintTest, SuppressedFindingsAreCountedNotReported) {
  LintResult result = lintFile(fixturesDir() + "/nolint.cpp", "rewind-*");
  ASSERT_FALSE(result.toolError) << result.errors;
  std::vector<Expectation> expected = readExpectations(fixturesDir() + "/nolint.cpp");
  EXPECT_EQ(toExpectations(result.findings), expected);
  EXPECT_EQ(result.suppressed, 5u);
}

TEST(GlobListTest, LastMatchingGlobDecides) {
  GlobList globs("rewind-*,-rewind-step-*,rewind-step-nested-operation");
  EXPECT_TRUE(globs.contains("rewind-suspension-swallowed"));
  EXPECT_FALSE(globs.contains("rewind-step-captured-mutation"));
  EXPECT_TRUE(globs.contains("rewind-step-nested-operation"));
  EXPECT_FALSE(globs.contains("bugprone-foo"));
  EXPECT_FALSE(GlobList("").contains("rewind-a"));
}

TEST(ConfigTest, ParsesTheClangTidyShapedKeys) {
  LintConfig config = parseConfig(
      "Checks: 'rewind-*,-rewind-orchestration-*'\n"
      "WarningsAsErrors: 'rewind-suspension-*'\n"
      "HeaderFilterRegex: 'src/.*'\n"
      "CheckOptions:\n"
      "  rewind-determinism-nondeterministic-call.UuidFunctions: '::ids::make'\n",
      "test");
  EXPECT_EQ(config.checks, "rewind-*,-rewind-orchestration-*");
  EXPECT_EQ(config.warningsAsErrors, "rewind-suspension-*");
  EXPECT_EQ(config.headerFilterRegex, "src/.*");
  EXPECT_EQ(config.checkOptions["rewind-determinism-nondeterministic-call.UuidFunctions"], "::ids::make");
}

TEST(ConfigTest, AcceptsTheListFormOfCheckOptions) {
  LintConfig config = parseConfig("CheckOptions:\n  - key: a.B\n    value: c\n", "test");
  EXPECT_EQ(config.checkOptions["a.B"], "c");
}

TEST(ConfigTest, RejectsUnknownKeysAndBadYamlWithTheOrigin) {
  EXPECT_THROW(parseConfig("Chekcs: '*'\n", "x.yaml"), ConfigError);
  try {
    parseConfig("Checks: [unclosed\n", "x.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x.yaml"), std::string::npos);
  }
}

TEST(ConfigTest, CommandLineChecksAreAppendedToTheFile) {
  LintConfig file;
  file.checks = "rewind-*";
  LintConfig flags;
  flags.checks = "-rewind-step-*";
  LintConfig merged = mergeConfig(file, flags);
  EXPECT_EQ(merged.checks, "rewind-*,-rewind-step-*");
}

TEST(ConfigTest, DumpConfigListsEveryOptionAndRoundTrips) {
  LintConfig config;
  config.checks = "rewind-*";
  std::string dumped = dumpConfig(config, effectiveOptions(config));
  EXPECT_NE(dumped.find("rewind-determinism-nondeterministic-call.ClockFunctions"), std::string::npos);
  LintConfig reparsed = parseConfig(dumped, "dump");
  EXPECT_EQ(reparsed.checks, "rewind-*");
  EXPECT_EQ(reparsed.checkOptions, effectiveOptions(config));
}

}  // namespace
}  // namespace rwd::lint::testing
