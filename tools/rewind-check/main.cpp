// rewind-check: the replay verifier on the command line.
//   rewind-check LIB.so --handler NAME --event JSON [--exhaustive] [--schedules N] [--seed S]
//                [--reproduce TOKEN] [--report DIR] [--mode both|in-process|fork]
//                [--respond NAME=ACTION]... [--expect-failure] [--merge-equivalent-points]
//   rewind-check replay LIB.so --handler NAME --history FILE.json [--event JSON]
// Exit status: 0 no findings, 1 findings (or a divergence), 2 bad arguments or input,
// 3 the crash-free reference run did not succeed (and --expect-failure was not given).
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "handler_library.hpp"
#include "invocation_timeout_option.hpp"
#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"
#include "rewind/checker/history_replay.hpp"
#include "rewind/checker/report_writer.hpp"
#include "rewind/plugins/plugin_loader.hpp"

namespace {

[[noreturn]] void die(const std::string& message) {
  std::cerr << "rewind-check: error: " << message << "\n";
  std::exit(2);
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  if (!in) die(fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string readEvent(const std::string& event) {
  try {
    return rwd::tools::readEventArgument(event);
  } catch (const std::exception& e) {
    die(e.what());
  }
}

const rwd::HandlerDefinition& findHandler(const rwd::tools::HandlerLibrary& lib, const std::string& name) {
  try {
    return lib.durableHandler(name);
  } catch (const std::exception& e) {
    die(e.what());
  }
}

std::shared_ptr<rwd::tools::HandlerLibrary> openLibrary(const std::string& path) {
  try {
    return rwd::tools::HandlerLibrary::open(path);
  } catch (const std::exception& e) {
    die(e.what());
  }
}

// A progress bar on stderr, redrawn at most every percent.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled, std::string label, std::size_t minTotal = 0)
      : enabled_(enabled), label_(std::move(label)), minTotal_(minTotal) {}
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0 || total < minTotal_) return;
    std::size_t pct = done * 100 / total;
    if (pct == last_ && done != total) return;
    last_ = pct;
    std::size_t filled = pct * 30 / 100;
    std::cerr << fmt::format("\r{} [{}{}] {}/{} ({}%)", label_, std::string(filled, '#'), std::string(30 - filled, '.'),
                             done, total, pct)
              << (done == total ? "\n" : "") << std::flush;
  }

 private:
  bool enabled_;
  std::string label_;
  std::size_t minTotal_;
  std::size_t last_ = 101;
};

