// The Runtime API and the durable API over HTTP on 127.0.0.1 (cpp-httplib), with a
// local runner's detached service behind each invocation.
#include "lambda_test_server.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/durable_api_json.hpp"
#include "rewind/error.hpp"
#include "wire_service.hpp"

extern char** environ;

namespace rwd::testing {

struct LambdaTestServer::Pending {
  std::string requestId;
  std::string inputJson;
  TimePoint virtualNow{};
  std::unique_ptr<DetachedDurableService> service;
  bool handedOut = false;
  bool done = false;
  std::uint64_t generation = 0;  // of the process that took it
  InvocationResponse::End end = InvocationResponse::End::Crashed;
  Payload result;
  std::optional<ErrorObject> error;
};

namespace {

void serviceError(httplib::Response& res, int status, const char* type, const std::string& message) {
  res.status = status;
  res.set_header("X-Amzn-ErrorType", type);
  res.set_content(Json{{"Type", status < 500 ? "User" : "Service"}, {"message", message}}.dump(), "application/json");
}

}  // namespace

LambdaTestServer::LambdaTestServer(LambdaTestServerOptions options)
    : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  routes();
  // A response goes out in two writes (headers, body): without TCP_NODELAY, Nagle holds
  // the body until the client's delayed ACK, ~40 ms per request with libcurl.
  http_->set_tcp_nodelay(true);
  port_ = http_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("[rewind.test_server.bind] cannot bind a port on 127.0.0.1");
  // The socket listens from bind_to_any_port on: clients may connect before accept() runs.
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the accept loop runs: a destructor that came
  // first would wait for ever on the join.
  while (!http_->is_running()) std::this_thread::yield();
}

LambdaTestServer::~LambdaTestServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    // The bootstrap's long poll gets 503 and it ends by itself; SIGTERM ends one that is
    // still busy. Its reaper thread collects it.
    if (functionPid_ > 0) ::kill(functionPid_, SIGTERM);
  }
  cv_.notify_all();
  http_->stop();
  if (thread_.joinable()) thread_.join();
  for (std::thread& t : reapers_) t.join();
}

void LambdaTestServer::runFunction(std::string path, const std::string& handler,
                                   std::vector<std::string> extraEnvironment) {
  std::vector<std::string> env = environment(handler);
  env.insert(env.end(), std::make_move_iterator(extraEnvironment.begin()),
             std::make_move_iterator(extraEnvironment.end()));
  std::lock_guard<std::mutex> lock(mu_);
  if (function_) throw std::logic_error("[rewind.test_server.function_set] runFunction was already called");
  function_ = Function{std::move(path), std::move(env)};
}

int LambdaTestServer::functionStarts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return functionStarts_;
}

int LambdaTestServer::functionExits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return functionExits_;
}

void LambdaTestServer::startFunctionLocked() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.insert(env.end(), function_->environment.begin(), function_->environment.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = function_->path;
  char* argv[] = {exe.data(), nullptr};
  // Lambda ships the function's stdout to CloudWatch: here it joins the test's stderr,
  // so that it cannot mix with a tool's report on stdout.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error(
        fmt::format("[rewind.test_server.spawn] cannot start {}: {}", function_->path, std::strerror(rc)));
  functionPid_ = pid;
  ++generation_;
  currentTook_ = false;
  ++functionStarts_;
  reapers_.emplace_back([this, pid, gen = generation_] { reap(pid, gen); });
}

void LambdaTestServer::reap(int pid, std::uint64_t generation) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++functionExits_;
    lastExit_ = WIFEXITED(status)     ? fmt::format("exit status {}", WEXITSTATUS(status))
                : WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                      : std::string("unknown status");
    if (functionPid_ == pid) functionPid_ = -1;
    for (auto& [id, p] : running_) {
      if (!p->handedOut || p->generation != generation || p->done) continue;
      // As Lambda reports a runtime that died mid-invocation.
      p->end = InvocationResponse::End::Crashed;
      p->error = ErrorObject{"Runtime.ExitError",
                             fmt::format("RequestId: {} Error: Runtime exited with error: {}", id, lastExit_),
                             std::nullopt, std::nullopt};
      p->done = true;
    }
    if (generation == generation_ && !currentTook_ && !stopping_) ++deathsBeforeTaking_;
  }
  cv_.notify_all();
}

std::vector<std::string> LambdaTestServer::environment(const std::string& handler) const {
  return {fmt::format("AWS_LAMBDA_RUNTIME_API=127.0.0.1:{}", port_),
          fmt::format("AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:{}", port_),
          "_HANDLER=" + handler,
          "AWS_REGION=us-east-1",
          "AWS_ACCESS_KEY_ID=AKIDREWINDTEST",
          "AWS_SECRET_ACCESS_KEY=rewind-test-secret",
          "AWS_LAMBDA_FUNCTION_NAME=" + options_.functionName};
}

void LambdaTestServer::failNextCheckpoints(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  failCheckpoints_ = n;
}

