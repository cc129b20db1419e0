// rewind-run's remote mode over RemoteDurableTestRunner.
#include "remote_run.hpp"

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "rewind/json_text.hpp"
#include "rewind/remote_runner.hpp"

namespace rwd::tools {

int runRemote(const RemoteRunSettings& s) {
  RemoteRunnerOptions o;
  o.functionName = s.function;
  o.endpoint = s.endpoint;
  o.region = s.region;
  if (!s.executionName.empty()) o.executionName = s.executionName;
  o.timeScale = s.timeScale;
  o.timeout = s.timeout;
  o.pollInterval = std::chrono::milliseconds(200);
  std::unique_ptr<RemoteDurableTestRunner> made;
  try {
    made = std::make_unique<RemoteDurableTestRunner>(o);
  } catch (const std::exception& e) {
    std::cerr << "rewind-run: " << e.what() << "\n";
    return 2;
  }
  RemoteDurableTestRunner& runner = *made;
  const std::string& endpoint = runner.options().endpoint;
  try {
    for (const auto& [name, response] : s.responses) runner.onCallback(name, response);
    const RemoteExecutionResult& result = runner.runPayload(s.input);
    if (s.json) {
      std::cout << dumpJson(result.toJson(), 2) << "\n";
    } else {
      result.print(std::cout);
      if (s.showHistory) std::cout << dumpJson(result.historyJson(), 2) << "\n";
    }
    return result.getStatus() == ExecutionStatus::Succeeded ? 0 : 1;
  } catch (const lambda::ExecutionClientError& e) {
    if (e.status() == 0)
      std::cerr << fmt::format("rewind-run: cannot reach {}: {}\n", endpoint, e.what());
    else
      std::cerr << fmt::format("rewind-run: {} refused the call (HTTP {}): {}\n", endpoint, e.status(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rewind-run: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace rwd::tools
