// Runs one of this folder's python3 scripts with a JSON document on stdin and parses its
// JSON output; `available` is false when python3 or botocore is missing (exit 127 / 77),
// so a test can GTEST_SKIP.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace rwd::lambda::testing {

struct PythonRun {
  bool available = false;
  nlohmann::json output;
};

inline PythonRun runPythonTool(const std::string& scriptName, const nlohmann::json& input) {
  const char* src = std::getenv("REWIND_SOURCE_DIR");
  std::filesystem::path script = std::filesystem::path(src ? src : ".") / "tests/lambda" / scriptName;
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("rewind-lambda-py-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::create_directories(dir);
  auto in = dir / "input.json";
  std::ofstream(in) << input.dump();
  std::string cmd = "python3 '" + script.string() + "' < '" + in.string() + "' 2>&1";
  PythonRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = ::pclose(pipe);
  std::filesystem::remove_all(dir);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc == 77 || rc == 127) return run;
  EXPECT_EQ(rc, 0) << out;
  run.available = rc == 0;
  run.output = nlohmann::json::parse(out, nullptr, false);
  return run;
}

}  // namespace rwd::lambda::testing
