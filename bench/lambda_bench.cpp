// Lambda transport benchmarks: an execution of N sequential steps whose invocation runs
// in a separate bootstrap process, reaching the runner's service through the Runtime
// API and the durable API over HTTP on 127.0.0.1 (every step: two checkpoint round
// trips), against the same execution in process. The per-checkpoint round trip is
// (time(/100) - time(/1)) / 198; bench/README.md has the figures.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "handler_library.hpp"
#include "lambda_test_server.hpp"
#include "rewind/local_runner.hpp"

namespace {

const rwd::HandlerDefinition& sequentialSteps() {
  static std::shared_ptr<rwd::tools::HandlerLibrary> lib = rwd::tools::HandlerLibrary::open(REWIND_TRANSPORT_HANDLERS);
  return lib->durableHandler("sequential-steps");
}

void runSteps(benchmark::State& state, bool throughLambda) {
  const int n = static_cast<int>(state.range(0));
  const rwd::HandlerDefinition& def = sequentialSteps();
  std::unique_ptr<rwd::testing::LambdaTestServer> server;
  if (throughLambda) {
    server = std::make_unique<rwd::testing::LambdaTestServer>();
    server->runFunction(REWIND_TEST_BOOTSTRAP, "sequential-steps",
                        {std::string("REWIND_HANDLER_LIBRARY=") + REWIND_TRANSPORT_HANDLERS});
  }
  const std::string input = rwd::Json{{"n", n}}.dump();
  for (auto _ : state) {
    rwd::RunnerOptions o;
    if (server) o.invocationExecutor = server->executor();
    rwd::LocalDurableTestRunner runner(def.handler, o);
    const auto& r = runner.runPayload(input);
    if (r.getStatus() != rwd::ExecutionStatus::Succeeded) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(r.getResultPayload());
  }
  state.SetItemsProcessed(state.iterations() * n);
  if (server) state.counters["checkpoint_calls"] = static_cast<double>(server->checkpointCalls());
}

void BM_LambdaTransportSequentialSteps(benchmark::State& state) { runSteps(state, true); }
BENCHMARK(BM_LambdaTransportSequentialSteps)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_InProcessSequentialSteps(benchmark::State& state) { runSteps(state, false); }
BENCHMARK(BM_InProcessSequentialSteps)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
