// rewind-run: runs a durable handler from a shared library to its end, like the AWS
// `run-durable`, and prints its result and operation timeline.
//
//   rewind-run build/examples/libhello_workflow.so --handler hello --event '"alice"' --skip-time
//   rewind-run ... --trace trace.json --timeline timeline.html   (Perfetto trace, HTML timeline)
//   rewind-run --endpoint http://127.0.0.1:9000 --function hello --event '"alice"'   (on rewind-server or AWS)
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "handler_library.hpp"
#include "invocation_timeout_option.hpp"
#ifdef REWIND_RUN_REMOTE
#include "rewind-run/remote_run.hpp"
#endif
#include "rewind/history_json.hpp"
#include "rewind/json_text.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/plugins/json_log_plugin.hpp"
#include "rewind/plugins/plugin_loader.hpp"
#include "rewind/plugins/timeline_html.hpp"
#include "rewind/plugins/trace_plugin.hpp"

namespace {

[[noreturn]] void die(const std::string& message) {
  std::cerr << "rewind-run: " << message << "\n";
  std::exit(2);
}

// NAME=success[:TEXT] | failure[:TYPE[:MESSAGE]] | heartbeat | never, optionally @SECONDS.
// TEXT is the callback's answer as is (the one payload rule of the README).
std::pair<std::string, rwd::CallbackResponse> parseResponse(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) die(fmt::format("--respond '{}': expected NAME=ACTION", spec));
  std::string name = spec.substr(0, eq);
  std::string action = spec.substr(eq + 1);
  long delay = 0;
  if (auto at = action.rfind('@'); at != std::string::npos &&
                                   action.find_first_not_of("0123456789", at + 1) == std::string::npos &&
                                   at + 1 < action.size()) {
    // Whole seconds on the virtual clock, at most a year (the service's longest wait);
    // more is a typo, not a schedule, and would overflow the clock.
    constexpr long kMaxDelaySeconds = 365L * 24 * 3600;
    std::string digits = action.substr(at + 1);
    if (digits.size() > 9 || std::stol(digits) > kMaxDelaySeconds)
      die(fmt::format("--respond '{}': the delay must be at most {} seconds (one year) [rewind.tools.bad_respond]",
                      spec, kMaxDelaySeconds));
    delay = std::stol(digits);
    action = action.substr(0, at);
  }
  std::string kind = action.substr(0, action.find(':'));
  std::string rest = action.find(':') == std::string::npos ? "" : action.substr(action.find(':') + 1);
  rwd::CallbackResponse r;
  if (kind == "success") {
    r = rwd::CallbackResponse::success(rest.empty() ? rwd::Payload() : rwd::Payload(rest));
  } else if (kind == "failure") {
    auto colon = rest.find(':');
    std::string type = rest.empty() ? "Error" : rest.substr(0, colon);
    std::string message = colon == std::string::npos ? "" : rest.substr(colon + 1);
    r = rwd::CallbackResponse::failure({type, message, std::nullopt, std::nullopt});
  } else if (kind == "heartbeat") {
    r = rwd::CallbackResponse::heartbeat();
  } else if (kind == "never") {
    r = rwd::CallbackResponse::never();
  } else {
    die(fmt::format("--respond '{}': the action must be success, failure, heartbeat or never", spec));
  }
  return {name, r.after(rwd::Duration{delay})};
}

