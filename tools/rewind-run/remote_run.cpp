// rewind-run's remote mode over RemoteDurableTestRunner.
#include "remote_run.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "rewind/json_text.hpp"
#include "rewind/plugins/chrome_trace.hpp"
#include "rewind/plugins/timeline_html.hpp"
#include "rewind/remote_runner.hpp"

namespace rwd::tools {
namespace {

// --trace / --timeline: the timeline of the execution as its history describes it (the
// endpoint ran the handler, so no plugin saw it). False after a one-line error.
bool writeTimelineFiles(const RemoteRunSettings& s, const RemoteExecutionResult& result) {
  if (s.tracePath.empty() && s.timelinePath.empty()) return true;
  TimelineSource source{result.getExecutionArn(), result.getStatus(),      result.getResultPayload(), result.getError(),
                        result.getOperations(),   result.getInvocations(), result.getHistoryEvents()};
  Timeline timeline = buildTimeline(source);
  auto write = [](const std::string& path, const char* what, const auto& writeTo) {
    if (path.empty()) return true;
    std::ofstream out(path);
    if (out) writeTo(out);
    if (out) return true;
    std::cerr << fmt::format("rewind-run: cannot write the {} to {}\n", what, path);
    return false;
  };
  return write(s.tracePath, "trace", [&](std::ostream& out) { writeChromeTrace(timeline, out); }) &&
         write(s.timelinePath, "timeline", [&](std::ostream& out) {
           writeTimelineHtml(timeline, out, fmt::format("{} — rewind-run --endpoint", s.function));
         });
}

}  // namespace

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
    if (!writeTimelineFiles(s, result)) return 2;
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
