// rewind-conformance: runs AWS durable-execution conformance requirement files
// against C++ handlers loaded from shared libraries, and reports each one
// PASS / FAIL / SKIP / NOT-IMPLEMENTED / OPTIONAL-FAILED.
//
//   rewind-conformance --requirements ../shared/conformance
//       --handlers build/tests/conformance/librewind_conformance_handlers.so [--filter 1.17] [-v]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "../handler_library.hpp"
#include "../invocation_timeout_option.hpp"
#ifdef REWIND_CONFORMANCE_TRANSPORTS
#include "conformance_transport.hpp"
#endif
#include "conformance_runner.hpp"
#ifdef REWIND_CONFORMANCE_ENDPOINT
#include "endpoint_execution.hpp"
#endif
#include "handler_set.hpp"
#include "requirement.hpp"
#include "rewind/plugins/plugin_loader.hpp"

namespace {

using rwd::conformance::Report;
using rwd::conformance::Verdict;

void printDetails(const Report& r) {
  if (!r.ran) return;
  for (const auto& ev : r.history)
    std::cout << "    " << ev.dump(-1, ' ', false, rwd::Json::error_handler_t::replace) << '\n';
  std::cout << "    status: " << r.status;
  if (r.result) std::cout << "  result: " << *r.result;
  if (!r.error.empty()) std::cout << "  error: " << r.error;
  std::cout << '\n';
  for (const auto& rec : r.logs)
    std::cout << "    log: " << rec.dump(-1, ' ', false, rwd::Json::error_handler_t::replace) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs AWS durable-execution conformance requirement files against C++ handlers."};
  std::string requirementsDir;
  std::vector<std::string> libraries;
  std::vector<std::string> filters, pluginLibraries;
  std::uint64_t seed = 7;
  bool verbose = false;
  app.add_option("--requirements", requirementsDir, "directory of requirement files (searched recursively) or one file")
      ->required();
  auto* handlersOpt = app.add_option("--handlers", libraries,
                                     "shared library of REWIND_HANDLER / REWIND_FUNCTION registrations (repeatable)");
  app.add_option("--filter", filters,
                 "run only this requirement id (1.17), file stem (1-17) or family (step); repeatable");
  app.add_option("--seed", seed, "seed of the runner (ids, jitter) and of ${GEN_STR:n} variables")
      ->capture_default_str();
  app.add_option("--plugin", pluginLibraries,
                 "load a plugin library (REWIND_PLUGIN) and register its plugin with every handler; repeatable. "
                 "Libraries named in DURABLE_EXECUTION_PLUGINS (comma-separated) are loaded first");
  double invocationTimeoutSeconds = 0;
  rwd::tools::addInvocationTimeoutOption(app, invocationTimeoutSeconds);
  app.add_flag("-v,--verbose", verbose, "print the actual history, result and logs of failing requirements");
  std::string transport = "in-process";
#ifdef REWIND_CONFORMANCE_TRANSPORTS
  std::string bootstrap = REWIND_TEST_BOOTSTRAP;
  app.add_option("--transport", transport,
                 "also run each requirement through a transport and require the in-process history: json "
                 "(the durable API's JSON in process) or lambda (a bootstrap process, Runtime API and durable API "
                 "over HTTP on 127.0.0.1)")
      ->capture_default_str();
  app.add_option("--bootstrap", bootstrap, "the bootstrap executable of --transport lambda")->capture_default_str();
#endif
#ifdef REWIND_CONFORMANCE_ENDPOINT
  rwd::conformance::EndpointSettings endpoint;
  double timeoutSeconds = 120;
  auto* endpointOpt = app.add_option(
      "--endpoint", endpoint.endpoint,
      "run each requirement on a deployed function through this Lambda API endpoint (rewind-server or AWS): the "
      "Input as an Invoke, CallbackActions as SendDurableExecutionCallback* calls, the history from "
      "GetDurableExecutionHistory; --handlers is then not needed");
  app.add_option("--function-prefix", endpoint.functionPrefix, "--endpoint: requirement a.b runs on function PREFIXa-b")
      ->capture_default_str();
  app.add_option("--time-scale", endpoint.timeScale,
                 "--endpoint: the endpoint's clock speed (rewind-server --time-scale); CallbackActions' Delay is "
                 "divided by it")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--region", endpoint.region, "--endpoint: the signing region (default: AWS_REGION)");
  app.add_option("--timeout", timeoutSeconds, "--endpoint: seconds (real time) one requirement may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const bool throughEndpoint = endpointOpt->count() > 0;
  endpoint.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeoutSeconds * 1000));
#else
  CLI11_PARSE(app, argc, argv);
  const bool throughEndpoint = false;
#endif
  if (!throughEndpoint && handlersOpt->count() == 0) {
    std::cerr << "rewind-conformance: --handlers is required (or --endpoint URL) [rewind.conformance.no_handlers]\n";
    return 2;
  }

