// Helpers for lint_tests: run rewind-lint in-process on a fixture and compare
// its findings with the fixture's `// expect: <check>[, <check>]` comments.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/driver.hpp"

namespace rwd::lint::testing {

std::string repoDir();
std::string fixturesDir();
// tests/lint/fixtures/<module>/<stem>.cpp for a registered check.
std::string fixturePath(const std::string& checkName);

// Lints `path` with the fixture compile flags (-std=c++20 -I fixtures).
LintResult lintFile(const std::string& path, const std::string& checks,
                    const std::map<std::string, std::string>& options = {});

struct Expectation {
  unsigned line;
  std::string check;
  bool operator<(const Expectation& other) const;
  bool operator==(const Expectation& other) const;
};

void PrintTo(const Expectation& e, std::ostream* os);

// `// expect: a, b` on a line expects one finding of each listed check there.
std::vector<Expectation> readExpectations(const std::string& path);
std::vector<Expectation> toExpectations(const std::vector<Finding>& findings);

// Runs `checkName` alone over its fixture; adds gtest failures listing the
// missing and unexpected findings.
void expectFixtureMatches(const std::string& checkName);

// Runs the checks matching `checks` over `path`; same comparison.
void expectFileMatches(const std::string& path, const std::string& checks);

// The finding of `check` on `line`, or null.
const Finding* findingAt(const LintResult& result, unsigned line);

// Reads a whole file ("" if missing).
std::string readFile(const std::string& path);

// Line number of the first line of `path` containing `marker`.
unsigned lineOf(const std::string& path, const std::string& marker);

}  // namespace rwd::lint::testing
