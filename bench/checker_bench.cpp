// Cost of the replay verifier: the exhaustive crash check of an N-step workflow (every
// checkpoint, both sides, the execution's own SUCCEED included, plus mid-step timeouts;
// every point its own run, no merging) resuming warm (in-process), cold (fork) and both,
// and the rate of generated schedules for a 20-operation workflow. Figures in
// bench/CHECKER.md.
#include <benchmark/benchmark.h>

#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace {

rwd::RawHandler sequentialSteps() {
  return rwd::makeHandler([](const int& n, rwd::DurableContext& ctx) {
    int sum = 0;
    for (int i = 0; i < n; ++i) sum += ctx.step("step-" + std::to_string(i), [i] { return i; });
    return sum;
  });
}

void BM_ExhaustiveCrashCheck(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::size_t points = 0;
  for (auto _ : state) {
    rwd::checker::CheckOptions o;
    o.confirm = false;
    o.mode = rwd::checker::CheckMode::InProcess;  // warm resumes, in-process; every point its own run
    rwd::checker::CrashChecker checker(sequentialSteps(), std::to_string(n), o);
    auto report = checker.checkExhaustive();
    if (!report.ok() || report.runs != report.crashPoints) state.SkipWithError("unexpected finding or merged point");
    points = report.crashPoints;
  }
  state.counters["crash_points"] = static_cast<double>(points);
  state.SetComplexityN(n);
}
BENCHMARK(BM_ExhaustiveCrashCheck)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->Complexity();

// The same check in fork mode: every invocation of every run in a fresh fork()ed child.
// Measured in wall time: the children's CPU is not the benchmark process's.
void BM_ExhaustiveCrashCheckFork(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::size_t points = 0;
  for (auto _ : state) {
    rwd::checker::CheckOptions o;
    o.confirm = false;
    o.mode = rwd::checker::CheckMode::Fork;
    rwd::checker::CrashChecker checker(sequentialSteps(), std::to_string(n), o);
    auto report = checker.checkExhaustive();
    if (!report.ok()) state.SkipWithError("unexpected finding");
    points = report.crashPoints;
  }
  state.counters["crash_points"] = static_cast<double>(points);
}
BENCHMARK(BM_ExhaustiveCrashCheckFork)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();

// The default check: every crash point resumed both ways, cold (fork) and warm
// (in-process). Wall time, as for fork mode.
void BM_ExhaustiveCrashCheckBothResumes(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  std::size_t runs = 0;
  for (auto _ : state) {
    rwd::checker::CheckOptions o;
    o.confirm = false;
    o.mode = rwd::checker::CheckMode::Both;
    rwd::checker::CrashChecker checker(sequentialSteps(), std::to_string(n), o);
    auto report = checker.checkExhaustive();
    if (!report.ok() || report.runs != 2 * report.crashPoints) state.SkipWithError("unexpected finding");
    runs = report.runs;
  }
  state.counters["crash_runs"] = static_cast<double>(runs);
}
BENCHMARK(BM_ExhaustiveCrashCheckBothResumes)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();

// 10 steps = 20 checkpoint updates: the "20-operation workflow" of the target.
void BM_PropertySchedules(benchmark::State& state) {
  rwd::checker::CheckOptions o;
  o.confirm = false;
  o.mode = rwd::checker::CheckMode::InProcess;
  rwd::checker::CrashChecker checker(sequentialSteps(), "10", o);
  std::size_t schedules = 0;
  for (auto _ : state) {
    rwd::checker::ExploreOptions eo;
    eo.schedules = 100;
    eo.seed = 42;
    auto result = rwd::checker::explore(checker, eo);
    if (!result.report.ok()) state.SkipWithError("unexpected finding");
    schedules += result.report.schedules;
  }
  state.counters["schedules_per_s"] = benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PropertySchedules)->Unit(benchmark::kMillisecond);

}  // namespace
