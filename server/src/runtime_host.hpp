// RuntimeHost: the function processes rewind-server runs and the Lambda Runtime API it
// serves them. Each worker is one process (the function's `bootstrap`, or any Lambda
// runtime interface client) with a Runtime API endpoint of its own on 127.0.0.1, so the
// server knows which process holds which invocation: a process that exits while it holds
// one fails that invocation (Runtime.ExitError) and is started again; one that outlives
// its invocation's deadline is killed (Sandbox.Timedout). The engine re-invokes.
//
// Thread-safety: start() and stop() from one thread; the rest runs on its own threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine.hpp"

namespace httplib {
class Server;
}

namespace rwd::server::internal {

// Runs `http`'s accept loop (it is bound already) on a new thread and returns once the loop
// runs: cpp-httplib's stop() does nothing before then, so a stop() that came first would
// leave the loop running and the thread's join() waiting for ever.
std::thread listenInBackground(httplib::Server& http);

struct FunctionSpec {
  std::string name;
  std::string executable;  // empty: no process; something else polls the endpoint
  std::string library;     // REWIND_HANDLER_LIBRARY for a host bootstrap (empty: none)
  std::string handler;     // _HANDLER; empty: the bootstrap's only handler
  int concurrency = 1;     // worker processes
};

class RuntimeHost {
 public:
  // `apiEndpoint`: the server's durable API (AWS_ENDPOINT_URL_LAMBDA of the workers).
  // `env`: variables set in every worker's environment in place of inherited ones (an
  // empty value removes the variable).
  RuntimeHost(Engine& engine, std::vector<FunctionSpec> functions, std::string apiEndpoint, bool sendVirtualTime,
              std::vector<std::pair<std::string, std::string>> env = {});
  ~RuntimeHost();
  RuntimeHost(const RuntimeHost&) = delete;
  RuntimeHost& operator=(const RuntimeHost&) = delete;

  void start();
  void stop();  // terminates the processes (SIGTERM, then SIGKILL) and the endpoints
  std::vector<std::string> endpoints(const std::string& function) const;  // 127.0.0.1:PORT each

 private:
  struct Worker;
  void serve(Worker& w);  // (re)opens the worker's endpoint for its current generation
  void closeEndpoint(Worker& w);
  void spawn(Worker& w);
  void superviseLoop();

  Engine& engine_;
  std::vector<FunctionSpec> functions_;
  std::string apiEndpoint_;
  bool sendVirtualTime_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::thread supervisor_;
};

}  // namespace rwd::server::internal
