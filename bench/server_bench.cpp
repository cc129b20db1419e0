// rewind-server over loopback HTTP: executions started per second (Event Invoke, each
// committed to SQLite before its 202), and the latency of CheckpointDurableExecution
// (p50/p99) as a function's runtime sees it. The benchmark plays the function itself
// through an external worker's Runtime API endpoint, so no handler cost is included.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewind/operation.hpp"
#include "rewind/server/server.hpp"

namespace {

using Json = nlohmann::json;

std::string uriEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct BenchServer {
  std::string dir;
  std::unique_ptr<rwd::server::Server> server;
  BenchServer() {
    char tmpl[] = "/tmp/rewind-server-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    rwd::server::ServerOptions o;
    o.dbPath = dir + "/bench.db";
    o.functions.push_back({"bench", "", "", 1});
    server = std::make_unique<rwd::server::Server>(o);
    server->start();
  }
  ~BenchServer() {
    server.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

void BM_ServerStartExecution(benchmark::State& state) {
  BenchServer s;
  httplib::Client api("127.0.0.1", s.server->port());
  api.set_keep_alive(true);
  api.set_tcp_nodelay(true);  // as curl and the AWS SDKs do
  std::size_t n = 0;
  for (auto _ : state) {
    httplib::Headers h{{"X-Amz-Invocation-Type", "Event"}, {"X-Amz-Durable-Execution-Name", "e" + std::to_string(n++)}};
    auto r = api.Post("/2015-03-31/functions/bench/invocations", h, R"({"n":1})", "application/json");
    if (!r || r->status != 202) state.SkipWithError("Invoke failed");
  }
  state.counters["executions/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ServerStartExecution)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One execution, one invocation: START and SUCCEED of step after step, one
// CheckpointDurableExecution call each, timed from the caller's side.
void BM_ServerCheckpoint(benchmark::State& state) {
  BenchServer s;
  httplib::Client api("127.0.0.1", s.server->port());
  api.set_keep_alive(true);
  api.set_tcp_nodelay(true);  // as curl and the AWS SDKs do
  auto started =
      api.Post("/2015-03-31/functions/bench/invocations",
               {{"X-Amz-Invocation-Type", "Event"}, {"X-Amz-Durable-Execution-Name", "cp"}}, "{}", "application/json");
  std::string runtime = s.server->runtimeApiEndpoints("bench").front();
  httplib::Client worker("127.0.0.1", std::stoi(runtime.substr(runtime.find(':') + 1)));
  worker.set_read_timeout(30, 0);
  auto next = worker.Get("/2018-06-01/runtime/invocation/next");
  if (!started || !next || next->status != 200) {
    state.SkipWithError("no invocation");
    return;
  }
  Json input = Json::parse(next->body);
  std::string arn = input["DurableExecutionArn"], token = input["CheckpointToken"];
  std::string path = "/2025-12-01/durable-executions/" + uriEncode(arn) + "/checkpoint";
  std::vector<double> micros;
  std::size_t step = 0;
  for (auto _ : state) {
    std::string stepId = std::to_string((++step + 1) / 2);  // 1, 1, 2, 2, ...: START then SUCCEED
    Json update{{"Id", rwd::operationIdFor(stepId)},
                {"Type", "STEP"},
                {"SubType", "Step"},
                {"Action", step % 2 ? "START" : "SUCCEED"},
                {"Name", "s" + stepId}};
    if (step % 2 == 0) update["Payload"] = "1";
    Json body{{"CheckpointToken", token}, {"Updates", Json::array({update})}};
    auto t0 = std::chrono::steady_clock::now();
    auto r = api.Post(path, body.dump(), "application/json");
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!r || r->status != 200) {
      state.SkipWithError(("checkpoint failed: " + (r ? r->body : std::string("no answer"))).c_str());
      break;
    }
    token = Json::parse(r->body)["CheckpointToken"];
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}
BENCHMARK(BM_ServerCheckpoint)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