  rwd::conformance::HandlerSet handlers;
  std::vector<std::shared_ptr<rwd::tools::HandlerLibrary>> loaded;
  std::vector<rwd::conformance::Requirement> requirements;
  rwd::PluginList plugins;
  try {
    std::vector<std::string> pluginPaths = rwd::pluginLibrariesFromEnvironment();
    pluginPaths.insert(pluginPaths.end(), pluginLibraries.begin(), pluginLibraries.end());
    plugins = rwd::loadPluginLibraries(pluginPaths);
    for (const std::string& path : libraries) {
      loaded.push_back(rwd::tools::HandlerLibrary::open(path));
      handlers.add(loaded.back()->registry(), path);
    }
    requirements = rwd::conformance::findRequirements(requirementsDir);
  } catch (const std::exception& e) {
    std::cerr << "rewind-conformance: " << e.what() << '\n';
    return 2;
  }
  if (!filters.empty()) {
    std::erase_if(requirements, [&](const rwd::conformance::Requirement& r) {
      for (const auto& f : filters)
        if (rwd::conformance::selects(f, r)) return false;
      return true;
    });
  }
  if (requirements.empty()) {
    std::cerr << "rewind-conformance: no requirement file under " << requirementsDir
              << (filters.empty() ? "" : " matches the filter") << '\n';
    return 2;
  }

  rwd::conformance::RunSettings settings;
  settings.seed = seed;
  settings.plugins = plugins;
  auto timeout = rwd::tools::invocationTimeoutFromSeconds(invocationTimeoutSeconds);
  settings.invocationTimeout = timeout.limit;
  settings.invocationTimeoutGrace = timeout.grace;
  if (transport != "in-process") {
#ifdef REWIND_CONFORMANCE_TRANSPORTS
    try {
      settings.transport = rwd::testing::makeConformanceTransport(transport, handlers, seed, bootstrap);
      settings.transportName = transport;
    } catch (const std::exception& e) {
      std::cerr << "rewind-conformance: " << e.what() << '\n';
      return 2;
    }
#endif
  }
#ifdef REWIND_CONFORMANCE_ENDPOINT
  if (throughEndpoint) {
    if (transport != "in-process" || app.count("--invocation-timeout") > 0) {
      std::cerr << "rewind-conformance: --endpoint runs the handlers on the endpoint: --transport and "
                   "--invocation-timeout do not apply (use rewind-server --invocation-timeout) "
                   "[rewind.conformance.bad_option]\n";
      return 2;
    }
    settings.endpoint = rwd::conformance::makeEndpointExecution(endpoint);
    settings.endpointName = endpoint.endpoint.empty() ? "the environment's Lambda endpoint" : endpoint.endpoint;
  }
#endif
  std::size_t passed = 0, failed = 0, skipped = 0;
  for (const auto& requirement : requirements) {
    Report r = rwd::conformance::runRequirement(requirement, handlers, settings);
    switch (r.verdict) {
      case Verdict::Pass:
        ++passed;
        break;
      case Verdict::Fail:
        ++failed;
        break;
      default:
        ++skipped;
        break;
    }
    std::cout << fmt::format("{:<15} {:<6} {:<28} {}", rwd::conformance::toString(r.verdict), requirement.id,
                             requirement.displayPath, r.message)
              << '\n';
    if (verbose && (r.verdict == Verdict::Fail || r.verdict == Verdict::OptionalFailed)) printDetails(r);
    std::cout.flush();
  }
  std::cout << fmt::format("{} passed, {} failed, {} skipped", passed, failed, skipped) << '\n';
  return failed == 0 ? 0 : 1;
}
