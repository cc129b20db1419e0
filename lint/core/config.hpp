// LintConfig: options from a `.rewind-lint` YAML file (the same keys as a
// .clang-tidy file) merged with the command line.
//
//   Checks: 'rewind-*,-rewind-orchestration-blocking-sleep'
//   WarningsAsErrors: 'rewind-suspension-*'
//   HeaderFilterRegex: 'src/.*'
//   CheckOptions:
//     rewind-determinism-nondeterministic-call.UuidFunctions: '::ids::make'
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rwd::lint {

inline constexpr const char* kConfigFileName = ".rewind-lint";
inline constexpr const char* kDefaultChecks = "rewind-*";

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LintConfig {
  std::optional<std::string> checks;
  std::optional<std::string> warningsAsErrors;
  std::optional<std::string> headerFilterRegex;
  std::map<std::string, std::string> checkOptions;  // "check.Key" -> value
};

// Throws ConfigError with a line/column on malformed YAML or unknown keys.
LintConfig parseConfig(std::string_view yaml, const std::string& origin);
LintConfig loadConfigFile(const std::string& path);

// The nearest `.rewind-lint` in `directory` or its parents, or nullopt.
std::optional<std::string> findConfigFile(const std::string& directory);

// `override` wins per key; Checks globs are appended like clang-tidy does.
LintConfig mergeConfig(const LintConfig& base, const LintConfig& override);

// YAML for --dump-config: the effective checks and every check option.
std::string dumpConfig(const LintConfig& effective, const std::map<std::string, std::string>& allOptions);

}  // namespace rwd::lint