// "60 s", "2 h 30 min", "350 ms": how long rewind-run waits in real time.
std::string describeWait(std::chrono::milliseconds wait) {
  using namespace std::chrono;
  if (wait < seconds(1)) return fmt::format("{} ms", wait.count());
  auto s = duration_cast<seconds>(wait).count();
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min {} s", s / 60, s % 60);
  return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run a durable handler locally on a virtual clock and print its result and timeline."};
  app.set_version_flag("--version", "rewind-run 0.1.0");
  std::string library, handlerName, event = "null", jsonOut, tracePath, timelinePath;
  bool skipTime = false, verbose = false, showHistory = false, json = false, list = false, hookLog = false;
  std::uint64_t seed = 1;
  std::vector<std::string> responses, pluginLibraries;
  app.add_option("library", library, "shared library with handlers registered by REWIND_HANDLER (not with --function)");
  app.add_option("--handler", handlerName, "handler name (default: the library's only handler)");
  app.add_option("--event", event, "the handler's input: JSON text, or @FILE");
  app.add_flag("--skip-time", skipTime, "fire every timer at once instead of waiting in real time");
  app.add_flag("--verbose", verbose, "print log records (JSON lines) on stderr");
  app.add_flag("--show-history", showHistory, "print the execution history events");
  app.add_flag("--json", json, "print result, operations and history as one JSON document");
  app.add_flag("--list", list, "list the library's handlers and exit");
  app.add_option("--trace", tracePath, "write the execution as Chrome Trace Event JSON (open it in ui.perfetto.dev)");
  app.add_option("--timeline", timelinePath, "write a self-contained HTML page drawing the execution's timeline");
  app.add_flag("--hook-log", hookLog, "print one JSON line per plugin hook on stderr (rwd::JsonLogPlugin)");
  app.add_option("--seed", seed, "seed for callback ids, request ids and jitter");
  app.add_option("--plugin", pluginLibraries,
                 "load a plugin library (REWIND_PLUGIN) and register its plugin; repeatable. Libraries named in "
                 "DURABLE_EXECUTION_PLUGINS (comma-separated) are loaded first");
  app.add_option("--respond", responses,
                 "answer a callback: NAME=success[:TEXT] | failure[:TYPE[:MESSAGE]] | heartbeat | never, optionally "
                 "@DELAY_SECONDS; '*' matches any callback. TEXT is sent as is: a std::string callback receives "
                 "it unchanged (success:approved), a typed one parses it as JSON (success:{\"ok\":true})");
  double invocationTimeoutSeconds = 0;
  rwd::tools::addInvocationTimeoutOption(app, invocationTimeoutSeconds);
#ifdef REWIND_RUN_REMOTE
  std::string endpoint, function, region, executionName;
  double timeScale = 1.0, timeoutSeconds = 3600;
  auto* endpointOpt = app.add_option("--endpoint", endpoint,
                                     "run on a deployed function through this Lambda API endpoint (rewind-server, "
                                     "or AWS; default with --function: AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, "
                                     "else Lambda in AWS_REGION) instead of in process");
  auto* functionOpt = app.add_option("--function", function, "the deployed function to run (remote mode)");
  app.add_option("--region", region, "remote mode: the signing region (default: AWS_REGION, else us-east-1)");
  app.add_option("--name", executionName, "remote mode: the DurableExecutionName (default: a fresh one)");
  app.add_option("--time-scale", timeScale,
                 "remote mode: the endpoint's clock speed (rewind-server --time-scale); --respond delays are "
                 "divided by it")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", timeoutSeconds, "remote mode: give up after this many seconds (real time)")
      ->check(CLI::PositiveNumber);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "rewind-run: " << e.what() << " (see --help)\n";  // one line, as every other error
    return 2;
  }

#ifdef REWIND_RUN_REMOTE
  if (*endpointOpt || *functionOpt) {
    if (function.empty())
      die("--endpoint needs --function NAME, the deployed function to run [rewind.tools.no_function]");
    if (!library.empty())
      die(fmt::format(
          "--function runs a deployed function: drop the library argument '{}' [rewind.tools.remote_option]", library));
    // What happens inside the function's process is the endpoint's: its clock, ids and plugins.
    for (const char* opt : {"--skip-time", "--seed", "--plugin", "--hook-log", "--list", "--handler", "--verbose",
                            "--invocation-timeout"})
      if (app.count(opt) > 0)
        die(
            fmt::format("{} applies to a run in process, not to --function (the endpoint runs the handler; use "
                        "rewind-server --time-scale for time) [rewind.tools.remote_option]",
                        opt));
    rwd::tools::RemoteRunSettings settings;
    settings.endpoint = endpoint;
    settings.function = function;
    settings.region = region;
    settings.executionName = executionName;
    settings.timeScale = timeScale;
    settings.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeoutSeconds * 1000));
    settings.json = json;
    settings.showHistory = showHistory;
    settings.tracePath = tracePath;
    settings.timelinePath = timelinePath;
    try {
      settings.input = rwd::tools::readEventArgument(event);
    } catch (const std::exception& e) {
      die(e.what());
    }
    for (const auto& spec : responses) settings.responses.push_back(parseResponse(spec));
    return rwd::tools::runRemote(settings);
  }
