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

// `bootstrap`: null runs in process; else the executable the test server starts as the function.
void runSteps(benchmark::State& state, const char* bootstrap) {
  const int n = static_cast<int>(state.range(0));
  const rwd::HandlerDefinition& def = sequentialSteps();
  std::unique_ptr<rwd::testing::LambdaTestServer> server;
  if (bootstrap) {
    server = std::make_unique<rwd::testing::LambdaTestServer>();
    server->runFunction(bootstrap, "sequential-steps",
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

// The minimal test bootstrap (cpp-httplib client, the SDK core).
void BM_LambdaTransportSequentialSteps(benchmark::State& state) { runSteps(state, REWIND_TEST_BOOTSTRAP); }
BENCHMARK(BM_LambdaTransportSequentialSteps)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

#ifdef REWIND_REAL_BOOTSTRAP
// lambda/'s real bootstrap (rewind-lambda-host: the Runtime API loop, the durable API
// client over libcurl with SigV4 signing), the code a deployed function runs.
void BM_RealBootstrapSequentialSteps(benchmark::State& state) { runSteps(state, REWIND_REAL_BOOTSTRAP); }
BENCHMARK(BM_RealBootstrapSequentialSteps)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();
#endif

void BM_InProcessSequentialSteps(benchmark::State& state) { runSteps(state, nullptr); }
BENCHMARK(BM_InProcessSequentialSteps)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
