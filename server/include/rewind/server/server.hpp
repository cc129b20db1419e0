// rwd::server::Server — rewind-server: the AWS Lambda durable execution API on one machine.
//
// It serves, over HTTP on `host:port`, the Lambda service model's durable calls (Invoke
// with DurableExecutionName, CheckpointDurableExecution, GetDurableExecutionState,
// GetDurableExecution, GetDurableExecutionHistory, ListDurableExecutionsByFunction,
// StopDurableExecution, SendDurableExecutionCallbackSuccess/Failure/Heartbeat), keeps
// every execution in a SQLite file (WAL), and runs each function as separate processes
// that speak the Lambda Runtime API (Rewind's `bootstrap`, or any runtime interface
// client), which it also serves. After a kill -9 and a restart on the same file, no
// acknowledged call is lost: due timers fire and interrupted invocations run again.
//
//   rwd::server::ServerOptions o;
//   o.dbPath = "rewind.db";
//   o.functions.push_back({"hello", "/path/to/bootstrap"});
//   rwd::server::Server server(o);
//   server.start();                       // port() is known from here on
//   server.wait();                        // until stop() (e.g. from a signal handler)
//
// Thread-safety: start(), stop() and wait() from one thread; the server runs on its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rwd::server {

struct FunctionConfig {
  std::string name;        // the FunctionName clients use
  std::string executable;  // run with AWS_LAMBDA_RUNTIME_API set; empty: external workers
                           // (runtimeApiEndpoints(); a runtime interface client you start);
                           // a shared library of REWIND_HANDLERs (*.so): run by lambdaHost
  std::string handler;     // _HANDLER (empty: the executable's only handler)
  int concurrency = 1;     // processes, each running one invocation at a time
  // This function's executions' ExecutionTimeout (virtual seconds), as Lambda's per-function
  // DurableConfig sets it; 0: ServerOptions::executionTimeoutSeconds.
  std::int64_t executionTimeoutSeconds = 0;
};

// An access key the API accepts (rewind-server --auth ID:SECRET).
struct AccessKey {
  std::string accessKeyId;
  std::string secretAccessKey;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string dbPath = "rewind-server.db";
  std::vector<FunctionConfig> functions;
  // Virtual time runs `timeScale` times as fast as real time (waits, retry delays and
  // callback timeouts shrink accordingly); 1 is the real clock.
  double timeScale = 1.0;
  std::chrono::milliseconds invocationTimeout{900000};  // real time
  int maxInvocationAttempts = 5;                        // failed invocations in a row before the execution fails
  // Operation records an invocation's input (InitialExecutionState) carries at most; the
  // function pages the rest with GetDurableExecutionState (NextMarker).
  std::size_t initialStateItems = 1000;
  std::int64_t executionTimeoutSeconds = 86400;  // virtual time; the execution then ends TIMED_OUT
  // The bootstrap that hosts handler libraries (tools/rewind-lambda-host); needed only for
  // functions whose executable is a .so.
  std::string lambdaHost;
  std::string region = "us-east-1";
  std::string account = "123456789012";
  // Not empty: every API request must carry a valid SigV4 Authorization by one of these
  // keys, for `region` and service "lambda", dated within 15 minutes of the real clock;
  // others are answered 403 as Lambda answers them. The function processes the server
  // starts get a key of their own (random, made at start) and AWS_REGION = `region`.
  std::vector<AccessKey> accessKeys;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the database, recovers its running executions, binds and starts serving.
  // Throws std::runtime_error ([rewind.server.*]) when it cannot.
  void start();
  int port() const noexcept;
  std::string endpoint() const;  // http://host:port
  // AWS_LAMBDA_RUNTIME_API values (127.0.0.1:PORT), one per worker of `function`: for
  // functions without an executable, whose workers something else runs.
  std::vector<std::string> runtimeApiEndpoints(const std::string& function) const;
  void stop();
  void wait();  // returns once stop() was called

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwd::server
