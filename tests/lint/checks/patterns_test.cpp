// The patterns of issue 15, each in its own fixture under fixtures/patterns/
// (must-flag lines carry `// expect:`, look-alikes none), run with every
// check so that a look-alike flagged by any check fails the test.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

std::string pattern(const std::string& stem) { return fixturesDir() + "/patterns/" + stem + ".cpp"; }

TEST(PatternTest, WorkflowClassMethodsAreOrchestrationCode) {
  expectFileMatches(pattern("workflow_class"), "rewind-*");
}

TEST(PatternTest, WorkflowClassFindingsAreReportedInsideTheMethodWithAMemberFix) {
  std::string path = pattern("workflow_class");
  LintResult result = lintFile(path, "rewind-*");
  ASSERT_FALSE(result.toolError) << result.errors;
  EXPECT_EQ(findingAt(result, lineOf(path, "return flow.run(event);")), nullptr) << "no collapsed report at the caller";
  const Finding* started = findingAt(result, lineOf(path, "auto started = std::chrono::system_clock::now()"));
  ASSERT_NE(started, nullptr);
  ASSERT_EQ(started->fixes.size(), 1u);
  EXPECT_EQ(started->fixes[0].text, "ctx_.now(\"started\")");
  const Finding* at = findingAt(result, lineOf(path, "long at = time(nullptr)"));
  ASSERT_NE(at, nullptr);
  ASSERT_EQ(at->fixes.size(), 1u);
  EXPECT_EQ(at->fixes[0].text, "std::chrono::system_clock::to_time_t(ctx->now(\"at\"))");
}

TEST(PatternTest, TemplatesAndTheirInstantiationsAreAnalysed) { expectFileMatches(pattern("templates"), "rewind-*"); }

TEST(PatternTest, AlgorithmsOverUnorderedContainersIssuingDurableOperations) {
  expectFileMatches(pattern("algorithms"), "rewind-*");
}

TEST(PatternTest, AlgorithmFindingsNameTheAlgorithmAndTheContainer) {
  std::string path = pattern("algorithms");
  LintResult result = lintFile(path, "rewind-determinism-unordered-iteration");
  const Finding* finding = findingAt(result, lineOf(path, "std::ranges::for_each(tags, [&](const std::string& tag) {"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->message.rfind("'std::ranges::for_each' over 'std::unordered_set' issues durable operations", 0),
            0u)
      << finding->message;
  ASSERT_FALSE(finding->notes.empty());
  EXPECT_EQ(finding->notes[0].message, "durable operation 'wait' issued here");
}

TEST(PatternTest, RandomEnginesInGlobalsAndStaticsUsedThroughADistribution) {
  expectFileMatches(pattern("global_engine"), "rewind-*");
}

TEST(PatternTest, CatchAllSwallowsOnlyWhenTheTryBlockIssuesDurableOperations) {
  expectFileMatches(pattern("catch_all"), "rewind-*");
}

TEST(PatternTest, StoredLambdasAreStepCodeWhenCalledOnlyInsideSteps) {
  expectFileMatches(pattern("stored_lambda"), "rewind-*");
}

TEST(PatternTest, MutationAnalysisIsNotOverEager) { expectFileMatches(pattern("mutation"), "rewind-*"); }

}  // namespace
}  // namespace rwd::lint::testing
