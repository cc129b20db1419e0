// runLint as a whole: broken input is a tool error, never a crash; the
// resource dir is baked in; check globs select checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

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

// A target built with precompiled headers by g++ (rewind_precompile_headers, CMake's
// target_precompile_headers) compiles with `-include cmake_pch.hxx`, and GCC's
// cmake_pch.hxx.gch lies beside it; clang's driver would load that file as its own PCH and
// fail. The header is still force-included (the source uses it without including it), in
// each spelling of the option.
TEST(DriverTest, AForcedIncludeWithAGccPrecompiledHeaderBesideItStillCompiles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("rewind-lint-pch-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "cmake_pch.hxx") << "#pragma once\ninline int forcedValue() { return 7; }\n";
  std::ofstream(dir / "cmake_pch.hxx.gch") << "gpch.014 not a clang precompiled header";
  std::ofstream(dir / "uses_forced.cpp") << "int useIt() { return forcedValue(); }\n";
  std::string header = (dir / "cmake_pch.hxx").string();
  for (const std::vector<std::string>& spelling :
       {std::vector<std::string>{"-Winvalid-pch", "-include", header}, {"-include" + header}, {"--include=" + header},
        {"--include", header}}) {
    LintRequest request;
    request.sources = {(dir / "uses_forced.cpp").string()};
    request.fixedArgs = std::vector<std::string>{"-std=c++20"};
    request.fixedArgs->insert(request.fixedArgs->end(), spelling.begin(), spelling.end());
    request.config.checks = "rewind-*";
    LintResult result = runLint(request);
    EXPECT_FALSE(result.toolError) << spelling.back() << ": " << result.errors;
  }
  // Without the header the file does not compile: the test sees the forced include.
  LintRequest bare;
  bare.sources = {(dir / "uses_forced.cpp").string()};
  bare.fixedArgs = std::vector<std::string>{"-std=c++20"};
  bare.config.checks = "rewind-*";
  EXPECT_TRUE(runLint(bare).toolError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rwd::lint::testing
