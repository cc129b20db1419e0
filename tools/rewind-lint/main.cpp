// rewind-lint: command line. Exit status 0 (no error-level findings),
// 1 (findings promoted by --warnings-as-errors), 2 (tool error: bad
// arguments, bad config, missing database, a file that does not compile).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/driver.hpp"
#include "core/output.hpp"
#include "core/registry.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitToolError = 2;

bool writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run(int argc, char** argv) {
  // Everything after `--` is the compile command (clang-tidy convention).
  std::vector<std::string> args;
  std::optional<std::vector<std::string>> fixedArgs;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      fixedArgs.emplace(argv + i + 1, argv + argc);
      break;
    }
    args.emplace_back(argv[i]);
  }

  CLI::App app{"rewind-lint: determinism checks for Rewind durable handlers", "rewind-lint"};
  std::vector<std::string> sources;
  std::optional<std::string> buildPath;
  std::optional<std::string> checks;
  std::optional<std::string> warningsAsErrors;
  std::optional<std::string> headerFilter;
  std::optional<std::string> configFile;
  std::optional<std::string> configText;
  std::string exportFixes;
  std::string format = "text";
  std::string outputPath;
  std::string sarifBase;
  std::string sourceFilter;
  std::string excludeFilter;
  std::string resourceDir;
  std::vector<std::string> extraArgs;
  std::vector<std::string> extraArgsBefore;
  bool listChecks = false;
  bool dumpConfigFlag = false;
  bool quiet = false;
  app.add_option("sources", sources, "source files (default: every file of the database)");
  app.add_option("-p,--build-path", buildPath, "directory holding compile_commands.json");
  app.add_option("--checks", checks, "check globs, appended to the config's Checks");
  app.add_option("--warnings-as-errors", warningsAsErrors, "globs of checks whose findings are errors");
  app.add_option("--header-filter", headerFilter, "regex of headers to report findings in");
  app.add_option("--config-file", configFile, "config file (default: nearest .rewind-lint)");
  app.add_option("--config", configText, "inline YAML config, like a .rewind-lint file");
  app.add_option("--export-fixes", exportFixes, "write fixes as clang-apply-replacements YAML");
  app.add_option("--format", format, "output format")->check(CLI::IsMember({"text", "sarif"}));
  app.add_option("-o,--output", outputPath, "write the report to a file instead of stdout");
  app.add_option("--sarif-base", sarifBase, "make SARIF URIs relative to this directory");
  std::string helpUriBase = rwd::lint::defaultHelpUriBase();
  app.add_option("--sarif-help-uri-base", helpUriBase, "absolute URI of the check pages in SARIF rules' helpUri");
  app.add_option("--source-filter", sourceFilter, "regex selecting database files when no source is given");
  app.add_option("--exclude-filter", excludeFilter, "regex of database files to skip");
  app.add_option("--resource-dir", resourceDir, "clang resource dir (default: baked in)");
  app.add_option("--extra-arg", extraArgs, "argument appended to the compile command");
  app.add_option("--extra-arg-before", extraArgsBefore, "argument prepended to the compile command");
  app.add_flag("--list-checks", listChecks, "list the enabled checks and exit");
  app.add_flag("--dump-config", dumpConfigFlag, "print the effective configuration and exit");
  app.add_flag("-q,--quiet", quiet, "no summary on stderr");
  app.set_version_flag("--version", std::string("rewind-lint ") + REWIND_LINT_VERSION_STRING);
  try {
    std::reverse(args.begin(), args.end());
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitToolError;
  }

  // Configuration: file (explicit or nearest), then inline, then flags.
  rwd::lint::LintConfig config;
  try {
    if (!configFile) {
      std::string start = sources.empty() ? std::filesystem::current_path().string()
                                          : std::filesystem::path(sources.front()).parent_path().string();
      configFile = rwd::lint::findConfigFile(start.empty() ? "." : start);
    }
    if (configFile) config = rwd::lint::loadConfigFile(*configFile);
    if (configText) config = rwd::lint::mergeConfig(config, rwd::lint::parseConfig(*configText, "--config"));
  } catch (const rwd::lint::ConfigError& e) {
    std::cerr << "rewind-lint: error: " << e.what() << "\n";
    return kExitToolError;
  }
  rwd::lint::LintConfig flags;
  flags.checks = checks;
  flags.warningsAsErrors = warningsAsErrors;
  flags.headerFilterRegex = headerFilter;
  config = rwd::lint::mergeConfig(config, flags);
  if (!config.checks) config.checks = rwd::lint::kDefaultChecks;

  if (listChecks) {
    std::cout << "Enabled checks:\n";
    for (const std::string& name : rwd::lint::enabledChecks(*config.checks)) {
      std::cout << "    " << name << "\n";
    }
    std::cout << "\n";
    return kExitOk;
  }
  if (dumpConfigFlag) {
    std::cout << rwd::lint::dumpConfig(config, rwd::lint::effectiveOptions(config));
    return kExitOk;
  }
  if (sources.empty() && !buildPath && !fixedArgs) {
    std::cerr << "rewind-lint: error: no input files (give sources, or -p <build-dir> "
                 "to lint the whole compilation database)\n";
    return kExitToolError;
  }

  rwd::lint::LintRequest request;
  request.sources = sources;
  request.sourceFilter = sourceFilter;
  request.excludeFilter = excludeFilter;
  request.buildPath = buildPath;
  request.fixedArgs = fixedArgs;
  request.extraArgs = extraArgs;
  request.extraArgsBefore = extraArgsBefore;
  request.config = config;
  request.resourceDir = resourceDir;
  if (const char* env = std::getenv("REWIND_LINT_RESOURCE_DIR"); env != nullptr && resourceDir.empty()) {
    request.resourceDir = env;
  }
  rwd::lint::LintResult result = rwd::lint::runLint(request);
  std::cerr << result.errors;

  std::string report = format == "sarif" ? rwd::lint::renderSarif(result.findings, sarifBase, helpUriBase)
                                         : rwd::lint::renderText(result.findings);
  if (outputPath.empty()) {
    std::cout << report;
  } else if (!writeFile(outputPath, report)) {
    std::cerr << "rewind-lint: error: cannot write " << outputPath << "\n";
    return kExitToolError;
  }
  if (!exportFixes.empty()) {
    std::string main = result.processedFiles.size() == 1 ? result.processedFiles.front() : "";
    if (!writeFile(exportFixes, rwd::lint::renderFixesYaml(result.findings, main, result.buildDirectory))) {
      std::cerr << "rewind-lint: error: cannot write " << exportFixes << "\n";
      return kExitToolError;
    }
  }
  size_t errors = 0;
  for (const rwd::lint::Finding& finding : result.findings) errors += finding.isError ? 1 : 0;
  if (!quiet) {
    std::cerr << result.findings.size() << " warning" << (result.findings.size() == 1 ? "" : "s") << " (" << errors
              << " as errors, " << result.suppressed << " suppressed by NOLINT) in " << result.processedFiles.size()
              << " file" << (result.processedFiles.size() == 1 ? "" : "s") << ".\n";
  }
  if (result.toolError) return kExitToolError;
  return errors > 0 ? kExitFindings : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rewind-lint: error: " << e.what() << "\n";
    return kExitToolError;
  }
}
