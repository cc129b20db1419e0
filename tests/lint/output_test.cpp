// Golden tests of what users see: clang-tidy-style text, SARIF 2.1.0 and
// the export-fixes YAML. Set REWIND_UPDATE_GOLDEN=1 to rewrite the goldens.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/output.hpp"
#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

void expectGolden(const std::string& name, const std::string& actualRaw) {
  std::string actual = replaceAll(actualRaw, repoDir(), "<repo>");
  std::string path = repoDir() + "/tests/lint/golden/" + name;
  if (std::getenv("REWIND_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  EXPECT_EQ(readFile(path), actual) << "golden " << path << " differs (REWIND_UPDATE_GOLDEN=1 rewrites it)";
}

LintResult lintOutputFixture(const std::string& warningsAsErrors = "") {
  LintRequest request;
  request.sources = {fixturesDir() + "/output.cpp"};
  request.fixedArgs = std::vector<std::string>{"-std=c++20", "-I" + fixturesDir()};
  request.config.checks = "rewind-*";
  if (!warningsAsErrors.empty()) request.config.warningsAsErrors = warningsAsErrors;
  return runLint(request);
}

TEST(OutputTest, TextLooksLikeClangTidy) {
  LintResult result = lintOutputFixture();
  ASSERT_FALSE(result.toolError) << result.errors;
  expectGolden("output.txt", renderText(result.findings));
}

TEST(OutputTest, WarningsAsErrorsAreMarkedLikeClangTidy) {
  LintResult result = lintOutputFixture("rewind-suspension-*");
  ASSERT_FALSE(result.toolError) << result.errors;
  std::string text = renderText(result.findings);
  EXPECT_NE(text.find(": error: "), std::string::npos);
  EXPECT_NE(text.find("[rewind-suspension-swallowed,-warnings-as-errors]"), std::string::npos);
  EXPECT_NE(text.find(": warning: "), std::string::npos);
}

TEST(OutputTest, SarifIsVersion210WithRulesAndRelativeUris) {
  LintResult result = lintOutputFixture();
  ASSERT_FALSE(result.toolError) << result.errors;
  expectGolden("output.sarif", renderSarif(result.findings, repoDir()));
}

TEST(OutputTest, ExportFixesIsClangApplyReplacementsYaml) {
  LintResult result = lintOutputFixture();
  ASSERT_FALSE(result.toolError) << result.errors;
  expectGolden("output.fixes.yaml", renderFixesYaml(result.findings, fixturesDir() + "/output.cpp", "<build>"));
}

}  // namespace
}  // namespace rwd::lint::testing
