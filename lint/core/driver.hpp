// runLint: runs the enabled checks over source files with a compilation
// database, in-process. Used by the rewind-lint tool and by the tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/finding.hpp"

namespace rwd::lint {

struct LintRequest {
  std::vector<std::string> sources;                   // empty: every file of the database
  std::string sourceFilter;                           // regex on database files when sources is empty
  std::string excludeFilter;                          // regex of database files to skip
  std::optional<std::string> buildPath;               // -p
  std::optional<std::vector<std::string>> fixedArgs;  // after `--`
  std::vector<std::string> extraArgs;
  std::vector<std::string> extraArgsBefore;
  LintConfig config;        // effective (config file merged with command line)
  std::string resourceDir;  // empty: the one baked in at build time
};

struct LintResult {
  std::vector<Finding> findings;  // sorted by file, line, column, check
  unsigned suppressed = 0;        // silenced by NOLINT
  bool toolError = false;         // a file did not compile, bad input...
  std::string errors;             // compiler diagnostics and tool errors
  std::vector<std::string> processedFiles;
  std::string buildDirectory;
};

// Never throws for bad input: problems come back as toolError + errors.
LintResult runLint(const LintRequest& request);

// Names of the registered checks enabled by a Checks glob string.
std::vector<std::string> enabledChecks(const std::string& globs);

// Every check option with its effective value ("check.Key" -> value), for
// --dump-config.
std::map<std::string, std::string> effectiveOptions(const LintConfig& config);

// The clang resource dir baked in at build time.
std::string defaultResourceDir();

}  // namespace rwd::lint
