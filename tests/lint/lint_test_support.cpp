// lint_tests helpers: fixture discovery, expectation parsing, comparison.
#include "lint_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "core/registry.hpp"

namespace rwd::lint::testing {

std::string repoDir() { return REWIND_LINT_REPO_DIR; }
std::string fixturesDir() { return repoDir() + "/tests/lint/fixtures"; }

std::string fixturePath(const std::string& checkName) {
  const CheckInfo* info = findCheck(checkName);
  if (info == nullptr) return "";
  return fixturesDir() + "/" + info->module + "/" + info->stem + ".cpp";
}

LintResult lintFile(const std::string& path, const std::string& checks,
                    const std::map<std::string, std::string>& options) {
  LintRequest request;
  request.sources = {path};
  request.fixedArgs = std::vector<std::string>{"-std=c++20", "-I" + fixturesDir()};
  request.config.checks = "-*," + checks;
  request.config.checkOptions = options;
  return runLint(request);
}

bool Expectation::operator<(const Expectation& other) const {
  return std::tie(line, check) < std::tie(other.line, other.check);
}
void PrintTo(const Expectation& e, std::ostream* os) { *os << e.line << ":" << e.check; }

bool Expectation::operator==(const Expectation& other) const { return line == other.line && check == other.check; }

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Expectation> readExpectations(const std::string& path) {
  std::vector<Expectation> expectations;
  std::istringstream in(readFile(path));
  std::string line;
  unsigned lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    size_t comment = line.find("//");
    if (comment == std::string::npos) continue;
    size_t pos = line.find("expect: ", comment);
    if (pos == std::string::npos) continue;
    std::istringstream list(line.substr(pos + 8));
    std::string item;
    while (std::getline(list, item, ',')) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) expectations.push_back({lineNo, item});
    }
  }
  std::sort(expectations.begin(), expectations.end());
  return expectations;
}

std::vector<Expectation> toExpectations(const std::vector<Finding>& findings) {
  std::vector<Expectation> actual;
  for (const Finding& finding : findings) {
    actual.push_back({finding.position.line, finding.check});
  }
  std::sort(actual.begin(), actual.end());
  return actual;
}

void expectFixtureMatches(const std::string& checkName) {
  std::string path = fixturePath(checkName);
  ASSERT_FALSE(path.empty()) << checkName << " is not registered";
  expectFileMatches(path, checkName);
}

void expectFileMatches(const std::string& path, const std::string& checkName) {
  LintResult result = lintFile(path, checkName);
  ASSERT_FALSE(result.toolError) << result.errors;
  std::vector<Expectation> expected = readExpectations(path);
  ASSERT_FALSE(expected.empty()) << path << " has no '// expect:' comments";
  std::vector<Expectation> actual = toExpectations(result.findings);
  std::vector<Expectation> missing;
  std::vector<Expectation> unexpected;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(unexpected));
  std::string report;
  for (const Expectation& e : missing) {
    report += "  missing:    " + path + ":" + std::to_string(e.line) + " [" + e.check + "]\n";
  }
  for (const Finding& f : result.findings) {
    Expectation e{f.position.line, f.check};
    if (std::find(unexpected.begin(), unexpected.end(), e) != unexpected.end()) {
      report += "  unexpected: " + path + ":" + std::to_string(f.position.line) + ":" +
                std::to_string(f.position.column) + ": " + f.message + " [" + f.check + "]\n";
    }
  }
  EXPECT_TRUE(missing.empty() && unexpected.empty())
      << "findings of " << checkName << " differ from the fixture's expectations:\n"
      << report;
}

const Finding* findingAt(const LintResult& result, unsigned line) {
  for (const Finding& finding : result.findings) {
    if (finding.position.line == line) return &finding;
  }
  return nullptr;
}

unsigned lineOf(const std::string& path, const std::string& marker) {
  std::istringstream in(readFile(path));
  std::string line;
  unsigned lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.find(marker) != std::string::npos) return lineNo;
  }
  return 0;
}

}  // namespace rwd::lint::testing
