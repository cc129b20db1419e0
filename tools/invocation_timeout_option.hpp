// --invocation-timeout SECONDS, shared by the tools that run handlers (rewind-run,
// rewind-check, rewind-conformance): a wall-clock limit on each invocation, like a Lambda
// function's timeout, so that a handler that never returns cannot hang the tool.
#pragma once

#include <chrono>
#include <cmath>
#include <optional>

#include <CLI/CLI.hpp>

namespace rwd::tools {

inline constexpr double kDefaultInvocationTimeoutSeconds = 60;

inline CLI::Option* addInvocationTimeoutOption(CLI::App& app, double& seconds) {
  seconds = kDefaultInvocationTimeoutSeconds;
  return app
      .add_option("--invocation-timeout", seconds,
                  "wall-clock limit of one invocation in seconds, like a Lambda function's timeout (default 60; 0: "
                  "none). Past it the invocation stops at its next durable operation and the execution fails with "
                  "[rewind.invocation.timeout]; a handler that reaches none soon after (an endless loop, a blocking "
                  "call) ends the tool with exit status 124")
      ->check(CLI::Range(0.0, 900.0 * 24));
}

// The limit, and the grace after it before a stuck handler ends the process: as long as
// the limit itself, at most 5 s.
struct InvocationTimeout {
  std::optional<std::chrono::milliseconds> limit;
  std::chrono::milliseconds grace{5000};
};

inline InvocationTimeout invocationTimeoutFromSeconds(double seconds) {
  InvocationTimeout t;
  if (seconds <= 0) return t;
  auto ms = std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
  t.limit = ms;
  t.grace = std::min(ms, std::chrono::milliseconds(5000));
  return t;
}

}  // namespace rwd::tools