#endif
  if (library.empty())
    die("a handler library is required (or --function NAME to run a deployed function) [rewind.tools.no_library]");
  std::shared_ptr<rwd::tools::HandlerLibrary> lib;
  try {
    lib = rwd::tools::HandlerLibrary::open(library);
  } catch (const std::exception& e) {
    die(e.what());
  }
  if (list) {
    for (const auto& d : lib->registry().all())
      std::cout << d.name << (d.kind == rwd::HandlerKind::Function ? " (function)" : "") << "\n";
    return 0;
  }
  const rwd::HandlerDefinition* def = nullptr;
  std::string input;
  try {
    def = &lib->durableHandler(handlerName);
    input = rwd::tools::readEventArgument(event);
  } catch (const std::exception& e) {
    die(e.what());
  }

  rwd::RunnerOptions options;
  options.skipTime = skipTime;
  options.seed = seed;
  options.handlerConfig = def->config;
  auto timeout = rwd::tools::invocationTimeoutFromSeconds(invocationTimeoutSeconds);
  options.invocationTimeout = timeout.limit;
  options.invocationTimeoutGrace = timeout.grace;
  try {
    std::vector<std::string> libraries = rwd::pluginLibrariesFromEnvironment();
    libraries.insert(libraries.end(), pluginLibraries.begin(), pluginLibraries.end());
    for (auto& plugin : rwd::loadPluginLibraries(libraries)) options.handlerConfig.plugins.push_back(plugin);
  } catch (const std::exception& e) {
    die(e.what());
  }
  auto trace = std::make_shared<rwd::TracePlugin>();
  if (!tracePath.empty() || !timelinePath.empty()) options.handlerConfig.plugins.push_back(trace);
  if (hookLog)
    options.handlerConfig.plugins.push_back(
        std::make_shared<rwd::JsonLogPlugin>(rwd::JsonLogOptions{.stream = &std::cerr}));
  options.functionName = def->name;
  if (verbose) options.logStream = &std::cerr;
  if (!skipTime)
    options.epoch = rwd::TimePoint(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()));
  rwd::LocalDurableTestRunner runner(def->handler, options);
  for (const auto& d : lib->registry().all()) {
    if (d.kind == rwd::HandlerKind::Function) runner.registerFunction(d.name, d.function);
    if (d.kind == rwd::HandlerKind::Durable) runner.registerDurableFunction(d.name, d.handler, d.config);
  }
  for (const auto& spec : responses) {
    auto [name, response] = parseResponse(spec);
    runner.onCallback(name, response);
  }

  const rwd::ExecutionResult* result = &runner.runPayload(input);
  // Real time: sleep until the next timer is due on the wall clock, then fire it.
  // Each wait is announced (what and how long), so a long wait does not look like a hang.
  while (!skipTime && result->getStatus() == rwd::ExecutionStatus::Running) {
    std::optional<rwd::TimePoint> next = runner.nextTimer();
    if (!next) break;
    auto wait = *next - runner.now();
    std::cerr << fmt::format("rewind-run: waiting {} (until {}) for {}; --skip-time skips waits\n", describeWait(wait),
                             rwd::formatTimestamp(*next), runner.describeNextTimer().value_or("the next timer"));
    std::this_thread::sleep_for(wait);
    result = &runner.advanceToNextTimer();
  }
  for (const std::string& name : runner.unmatchedResponders())
    std::cerr << fmt::format("rewind-run: --respond '{}' answered nothing: no operation is named '{}'\n", name, name);

  auto writeFile = [&](const std::string& path, const char* what, const auto& write) {
    if (path.empty()) return;
    std::ofstream out(path);
    if (out) write(out);
    if (!out) die(fmt::format("cannot write the {} to {}", what, path));
  };
  writeFile(tracePath, "trace", [&](std::ostream& out) { trace->writeTrace(*result, out); });
  writeFile(timelinePath, "timeline", [&](std::ostream& out) {
    rwd::writeTimelineHtml(trace->timeline(*result), out, fmt::format("{} — rewind-run", def->name));
  });

  if (json) {
    std::cout << rwd::dumpJson(result->toJson(), 2) << "\n";
  } else {
    result->print(std::cout);
    if (showHistory) std::cout << rwd::dumpJson(result->historyJson(), 2) << "\n";
  }
  return result->getStatus() == rwd::ExecutionStatus::Succeeded ? 0 : 1;
}