int replayMain(int argc, char** argv) {
  CLI::App app{"Replay a recorded execution against the current handler code and report the first divergence."};
  std::string library, handlerName, historyFile, event;
  app.add_option("library", library, "shared library with handlers registered by REWIND_HANDLER")->required();
  app.add_option("--handler", handlerName, "handler name (default: the library's only handler)");
  app.add_option("--history", historyFile,
                 "rewind-run --json output, or a GetDurableExecutionState operation list (JSON)")
      ->required();
  app.add_option("--event", event, "the execution's input (default: from the history's ExecutionStarted)");
  double invocationTimeoutSeconds = 0;
  rwd::tools::addInvocationTimeoutOption(app, invocationTimeoutSeconds);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto lib = openLibrary(library);
  const auto& def = findHandler(*lib, handlerName);
  rwd::Json doc = rwd::Json::parse(readText(historyFile), nullptr, false);
  if (doc.is_discarded()) die(fmt::format("{} is not valid JSON", historyFile));
  try {
    std::optional<rwd::Payload> input;
    if (!event.empty()) input = readEvent(event);
    rwd::RunnerOptions options;
    auto timeout = rwd::tools::invocationTimeoutFromSeconds(invocationTimeoutSeconds);
    options.invocationTimeout = timeout.limit;
    options.invocationTimeoutGrace = timeout.grace;
    auto report = rwd::checker::replayHistory(def.handler, doc, input, options);
    std::cout << report.explain();
    return report.divergence ? 1 : 0;
  } catch (const std::invalid_argument& e) {
    die(e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "replay") return replayMain(argc - 1, argv + 1);

  CLI::App app{
      "Check a durable handler for crash safety: crash every checkpoint boundary (both sides), explore "
      "crash/callback/failure schedules with RapidCheck, and report determinism, result, exactly-once, "
      "rollback and append-only findings.\nAlso: rewind-check replay LIB --handler NAME --history FILE"};
  app.set_version_flag("--version", "rewind-check 0.1.0");
  std::string library, handlerName, event = "null", reproduce, reportDir, mode = "both";
  bool exhaustive = false, progress = false, noProgress = false, expectFailure = false, mergePoints = false;
  std::vector<std::string> responses;
  std::size_t schedules = 0, maxCrashes = 3;
  std::uint64_t seed = 0;
  std::vector<std::string> atMostOnce, pluginLibraries;
  app.add_option("library", library, "shared library with handlers registered by REWIND_HANDLER")->required();
  app.add_option("--handler", handlerName, "handler name (default: the library's only handler)");
  app.add_option("--event", event, "the handler's input: JSON text, or @FILE");
  app.add_flag("--exhaustive", exhaustive,
               "crash at every checkpoint boundary, both sides (default when no --schedules)");
  app.add_option("--schedules", schedules, "RapidCheck: number of generated schedules to try");
  app.add_option("--seed", seed, "RapidCheck seed (default: from the clock; printed)");
  app.add_option("--max-crashes", maxCrashes, "most crashes in one generated schedule");
  app.add_option("--reproduce", reproduce,
                 "re-run one case: a schedule token (rw1....) or a RapidCheck string (reproduce=...)");
  app.add_option("--report", reportDir,
                 "write summary, schedules, histories (JSON) and Chrome traces of each finding to this directory");
  app.add_option("--at-most-once", atMostOnce,
                 "no longer needed (the runtime tells which steps are AtMostOncePerRetry); still accepted: steps "
                 "named here are judged as at-most-once too");
  app.add_option("--mode", mode,
                 "which resumes to explore: both (default: every crash point resumed cold, each invocation in a "
                 "fresh fork()ed child, and warm, in this process), fork (cold only) or in-process (warm only)")
      ->check(CLI::IsMember({"both", "in-process", "fork"}));
  app.add_option("--respond", responses,
                 "answer a callback as rewind-run --respond does: NAME=success[:JSON] | failure[:TYPE[:MESSAGE]] | "
                 "heartbeat | never, optionally @DELAY_SECONDS; '*' matches any callback. A callback nothing answers "
                 "stays open: the checker never invents a payload");
  app.add_flag("--expect-failure", expectFailure,
               "the crash-free reference run may end FAILED or TIMED_OUT (otherwise that is an error, exit status 3)");
  app.add_flag("--merge-equivalent-points", mergePoints,
               "APPROXIMATE: judge crash points that leave the same persisted log by one run; handler code between "
               "them (a remote read, a registry, a static) can make them differ, and a merged point hides that");
  app.add_option("--plugin", pluginLibraries,
                 "load a plugin library (REWIND_PLUGIN) and register its plugin with every run; repeatable. "
                 "Libraries named in DURABLE_EXECUTION_PLUGINS (comma-separated) are loaded first");
  double invocationTimeoutSeconds = 0;
  rwd::tools::addInvocationTimeoutOption(app, invocationTimeoutSeconds);
  app.add_flag("--progress", progress, "always draw the progress bar");
  app.add_flag("--no-progress", noProgress, "never draw the progress bar");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto lib = openLibrary(library);
  const auto& def = findHandler(*lib, handlerName);
  std::string input = readEvent(event);

  rwd::checker::CheckOptions options;
  options.atMostOnceSteps = {atMostOnce.begin(), atMostOnce.end()};
  options.mode = rwd::checker::checkModeFromString(mode).value_or(rwd::checker::CheckMode::Both);
  options.expectFailure = expectFailure;
  options.mergeEquivalentPoints = mergePoints;
  auto timeout = rwd::tools::invocationTimeoutFromSeconds(invocationTimeoutSeconds);
  options.invocationTimeout = timeout.limit;
  options.invocationTimeoutGrace = timeout.grace;
  for (const std::string& spec : responses) {
    try {
      options.callbackResponders.push_back(rwd::checker::parseCallbackRule(spec));
    } catch (const std::invalid_argument& e) {
      die(e.what());
    }
  }
  // The library's own setup and invariants (rewind/checker/library_hooks.hpp).
  if (void* handle = dlopen(lib->path().c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    if (void* setup = dlsym(handle, "rewind_check_setup")) options.setup = reinterpret_cast<void (*)()>(setup);
    if (void* invariants = dlsym(handle, "rewind_check_invariants"))
      options.invariants =
          *static_cast<const std::vector<rwd::checker::Invariant>*>(reinterpret_cast<const void* (*)()>(invariants)());
  }
  try {
    std::vector<std::string> libraries = rwd::pluginLibrariesFromEnvironment();
    libraries.insert(libraries.end(), pluginLibraries.begin(), pluginLibraries.end());
    options.plugins = rwd::loadPluginLibraries(libraries);
  } catch (const std::exception& e) {
    die(e.what());
  }
  options.configureRunner = [lib](rwd::LocalDurableTestRunner& runner) {
    for (const auto& d : lib->registry().all()) {
      if (d.kind == rwd::HandlerKind::Function) runner.registerFunction(d.name, d.function);
      if (d.kind == rwd::HandlerKind::Durable) runner.registerDurableFunction(d.name, d.handler, d.config);
    }
  };
  rwd::checker::CrashChecker checker(def.handler, input, options);
  bool tty = isatty(2) != 0;
  auto drawProgress = [&](std::size_t total) { return !noProgress && (progress || (tty && total >= 100)); };

  rwd::checker::CheckReport total;
  auto merge = [&](const rwd::checker::CheckReport& r) {
    if (total.reference.empty()) total.reference = r.reference;
    if (!total.referenceError) total.referenceError = r.referenceError;
    if (total.resumeKinds.empty()) total.resumeKinds = r.resumeKinds;
    total.runs += r.runs;
    total.crashPoints += r.crashPoints;
    total.schedules += r.schedules;
    total.generatedSchedules += r.generatedSchedules;
    total.equivalentCrashPoints += r.equivalentCrashPoints;
    total.valueOverrideReferences += r.valueOverrideReferences;
    total.orderOverrideReferences += r.orderOverrideReferences;
    total.interruptedStepReferences += r.interruptedStepReferences;
    for (std::size_t i = 0; i < rwd::checker::kOracleCount; ++i) {
      total.passed[i] += r.passed[i];
      total.failed[i] += r.failed[i];
    }
    total.findings.insert(total.findings.end(), r.findings.begin(), r.findings.end());
  };
  std::optional<std::string> rcReproduce;

  if (!reproduce.empty() && reproduce.rfind("rw1.", 0) == 0) {
    rwd::checker::Schedule s;
    try {
      s = rwd::checker::scheduleFromToken(reproduce);
    } catch (const std::invalid_argument& e) {
      die(e.what());
    }
    rwd::checker::CheckReport r;
    if (options.mode == rwd::checker::CheckMode::Fork) checker.useMode(rwd::checker::CheckMode::Fork);
    const rwd::checker::RunTrace& ref = checker.reference(s);
    r.reference =
        fmt::format("{} ({} resume)",
                    ref.status == rwd::ExecutionStatus::Succeeded ? "SUCCEEDED with " + ref.result.value_or("no result")
                                                                  : std::string(rwd::toString(ref.status)),
                    rwd::checker::resumeKind(checker.mode()));
    r.resumeKinds = std::string(rwd::checker::resumeKind(checker.mode()));
    auto findings = checker.check(s, &r);
    r.schedules = 1;
    std::vector<bool> seen(rwd::checker::kOracleCount, false);
    for (auto& f : findings) {
      if (seen[static_cast<std::size_t>(f.oracle)]) continue;
      seen[static_cast<std::size_t>(f.oracle)] = true;
      checker.confirm(f);
      r.findings.push_back(std::move(f));
    }
    merge(r);
  } else {
    if (!reproduce.empty() && schedules == 0) schedules = 1;
    bool runExhaustive = exhaustive || schedules == 0;
    if (runExhaustive) {
      if (options.mode == rwd::checker::CheckMode::Fork) checker.useMode(rwd::checker::CheckMode::Fork);
      // No crashPoints() here: it would run the handler in this process before the cold
      // resumes fork their children. The bar learns the total from the progress calls.
      ProgressBar bar(!noProgress && (progress || tty), "crash points", progress ? 0 : 100);
      merge(checker.checkExhaustive({}, [&](std::size_t d, std::size_t t) { bar(d, t); }));
    }
    if (schedules > 0 && !total.referenceError) {
      // Property schedules resume warm (in-process) unless --mode fork.
      checker.useMode(options.mode == rwd::checker::CheckMode::Fork ? rwd::checker::CheckMode::Fork
                                                                    : rwd::checker::CheckMode::InProcess);
      if (seed == 0) seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
      ProgressBar bar(drawProgress(schedules), "schedules   ");
      rwd::checker::ExploreOptions eo;
      eo.schedules = schedules;
      eo.seed = seed;
      eo.maxCrashes = maxCrashes;
      if (!reproduce.empty()) eo.rcReproduce = reproduce;
      eo.progress = [&](std::size_t d, std::size_t t) { bar(d, t); };
      auto result = rwd::checker::explore(checker, eo);
      rcReproduce = result.rcReproduce;
      merge(result.report);
    }
  }

  std::cout << fmt::format("rewind-check {} --handler {} (mode: {})\n", library, def.name, mode);
  if (schedules > 0) std::cout << fmt::format("seed: {}\n", seed);
  std::cout << total.summary();
  if (rcReproduce)
    std::cout << fmt::format("RapidCheck: RC_PARAMS=\"{}\" (or --reproduce '{}')\n", *rcReproduce, *rcReproduce);
  if (!reportDir.empty()) {
    try {
      rwd::checker::ReportFiles files = rwd::checker::writeReport(total, reportDir);
      std::cout << fmt::format("report written to {}\n", reportDir);
      for (std::size_t i = 0; i < files.findings.size(); ++i) {
        const auto& f = files.findings[i];
        if (!f.referenceTrace && !f.failingTrace) continue;
        std::cout << fmt::format("finding {} traces (open in ui.perfetto.dev):\n", i + 1);
        if (f.referenceTrace) std::cout << fmt::format("  reference: {}\n", f.referenceTrace->string());
        if (f.failingTrace) std::cout << fmt::format("  failing:   {}\n", f.failingTrace->string());
      }
    } catch (const std::exception& e) {
      die(e.what());
    }
  }
  if (total.referenceError) return 3;
  return total.ok() ? 0 : 1;
}
