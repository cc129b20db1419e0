// Runtime benchmarks: full runs of N sequential steps on a fresh runner (skip-time), and
// one invocation replaying an N-step checkpoint log to completion.
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "execution_store.hpp"
#include "invocation.hpp"
#include "local_service.hpp"
#include "rewind/local_runner.hpp"

extern char** environ;

namespace {

// ---- the first run in a fresh process ------------------------------------------------
// BM_ColdFirstRun re-executes this program with REWIND_BENCH_COLD_CHILD set; the child
// times its very first run of a 1-step handler (nothing of the runtime has run in it
// yet), prints the nanoseconds and exits before main. Process start-up and loading are
// not counted: only what the first run itself costs.
const bool kColdChild = [] {
  if (!std::getenv("REWIND_BENCH_COLD_CHILD")) return false;
  auto t0 = std::chrono::steady_clock::now();
  {
    rwd::LocalDurableTestRunner runner(
        [](const rwd::Json&, rwd::DurableContext& ctx) { return ctx.step("step", [] { return 1; }); });
    if (runner.run().getStatus() != rwd::ExecutionStatus::Succeeded) std::_Exit(3);
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%lld\n", static_cast<long long>(ns));
  std::fflush(stdout);
  std::_Exit(0);
}();

void BM_ColdFirstRun(benchmark::State& state) {
  for (auto _ : state) {
    int out[2];
    if (pipe(out) != 0) state.SkipWithError("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string self = "/proc/self/exe", flag = "REWIND_BENCH_COLD_CHILD=1";
    std::vector<char*> env{flag.data()};
    for (char** e = environ; *e; ++e) env.push_back(*e);
    env.push_back(nullptr);
    char* argv[] = {self.data(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv, env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string text;
    char buf[64];
    for (ssize_t k; (k = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(k));
    close(out[0]);
    int status = 0;
    if (rc == 0) waitpid(pid, &status, 0);
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty()) {
      state.SkipWithError("the cold child failed");
      break;
    }
    state.SetIterationTime(static_cast<double>(std::stoll(text)) * 1e-9);
  }
}
BENCHMARK(BM_ColdFirstRun)->UseManualTime()->Unit(benchmark::kMicrosecond);

int sequentialSteps(int n, rwd::DurableContext& ctx) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += ctx.step("step", [i](rwd::StepContext&) { return i; });
  return sum;
}

void BM_RunSequentialSteps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    rwd::LocalDurableTestRunner runner([n](const rwd::Json&, rwd::DurableContext& ctx) { return sequentialSteps(n, ctx); });
    const auto& r = runner.run();
    if (r.getStatus() != rwd::ExecutionStatus::Succeeded) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(r.getResultPayload());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RunSequentialSteps)->Arg(1)->Arg(100)->Arg(10000)->Arg(20000)->Unit(benchmark::kMicrosecond);
// A million steps: one run is seconds, so one iteration (#16.16 compares it with a million map items).
BENCHMARK(BM_RunSequentialSteps)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

// The same with an explicitly empty plugin list (must cost the same), and with one
// plugin whose hooks do nothing (the price of observing every hook).
void runWithPlugins(benchmark::State& state, rwd::PluginList plugins) {
  const int n = static_cast<int>(state.range(0));
  rwd::RunnerOptions options;
  options.handlerConfig.plugins = std::move(plugins);
  for (auto _ : state) {
    rwd::LocalDurableTestRunner runner(
        [n](const rwd::Json&, rwd::DurableContext& ctx) { return sequentialSteps(n, ctx); }, options);
    const auto& r = runner.run();
    if (r.getStatus() != rwd::ExecutionStatus::Succeeded) state.SkipWithError("run failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
void BM_RunSequentialStepsEmptyPluginList(benchmark::State& state) { runWithPlugins(state, {}); }
BENCHMARK(BM_RunSequentialStepsEmptyPluginList)->Arg(100)->Unit(benchmark::kMicrosecond);
void BM_RunSequentialStepsNoopPlugin(benchmark::State& state) {
  runWithPlugins(state, {std::make_shared<rwd::Plugin>()});
}
BENCHMARK(BM_RunSequentialStepsNoopPlugin)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_ReplaySequentialSteps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  rwd::RawHandler handler = rwd::makeHandler([n](const rwd::Json&, rwd::DurableContext& ctx) {
    int sum = sequentialSteps(n, ctx);
    ctx.wait("end", std::chrono::seconds(1));
    return sum;
  });
  // Invocation 1 executes every step and suspends on the wait; the wait then completes.
  rwd::internal::ExecutionStore base(rwd::kDefaultEpoch, 1, "arn:aws:lambda:us-east-1:123456789012:function:bench");
  rwd::internal::InvocationSettings settings;
  const rwd::internal::ExecutionStore* clockOf = &base;
  settings.clock = [&clockOf] { return clockOf->now(); };
  {
    rwd::internal::LocalDurableService service(base);
    auto input = service.invocationInput(rwd::Payload("null"), rwd::kDefaultEpoch);
    rwd::internal::Invocation first(service, input, settings);
    if (first.run(handler, rwd::Payload("null")).end != rwd::internal::InvocationEnd::Pending)
      state.SkipWithError("setup did not suspend");
    auto timer = base.popNextTimer();
    base.fire(*timer);
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<rwd::internal::ExecutionStore>(base);
    clockOf = store.get();
    state.ResumeTiming();
    rwd::internal::LocalDurableService service(*store);
    auto input = service.invocationInput(rwd::Payload("null"), rwd::kDefaultEpoch);
    rwd::internal::Invocation replay(service, input, settings);
    auto out = replay.run(handler, rwd::Payload("null"));
    if (out.end != rwd::internal::InvocationEnd::Succeeded) state.SkipWithError("replay did not succeed");
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ReplaySequentialSteps)->Arg(10000)->Unit(benchmark::kMillisecond);

// Runs `handler` on a fresh runner each iteration; range(0) items a run.
template <class Handler>
void runEachIteration(benchmark::State& state, const Handler& handler) {
  for (auto _ : state) {
    rwd::LocalDurableTestRunner runner(handler);
    const auto& r = runner.run();
    if (r.getStatus() != rwd::ExecutionStatus::Succeeded) state.SkipWithError("run failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// A map of n one-step items under `nesting`.
void runMap(benchmark::State& state, rwd::Nesting nesting) {
  std::vector<int> items(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int>(i);
  rwd::MapConfig<int, int> config;
  config.nesting = nesting;
  runEachIteration(state, [&](const rwd::Json&, rwd::DurableContext& ctx) {
    auto r = ctx.map(
        "items", items,
        [](rwd::DurableContext& c, const int& item, std::size_t, const std::vector<int>&) {
          return c.step("work", [item](rwd::StepContext&) { return item * 2; });
        },
        config);
    return r.successCount();
  });
}

void BM_MapItems(benchmark::State& state) { runMap(state, rwd::Nesting::Nested); }
BENCHMARK(BM_MapItems)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MapItems)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

// The same map with Nesting::Flat: an item is its step alone (no CONTEXT operation of its
// own), so an item costs a step plus the map's bookkeeping.
void BM_MapItemsFlat(benchmark::State& state) { runMap(state, rwd::Nesting::Flat); }
BENCHMARK(BM_MapItemsFlat)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MapItemsFlat)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

// What a map item is made of, without the map: a child context holding one step, n
// times in a row (one CONTEXT and one STEP operation, four checkpointed updates, four
// history events each). A map item costs about this much (#16.16: the map's own
// bookkeeping is the difference between the two).
void BM_ChildContextSteps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  runEachIteration(state, [n](const rwd::Json&, rwd::DurableContext& ctx) {
    int sum = 0;
    for (int i = 0; i < n; ++i)
      sum += ctx.runInChildContext("item", [i](rwd::DurableContext& c) {
        return c.step("work", [i](rwd::StepContext&) { return i * 2; });
      });
    return sum;
  });
}
BENCHMARK(BM_ChildContextSteps)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ChildContextSteps)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_ParallelBranches(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  runEachIteration(state, [n](const rwd::Json&, rwd::DurableContext& ctx) {
    std::vector<rwd::Branch<int>> branches;
    for (int i = 0; i < n; ++i)
      branches.emplace_back([i](rwd::DurableContext& c) { return c.step("work", [i](rwd::StepContext&) { return i; }); });
    return ctx.parallel("fan-out", branches).successCount();
  });
}
BENCHMARK(BM_ParallelBranches)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