int LambdaTestServer::checkpointCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpointCalls_;
}

int LambdaTestServer::stateCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stateCalls_;
}

std::vector<std::string> LambdaTestServer::clientTokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clientTokens_;
}

InvocationExecutor LambdaTestServer::executor() {
  return [this](const InvocationRequest& request, const InProcessInvocation&) { return runInvocation(request); };
}

InvocationResponse LambdaTestServer::runInvocation(const InvocationRequest& request) {
  if (!request.detach) throw std::logic_error("[rewind.test_server.no_detach] the runner offers no detached service");
  auto p = std::make_shared<Pending>();
  p->requestId = request.requestId;
  p->service = request.detach();
  DurableExecutionInvocationInput input = p->service->invocationInput();
  pageInvocationInput(input, options_.initialStateItems);
  Json inputJson = toJson(input);
  if (options_.log) options_.log->add("DurableExecutionInvocationInput", inputJson);
  p->inputJson = inputJson.dump();
  p->virtualNow = p->service->now();
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(p);
  running_[p->requestId] = p;
  cv_.notify_all();
  auto forget = [&] {
    running_.erase(p->requestId);
    if (current_ == p) current_.reset();
    std::erase(queue_, p);
  };
  const auto deadline = std::chrono::steady_clock::now() + options_.invocationTimeout;
  bool timedOut = false;
  while (!p->done && !stopping_) {
    if (function_ && functionPid_ < 0 && !p->handedOut) {
      if (deathsBeforeTaking_ >= 2) {
        forget();
        throw std::runtime_error(
            fmt::format("[rewind.test_server.function_wont_start] {} exited ({}) {} times in a row before taking an "
                        "invocation{}",
                        function_->path, lastExit_, deathsBeforeTaking_,
                        initError_.empty() ? std::string() : "; its init error: " + initError_));
      }
      startFunctionLocked();  // a cold start, or Lambda's fresh environment after a crash
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && !p->done) {
      timedOut = true;
      break;
    }
  }
  if (timedOut && function_ && functionPid_ > 0 && p->handedOut) ::kill(functionPid_, SIGKILL);  // reaped later
  forget();
  InvocationResponse resp;
  for (const OperationUpdate& u : p->service->appliedUpdates()) resp.updates.push_back({u, CheckpointFate::Persist});
  if (!p->done) {
    // Hung (timed out, its process killed), never taken, or the server is stopping.
    resp.end = InvocationResponse::End::Crashed;
    resp.error = ErrorObject{"Sandbox.Timedout",
                             fmt::format("RequestId: {} Error: Task timed out after {} ms", p->requestId,
                                         options_.invocationTimeout.count()),
                             std::nullopt, std::nullopt};
    return resp;
  }
  resp.end = p->end;
  resp.result = std::move(p->result);
  resp.error = std::move(p->error);
  return resp;
}

