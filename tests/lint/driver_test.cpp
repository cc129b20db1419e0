// runLint as a whole: broken input is a tool error, never a crash; the
// resource dir is baked in; check globs select checks.
#include <gtest/gtest.h>

#include "core/output.hpp"
#include "core/registry.hpp"
#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

TEST(DriverTest, AFileThatDoesNotCompileIsAToolErrorWithCompilerDiagnostics) {
  LintResult result = lintFile(fixturesDir() + "/does_not_compile.cpp", "rewind-*");
  EXPECT_TRUE(result.toolError);
  EXPECT_TRUE(result.findings.empty()) << "a partial AST must not be linted";
  EXPECT_NE(result.errors.find("error:"), std::string::npos) << result.errors;
  EXPECT_NE(result.errors.find("undeclared identifier"), std::string::npos) << result.errors;
}

TEST(DriverTest, AMissingFileIsAToolError) {
  LintResult result = lintFile(fixturesDir() + "/no_such_file.cpp", "rewind-*");
  EXPECT_TRUE(result.toolError);
  EXPECT_NE(result.errors.find("no such file"), std::string::npos) << result.errors;
}

TEST(DriverTest, AMissingCompilationDatabaseIsAToolError) {
  LintRequest request;
  request.buildPath = fixturesDir() + "/no-build-dir";
  LintResult result = runLint(request);
  EXPECT_TRUE(result.toolError);
  EXPECT_NE(result.errors.find("compilation database"), std::string::npos) << result.errors;
}

TEST(DriverTest, ChecksGlobsSelectChecks) {
  EXPECT_EQ(enabledChecks("rewind-*").size(), allChecks().size());
  EXPECT_EQ(enabledChecks("-*,rewind-step-*"),
            (std::vector<std::string>{"rewind-step-captured-mutation", "rewind-step-nested-operation"}));
  EXPECT_TRUE(enabledChecks("-*").empty());
}

TEST(DriverTest, TheResourceDirIsBakedIn) { EXPECT_FALSE(defaultResourceDir().empty()); }

TEST(DriverTest, CleanCodeHasNoFindings) {
  LintResult result = lintFile(fixturesDir() + "/clean.cpp", "rewind-*");
  ASSERT_FALSE(result.toolError) << result.errors;
  EXPECT_TRUE(result.findings.empty()) << renderText(result.findings);
}

}  // namespace
}  // namespace rwd::lint::testing
