// rewind-run --endpoint URL --function NAME: the execution runs on a deployed function
// (rewind-server or AWS Lambda) through rwd::RemoteDurableTestRunner instead of in
// process; the output options mean what they mean for a local run.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "rewind/local_runner.hpp"

namespace rwd::tools {

struct RemoteRunSettings {
  std::string endpoint;  // empty: AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL / Lambda in the region
  std::string function;
  std::string region;         // empty: the environment's
  std::string executionName;  // empty: a fresh one
  std::string input;          // the event's JSON
  std::vector<std::pair<std::string, CallbackResponse>> responses;
  double timeScale = 1.0;  // the endpoint's clock speed (responder delays are divided by it)
  std::chrono::milliseconds timeout{std::chrono::hours(1)};
  bool json = false;
  bool showHistory = false;
  std::string tracePath;     // the execution as Chrome Trace Event JSON (from its history)
  std::string timelinePath;  // the HTML timeline (from its history)
};

// Runs the execution and prints it (and writes its trace and timeline, drawn from the
// history the endpoint returns, as rewind-server's /ui draws them); returns rewind-run's
// exit status (0 succeeded, 1 it did not, 2 when the endpoint cannot be reached or refuses
// the call or a file cannot be written, with a one-line error on stderr).
int runRemote(const RemoteRunSettings& settings);

}  // namespace rwd::tools
