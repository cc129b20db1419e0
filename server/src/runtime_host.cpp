// Worker processes and their Runtime API endpoints (cpp-httplib), supervised: restarted
// when they exit, killed when an invocation outlives its deadline.
#include "runtime_host.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "rewind/durable_api_json.hpp"
#include "service_error.hpp"

extern char** environ;

namespace rwd::server::internal {

struct RuntimeHost::Worker {
  int id = -1;
  const FunctionSpec* spec = nullptr;
  // One endpoint per process: a request still buffered from a process that died can
  // only reach its own endpoint, whose generation is no longer current, so no
  // invocation is ever handed to a dead process.
  std::unique_ptr<httplib::Server> http;
  std::thread thread;
  int port = 0;
  pid_t pid = -1;
  int restarts = 0;            // in a row, for back-off
  bool freshEndpoint = false;  // the last process died: the next one gets a new endpoint
  std::chrono::steady_clock::time_point spawnedAt{};
  std::chrono::steady_clock::time_point startAt{};
};

namespace {

void runtimeError(httplib::Response& res, int status, const char* type, const std::string& message) {
  res.status = status;
  res.set_header("X-Amzn-ErrorType", type);
  res.set_content(Json{{"errorType", type}, {"errorMessage", message}}.dump(), "application/json");
}

}  // namespace

RuntimeHost::RuntimeHost(Engine& engine, std::vector<FunctionSpec> functions, std::string apiEndpoint,
                         bool sendVirtualTime, std::vector<std::pair<std::string, std::string>> env)
    : engine_(engine),
      functions_(std::move(functions)),
      apiEndpoint_(std::move(apiEndpoint)),
      sendVirtualTime_(sendVirtualTime),
      env_(std::move(env)) {}

std::thread listenInBackground(httplib::Server& http) {
  auto ended = std::make_shared<std::atomic<bool>>(false);
  std::thread t([&http, ended] {
    http.listen_after_bind();
    *ended = true;
  });
  // listen_after_bind marks the server running before its first accept(); it can only
  // return earlier than that if it failed, and then there is nothing to stop.
  while (!http.is_running() && !*ended) std::this_thread::sleep_for(std::chrono::microseconds(200));
  return t;
}

RuntimeHost::~RuntimeHost() { stop(); }

void RuntimeHost::closeEndpoint(Worker& w) {
  if (w.http) w.http->stop();
  if (w.thread.joinable()) w.thread.join();
  w.http.reset();
}

void RuntimeHost::serve(Worker& w) {
  closeEndpoint(w);
  w.http = std::make_unique<httplib::Server>();
  httplib::Server& s = *w.http;
  const std::uint64_t generation = engine_.workerGeneration(w.id);
  s.new_task_queue = [] { return new httplib::ThreadPool(4); };
  // The runtime keeps one connection for its whole life: never close it under it.
  s.set_keep_alive_max_count(1 << 30);
  s.set_keep_alive_timeout(24 * 3600);
  s.set_tcp_nodelay(true);
  s.Get("/2018-06-01/runtime/invocation/next", [this, &w, generation](const httplib::Request&, httplib::Response& res) {
    while (!stopping_) {
      std::optional<Dispatch> d = engine_.nextInvocation(w.id, generation, std::chrono::milliseconds(1000));
      if (!d) {
        if (engine_.stopping() || engine_.workerGeneration(w.id) != generation) break;
        continue;
      }
      auto ms = [](TimePoint t) { return std::to_string(t.time_since_epoch().count()); };
      res.set_header("Lambda-Runtime-Aws-Request-Id", d->requestId);
      res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(d->deadlineMs));
      res.set_header("Lambda-Runtime-Invoked-Function-Arn", d->functionArn);
      res.set_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
      if (sendVirtualTime_) res.set_header("Rewind-Virtual-Time-Ms", ms(d->virtualNow));
      res.set_content(d->payload, "application/json");
      return;
    }
    runtimeError(res, 500, "Runtime.Unavailable", "the server is stopping");
  });
  auto accepted = [](httplib::Response& res) {
    res.status = 202;
    res.set_content(R"({"status":"OK"})", "application/json");
  };
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/response)",
         [this, accepted](const httplib::Request& req, httplib::Response& res) {
           try {
             engine_.invocationOutput(req.matches[1], invocationOutputFromJson(Json::parse(req.body)));
             accepted(res);
           } catch (const ServiceError& e) {
             runtimeError(res, e.status(), "InvalidRequestID", e.what());
           } catch (const std::exception& e) {
             // Not a DurableExecutionInvocationOutput: the invocation failed.
             try {
               engine_.invocationError(req.matches[1], ErrorObject{"Runtime.InvalidResponse", e.what(), {}, {}});
             } catch (const std::exception&) {
             }
             runtimeError(res, 400, "InvalidResponse", e.what());
           }
         });
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/error)",
         [this, accepted](const httplib::Request& req, httplib::Response& res) {
           ErrorObject e{"Runtime.Unknown", req.body, std::nullopt, std::nullopt};
           try {
             Json body = Json::parse(req.body);
             e.errorType = body.value("errorType", std::string("Runtime.Unknown"));
             e.errorMessage = body.value("errorMessage", std::string());
           } catch (const std::exception&) {
           }
           try {
             engine_.invocationError(req.matches[1], e);
             accepted(res);
           } catch (const ServiceError& err) {
             runtimeError(res, err.status(), "InvalidRequestID", err.what());
           }
         });
  s.Post("/2018-06-01/runtime/init/error", [accepted](const httplib::Request& req, httplib::Response& res) {
    std::cerr << "[rewind.server.init_error] a function process failed to start: " << req.body << "\n";
    accepted(res);
  });
  w.port = s.bind_to_any_port("127.0.0.1");
  if (w.port <= 0) throw std::runtime_error("[rewind.server.bind] cannot bind a Runtime API port on 127.0.0.1");
  w.thread = listenInBackground(s);
}

