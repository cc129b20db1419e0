// LambdaTestServer: the Lambda Runtime API and the durable API over real HTTP on
// 127.0.0.1, on top of a local runner's service side, so that a separate `bootstrap`
// process runs an execution's invocations while the records, timers and history stay
// the runner's.
//
//   rwd::testing::LambdaTestServer server;
//   rwd::RunnerOptions o;
//   o.invocationExecutor = server.executor();
//   rwd::testing::BootstrapProcess bootstrap(path, server.environment("hello"));
//   rwd::LocalDurableTestRunner runner(handler, o);   // `handler` only names the execution
//   runner.run(event);                                // invocations run in the bootstrap
//
// Runtime API (2018-06-01): GET /runtime/invocation/next (headers
// Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id, and the
// test-only Rewind-Virtual-Time-Ms: the runner's virtual clock for this invocation),
// POST /runtime/invocation/{id}/response, .../{id}/error, /runtime/init/error.
// Durable API (2025-12-01, the service model's paths): POST
// /durable-executions/{arn}/checkpoint, GET /durable-executions/{arn}/state. A rejected
// checkpoint is a 400 InvalidParameterValueException; a repeated ClientToken gets the
// first answer again. Thread-safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rewind/local_runner.hpp"
#include "wire_log.hpp"

namespace httplib {
class Server;
}

namespace rwd::testing {

struct LambdaTestServerOptions {
  // How long an invocation may take before it counts as crashed (a dead bootstrap).
  std::chrono::milliseconds invocationTimeout{60000};
  std::string functionName = "rewind-test";
  WireLog* log = nullptr;     // every message, as JSON
  int initialStateItems = 0;  // >0: the invocation input holds this many records, the rest is paged
};

class LambdaTestServer {
 public:
  explicit LambdaTestServer(LambdaTestServerOptions options = {});
  ~LambdaTestServer();
  LambdaTestServer(const LambdaTestServer&) = delete;
  LambdaTestServer& operator=(const LambdaTestServer&) = delete;

  int port() const noexcept { return port_; }
  // AWS_LAMBDA_RUNTIME_API, AWS_ENDPOINT_URL_LAMBDA, _HANDLER and fake credentials for a
  // bootstrap that runs `handler`.
  std::vector<std::string> environment(const std::string& handler) const;

  // Runs each invocation through the Runtime API queue (the runner's executor).
  InvocationExecutor executor();

  // Answers the next `n` checkpoint calls with 500 (before applying them).
  void failNextCheckpoints(int n);
  int checkpointCalls() const;
  int stateCalls() const;
  std::vector<std::string> clientTokens() const;  // of every checkpoint call, in order

 private:
  struct Pending;
  InvocationResponse runInvocation(const InvocationRequest& request);
  void routes();

  LambdaTestServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Pending>> queue_;               // waiting for GET .../next
  std::map<std::string, std::shared_ptr<Pending>> running_;  // by request id
  std::shared_ptr<Pending> current_;                         // whose checkpoints arrive
  bool stopping_ = false;
  int failCheckpoints_ = 0;
  int checkpointCalls_ = 0;
  int stateCalls_ = 0;
  std::vector<std::string> clientTokens_;
};

// A bootstrap executable run as a child process with extra environment variables;
// terminated (SIGTERM, then reaped) when destroyed.
class BootstrapProcess {
 public:
  BootstrapProcess(const std::string& path, const std::vector<std::string>& environment);
  ~BootstrapProcess();
  BootstrapProcess(const BootstrapProcess&) = delete;
  BootstrapProcess& operator=(const BootstrapProcess&) = delete;
  int pid() const noexcept { return pid_; }

 private:
  int pid_ = -1;
};

}  // namespace rwd::testing
