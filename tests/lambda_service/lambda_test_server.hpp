// LambdaTestServer: the Lambda Runtime API and the durable API over real HTTP on
// 127.0.0.1, on top of a local runner's service side, so that a separate `bootstrap`
// process runs an execution's invocations while the records, timers and history stay
// the runner's.
//
//   rwd::testing::LambdaTestServer server;
//   server.runFunction(bootstrapPath, "hello");       // started (and restarted) as Lambda does
//   rwd::RunnerOptions o;
//   o.invocationExecutor = server.executor();
//   rwd::LocalDurableTestRunner runner(handler, o);   // `handler` only names the execution
//   runner.run(event);                                // invocations run in the bootstrap
//
// The function's process: as Lambda, the server starts the bootstrap when an invocation
// arrives and none is running, and again after it exited or was killed. A process that
// exits during an invocation ends that invocation as Crashed (Runtime.ExitError) at once;
// an invocation that outlives invocationTimeout has its process killed (SIGKILL) and ends
// Crashed too: nothing waits forever. A process that dies twice in a row before taking an
// invocation makes the executor throw [rewind.test_server.function_wont_start].
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
  // How long an invocation may take before its process is killed and it counts as
  // crashed (a hung bootstrap; a dead one is noticed at once).
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

  // The function this server runs: the executable `path` with environment(handler) plus
  // `extraEnvironment` (NAME=value), its stdout sent to stderr. Started on demand and
  // restarted after it exits (see the top of this file). Call once, before invocations.
  void runFunction(std::string path, const std::string& handler, std::vector<std::string> extraEnvironment = {});
  int functionStarts() const;  // processes started so far (1 + restarts)
  int functionExits() const;   // processes that exited or were killed while the server ran

  // Answers the next `n` checkpoint calls with 500 (before applying them).
  void failNextCheckpoints(int n);
  int checkpointCalls() const;
  int stateCalls() const;
  std::vector<std::string> clientTokens() const;  // of every checkpoint call, in order

 private:
  struct Pending;
  InvocationResponse runInvocation(const InvocationRequest& request);
  void routes();
  // With mu_ held: starts the function's process and its reaper thread.
  void startFunctionLocked();
  // The reaper: waits for `pid` to end, then ends the invocation it had taken.
  void reap(int pid, std::uint64_t generation);

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

  // The supervised function (runFunction).
  struct Function {
    std::string path;
    std::vector<std::string> environment;
  };
  std::optional<Function> function_;
  int functionPid_ = -1;          // -1: no process alive
  std::uint64_t generation_ = 0;  // bumped when a process starts; a long poll of an older one gets nothing
  int functionStarts_ = 0;
  int functionExits_ = 0;
  bool currentTook_ = false;    // the newest process has taken an invocation
  int deathsBeforeTaking_ = 0;  // consecutive processes that died without taking an invocation
  std::string lastExit_;        // how the last process ended
  std::string initError_;       // the last /runtime/init/error body
  std::vector<std::thread> reapers_;
};

}  // namespace rwd::testing