void LambdaTestServer::routes() {
  httplib::Server& s = *http_;
  s.Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu_);
    // A long poll of a process that has died since (a newer one was started) gets nothing.
    const std::uint64_t generation = generation_;
    cv_.wait(lock, [&] { return !queue_.empty() || stopping_ || generation != generation_; });
    if (stopping_ || generation != generation_) {
      res.status = 503;
      return;
    }
    std::shared_ptr<Pending> p = queue_.front();
    queue_.pop_front();
    p->handedOut = true;
    p->generation = generation;
    deathsBeforeTaking_ = 0;
    currentTook_ = true;
    current_ = p;
    auto ms = [](TimePoint t) { return std::to_string(t.time_since_epoch().count()); };
    res.set_header("Lambda-Runtime-Aws-Request-Id", p->requestId);
    res.set_header("Lambda-Runtime-Deadline-Ms", ms(p->virtualNow + std::chrono::minutes(15)));
    res.set_header("Lambda-Runtime-Invoked-Function-Arn",
                   fmt::format("arn:aws:lambda:us-east-1:123456789012:function:{}", options_.functionName));
    res.set_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
    res.set_header("Rewind-Virtual-Time-Ms", ms(p->virtualNow));
    res.set_content(p->inputJson, "application/json");
  });
  auto finish = [this](const std::string& requestId, httplib::Response& res, auto&& fill) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = running_.find(requestId);
      if (it == running_.end() || it->second->done) {
        serviceError(res, 400, "InvalidRequestContentException", "no invocation " + requestId + " is running");
        return;
      }
      fill(*it->second);
      it->second->done = true;
    }
    cv_.notify_all();
    res.status = 202;
    res.set_content(R"({"status":"OK"})", "application/json");
  };
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/response)",
         [this, finish](const httplib::Request& req, httplib::Response& res) {
           try {
             Json body = Json::parse(req.body);
             if (options_.log) options_.log->add("DurableExecutionInvocationOutput", body);
             DurableExecutionInvocationOutput out = invocationOutputFromJson(body);
             finish(req.matches[1], res, [&](Pending& p) {
               p.end = out.status == InvocationStatus::Succeeded ? InvocationResponse::End::Succeeded
                       : out.status == InvocationStatus::Failed  ? InvocationResponse::End::Failed
                                                                 : InvocationResponse::End::Pending;
               p.result = std::move(out.result);
               p.error = std::move(out.error);
             });
           } catch (const std::exception& e) {
             serviceError(res, 400, "InvalidRequestContentException", e.what());
           }
         });
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/error)",
         [finish](const httplib::Request& req, httplib::Response& res) {
           ErrorObject e{"Runtime.Unknown", req.body, std::nullopt, std::nullopt};
           try {
             Json body = Json::parse(req.body);
             e.errorType = body.value("errorType", std::string("Runtime.Unknown"));
             e.errorMessage = body.value("errorMessage", std::string());
             if (body.contains("errorData") && body["errorData"].is_string())
               e.errorData = body["errorData"].get<std::string>();
           } catch (const std::exception&) {
           }
           finish(req.matches[1], res, [&](Pending& p) {
             p.end = InvocationResponse::End::InvocationFailed;
             p.error = e;
           });
         });
  s.Post("/2018-06-01/runtime/init/error", [this](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      initError_ = req.body;
      // A supervised function exits after its init error: the next start tries again
      // (as Lambda does), and two in a row end the run. Without one, the error ends the
      // invocations waiting for the process.
      if (function_) {
        res.status = 202;
        return;
      }
      for (auto& [id, p] : running_) {
        if (p->done) continue;
        p->end = InvocationResponse::End::InvocationFailed;
        p->error = ErrorObject{"Runtime.InitError", req.body, std::nullopt, std::nullopt};
        p->done = true;
      }
    }
    cv_.notify_all();
    res.status = 202;
  });

  s.Post(R"(/2025-12-01/durable-executions/(.+)/checkpoint)",
         [this](const httplib::Request& req, httplib::Response& res) {
           std::string arn = uriDecode(req.matches[1].str());
           std::lock_guard<std::mutex> lock(mu_);
           ++checkpointCalls_;
           try {
             Json body = Json::parse(req.body);
             if (options_.log)
               options_.log->add("CheckpointDurableExecutionRequest", body, {{"DurableExecutionArn", arn}});
             CheckpointDurableExecutionRequest request = checkpointRequestFromJson(arn, body);
             clientTokens_.push_back(request.clientToken.value_or(""));
             if (failCheckpoints_ > 0) {
               --failCheckpoints_;
               serviceError(res, 500, "ServiceException", "the test server fails this checkpoint call on purpose");
               return;
             }
             if (!current_) {
               serviceError(res, 400, "InvalidParameterValueException", "no invocation of " + arn + " is running");
               return;
             }
             Json answer = toJson(current_->service->checkpointDurableExecution(request));
             if (options_.log) options_.log->add("CheckpointDurableExecutionResponse", answer);
             res.set_content(answer.dump(), "application/json");
           } catch (const InvalidCheckpointError& e) {
             serviceError(res, 400, "InvalidParameterValueException", e.what());
           } catch (const std::invalid_argument& e) {
             serviceError(res, 400, "InvalidParameterValueException", e.what());
           } catch (const std::exception& e) {
             serviceError(res, 500, "ServiceException", e.what());
           }
         });
  s.Get(R"(/2025-12-01/durable-executions/(.+)/state)", [this](const httplib::Request& req, httplib::Response& res) {
    std::string arn = uriDecode(req.matches[1].str());
    std::lock_guard<std::mutex> lock(mu_);
    ++stateCalls_;
    try {
      GetDurableExecutionStateRequest request;
      request.durableExecutionArn = arn;
      request.checkpointToken = req.get_param_value("CheckpointToken");
      Json query{{"CheckpointToken", request.checkpointToken}};
      if (req.has_param("Marker")) {
        request.marker = req.get_param_value("Marker");
        query["Marker"] = *request.marker;
      }
      if (req.has_param("MaxItems")) {
        request.maxItems = std::stoi(req.get_param_value("MaxItems"));
        query["MaxItems"] = *request.maxItems;
      }
      if (options_.log)
        options_.log->add("GetDurableExecutionStateRequest", Json::object(), {{"DurableExecutionArn", arn}}, query);
      if (!current_) {
        serviceError(res, 400, "InvalidParameterValueException", "no invocation of " + arn + " is running");
        return;
      }
      Json answer = toJson(current_->service->getDurableExecutionState(request));
      if (options_.log) options_.log->add("GetDurableExecutionStateResponse", answer);
      res.set_content(answer.dump(), "application/json");
    } catch (const InvalidCheckpointError& e) {
      serviceError(res, 400, "InvalidParameterValueException", e.what());
    } catch (const std::exception& e) {
      serviceError(res, 400, "InvalidParameterValueException", e.what());
    }
  });
}

}  // namespace rwd::testing