std::vector<std::string> RuntimeHost::endpoints(const std::string& function) const {
  std::vector<std::string> out;
  for (const auto& w : workers_)
    if (w->spec->name == function) out.push_back(fmt::format("127.0.0.1:{}", w->port));
  return out;
}

void RuntimeHost::spawn(Worker& w) {
  if (w.spec->executable.empty()) return;  // an external worker
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("AWS_LAMBDA_RUNTIME_API=") || v.starts_with("_HANDLER=") ||
        v.starts_with("REWIND_HANDLER_LIBRARY=") ||
        std::any_of(env_.begin(), env_.end(), [&](const auto& kv) { return v.starts_with(kv.first + "="); }))
      continue;
    env.emplace_back(*e);
  }
  for (const auto& [name, value] : env_)
    if (!value.empty()) env.push_back(name + "=" + value);
  env.push_back(fmt::format("AWS_LAMBDA_RUNTIME_API=127.0.0.1:{}", w.port));
  env.push_back("AWS_ENDPOINT_URL_LAMBDA=" + apiEndpoint_);
  env.push_back("_HANDLER=" + w.spec->handler);
  if (!w.spec->library.empty()) env.push_back("REWIND_HANDLER_LIBRARY=" + w.spec->library);
  env.push_back("AWS_LAMBDA_FUNCTION_NAME=" + w.spec->name);
  env.push_back("AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
  auto overridden = [&](std::string_view name) {
    return std::any_of(env_.begin(), env_.end(), [&](const auto& kv) { return kv.first == name; });
  };
  if (!std::getenv("AWS_REGION") && !overridden("AWS_REGION")) env.push_back("AWS_REGION=us-east-1");
  if (!std::getenv("AWS_ACCESS_KEY_ID") && !overridden("AWS_ACCESS_KEY_ID"))
    env.push_back("AWS_ACCESS_KEY_ID=AKIDREWINDSERVER");
  if (!std::getenv("AWS_SECRET_ACCESS_KEY") && !overridden("AWS_SECRET_ACCESS_KEY"))
    env.push_back("AWS_SECRET_ACCESS_KEY=rewind-server-local");
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = w.spec->executable;
  char* argv[] = {exe.data(), nullptr};
  // A runtime starts as Lambda starts it: no signal blocked, none ignored. (rewind-server
  // blocks SIGINT and SIGTERM for its sigwait and ignores SIGPIPE, and both would be
  // inherited: a runtime could then not be stopped with SIGTERM.)
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), nullptr, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::cerr << fmt::format("[rewind.server.spawn] cannot start {}: {}\n", exe, std::strerror(rc));
    w.pid = -1;
  } else {
    w.pid = pid;
    w.spawnedAt = std::chrono::steady_clock::now();
  }
}

void RuntimeHost::start() {
  for (const FunctionSpec& f : functions_) {
    for (int i = 0; i < std::max(1, f.concurrency); ++i) {
      auto w = std::make_unique<Worker>();
      w->spec = &f;
      w->id = engine_.addWorker(f.name);
      serve(*w);
      workers_.push_back(std::move(w));
    }
  }
  for (auto& w : workers_) spawn(*w);
  supervisor_ = std::thread([this] { superviseLoop(); });
}

void RuntimeHost::superviseLoop() {
  while (!stopping_) {
    for (auto& wp : workers_) {
      Worker& w = *wp;
      if (w.pid > 0) {
        int status = 0;
        pid_t r = ::waitpid(w.pid, &status, WNOHANG);
        if (r == w.pid) {
          std::string how = WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                                : fmt::format("exit status {}", WEXITSTATUS(status));
          w.pid = -1;
          engine_.workerLost(w.id,
                             ErrorObject{"Runtime.ExitError", fmt::format("Error: Runtime exited with error: {}", how),
                                         std::nullopt, std::nullopt});
          // Back off when a process keeps dying: 0.1 s, 0.2 s, ... up to 5 s.
          if (std::chrono::steady_clock::now() - w.spawnedAt > std::chrono::seconds(10)) w.restarts = 0;
          w.freshEndpoint = true;
          auto delay = std::chrono::milliseconds(std::min(5000, 100 << std::min(w.restarts, 6)));
          ++w.restarts;
          w.startAt = std::chrono::steady_clock::now() + delay;
        }
      }
      if (w.pid <= 0 && !w.spec->executable.empty() && !stopping_ && std::chrono::steady_clock::now() >= w.startAt) {
        if (w.freshEndpoint) serve(w);  // a fresh endpoint for the new process
        w.freshEndpoint = false;
        spawn(w);
        if (w.pid <= 0) w.startAt = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      }
    }
    for (int worker : engine_.expireInvocations()) {
      Worker& w = *workers_.at(static_cast<std::size_t>(worker));
      if (w.pid > 0) ::kill(w.pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RuntimeHost::stop() {
  if (stopping_.exchange(true)) return;
  if (supervisor_.joinable()) supervisor_.join();
  for (auto& w : workers_)
    if (w->pid > 0) ::kill(w->pid, SIGTERM);
  for (auto& w : workers_) {
    if (w->pid <= 0) continue;
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(w->pid, &status, WNOHANG) == w->pid) {
        w->pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (w->pid > 0) {
      ::kill(w->pid, SIGKILL);
      ::waitpid(w->pid, &status, 0);
      w->pid = -1;
    }
  }
  for (auto& w : workers_) closeEndpoint(*w);
}

}  // namespace rwd::server::internal
