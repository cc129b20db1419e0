// The real hello_lambda `bootstrap` as a separate process, against a scripted Runtime API
// and a scripted durable API on 127.0.0.1: handler selection, init errors, and
// hello_workflow across two invocations (wait -> PENDING -> re-invoked with the state the
// first invocation checkpointed -> SUCCEEDED), its first checkpoint call failing once
// with 500 and retried with the same ClientToken.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "local_server.hpp"

extern char** environ;

namespace rwd::lambda {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kArn = "arn:aws:lambda:us-east-1:123456789012:function:hello:$LATEST/durable-execution/e-1/abc";

// A child process with extra environment variables; killed and reaped when destroyed.
class Child {
 public:
  Child(const std::string& path, const std::vector<std::string>& extraEnv) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    env.insert(env.end(), extraEnv.begin(), extraEnv.end());
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string arg0 = path;
    char* argv[] = {arg0.data(), nullptr};
    if (posix_spawn(&pid_, path.c_str(), nullptr, nullptr, argv, envp.data()) != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  // The exit code, waiting at most `limit` (polling waitpid; nothing sleeps in between
  // but the scheduler's yield).
  std::optional<int> waitExit(std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::yield();
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

struct Post {
  std::string path;
  std::string body;
  std::string errorType;
};

// Runtime API: /next hands out queued events one by one (blocking until one is queued);
// posts are recorded and waited for.
class ScriptedRuntimeApi {
 public:
  ScriptedRuntimeApi() {
    server_.http().Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, 60s, [&] { return !events_.empty() || stopping_; }) || events_.empty()) {
        res.status = 500;
        return;
      }
      std::string event = events_.front();
      events_.pop_front();
      res.set_header("Lambda-Runtime-Aws-Request-Id", "req-" + std::to_string(++served_));
      res.set_header("Lambda-Runtime-Deadline-Ms", "4102444800000");
      res.set_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:hello");
      res.set_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000001");
      res.set_content(event, "application/json");
    });
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      posts_.push_back({req.path, req.body, req.get_header_value("Lambda-Runtime-Function-Error-Type")});
      res.status = 202;
      cv_.notify_all();
    };
    server_.http().Post(R"(/2018-06-01/runtime/invocation/([^/]+)/(response|error))", record);
    server_.http().Post("/2018-06-01/runtime/init/error", record);
    server_.start();
  }
  ~ScriptedRuntimeApi() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  std::string address() const { return server_.address(); }
  void push(std::string event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    cv_.notify_all();
  }
  // The n-th post (1-based), waiting for it.
  std::optional<Post> post(std::size_t n) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, 60s, [&] { return posts_.size() >= n; })) return std::nullopt;
    return posts_[n - 1];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> events_;
  std::vector<Post> posts_;
  int served_ = 0;
  bool stopping_ = false;
  testing::LocalServer server_;  // last: stopped first, while the members above live
};

json executionOperation() {
  return {{"Id", "exec"},
          {"Type", "EXECUTION"},
          {"Status", "STARTED"},
          {"StartTimestamp", 1735689600},
          {"ExecutionDetails", {{"InputPayload", R"({"userId":"alice"})"}}}};
}

// Applies one update to `ops` as the service would for what hello_workflow writes (STEP
// START/SUCCEED, WAIT START; a wait stays STARTED unless `waitsElapsed`) and returns the
// changed record.
json applyUpdate(json& ops, const json& u, bool waitsElapsed) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const json& op) { return op["Id"] == u["Id"]; });
  if (it == ops.end()) {
    json op = {{"Id", u["Id"]}, {"Type", u["Type"]}, {"Status", "STARTED"}, {"StartTimestamp", 1735689601}};
    for (const char* k : {"Name", "SubType", "ParentId"})
      if (u.contains(k)) op[k] = u[k];
    if (u["Type"] == "STEP") op["StepDetails"] = {{"Attempt", 1}};
    ops.push_back(op);
    it = ops.end() - 1;
  }
  json& op = *it;
  if (u["Action"] == "SUCCEED") {
    op["Status"] = "SUCCEEDED";
    op["EndTimestamp"] = 1735689602;
    if (u["Type"] == "STEP") op["StepDetails"] = {{"Attempt", 1}, {"Result", u.value("Payload", "")}};
  }
  if (u["Type"] == "WAIT" && u["Action"] == "START") {
    op["WaitDetails"] = {{"ScheduledEndTimestamp", 1735689661}};
    if (waitsElapsed) op["Status"] = "SUCCEEDED";
  }
  return op;
}

// The operations the service would hold after `updates`, every wait elapsed.
json operationsAfter(const std::vector<json>& updates) {
  json ops = json::array({executionOperation()});
  for (const json& u : updates) applyUpdate(ops, u, true);
  return ops;
}

// Durable API: records every checkpoint call and answers with the records it changed, as
// the service does; the first `failures` calls answer 500.
class ScriptedDurableApi {
 public:
  explicit ScriptedDurableApi(int failures) : failures_(failures) {
    server_.http().Post(R"(/2025-12-01/durable-executions/(.+)/checkpoint)",
                        [this](const httplib::Request& req, httplib::Response& res) {
                          std::lock_guard lock(mu_);
                          json body = json::parse(req.body);
                          calls_.push_back({body, req.get_header_value("Authorization"), req.matches[1]});
                          if (failures_ > 0) {
                            --failures_;
                            res.status = 500;
                            res.set_header("x-amzn-ErrorType", "ServiceException");
                            res.set_content(R"({"Message":"try again"})", "application/json");
                            return;
                          }
                          json changed = json::array();
                          for (const json& u : body["Updates"]) changed.push_back(applyUpdate(ops_, u, false));
                          json out = {{"CheckpointToken", "token-" + std::to_string(calls_.size())},
                                      {"NewExecutionState", {{"Operations", changed}}}};
                          res.set_content(out.dump(), "application/json");
                        });
    server_.http().Get(R"(/2025-12-01/durable-executions/(.+)/state)",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         std::lock_guard lock(mu_);
                         stateQueries_.push_back(req.params);
                         // Page k (Marker "page-k") holds record k of `paged_`.
                         std::string marker = req.get_param_value("Marker");
                         std::size_t k = marker.rfind("page-", 0) == 0 ? std::stoul(marker.substr(5)) : paged_.size();
                         if (k >= paged_.size()) {
                           res.status = 400;
                           res.set_header("x-amzn-ErrorType", "InvalidParameterValueException");
                           res.set_content(R"({"message":"bad marker"})", "application/json");
                           return;
                         }
                         json out = {{"Operations", json::array({paged_[k]})}};
                         if (k + 1 < paged_.size()) out["NextMarker"] = "page-" + std::to_string(k + 1);
                         res.set_content(out.dump(), "application/json");
                       });
    server_.start();
  }
  std::string endpoint() const { return "http://" + server_.address(); }
  // Records GetDurableExecutionState hands out, one per page.
  void setPagedState(json records) {
    std::lock_guard lock(mu_);
    paged_ = std::move(records);
  }
  std::vector<httplib::Params> stateQueries() {
    std::lock_guard lock(mu_);
    return stateQueries_;
  }
  struct Call {
    json body;
    std::string authorization;
    std::string arn;
  };
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  int failures_;
  std::vector<Call> calls_;
  json ops_ = json::array({executionOperation()});
  json paged_ = json::array();
  std::vector<httplib::Params> stateQueries_;
  testing::LocalServer server_;
};

std::vector<std::string> lambdaEnvironment(const std::string& runtimeApi, const std::string& endpoint,
                                           const std::string& handler) {
  return {"AWS_LAMBDA_RUNTIME_API=" + runtimeApi,
          "AWS_ENDPOINT_URL_LAMBDA=" + endpoint,
          "AWS_REGION=us-east-1",
          "AWS_ACCESS_KEY_ID=AKIDTEST",
          "AWS_SECRET_ACCESS_KEY=secret",
          "AWS_SESSION_TOKEN=session",
          "_HANDLER=" + handler,
          "REWIND_LAMBDA_MAX_INVOCATIONS=2"};
}

TEST(BootstrapProcessTest, ListsTheHandlersLinkedIntoIt) {
  FILE* pipe = ::popen((std::string(REWIND_HELLO_BOOTSTRAP) + " --list-handlers").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[256] = {};
  std::string out;
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(out, "hello\n");
}

TEST(BootstrapProcessTest, AnUnknownHandlerIsAnInitError) {
  ScriptedRuntimeApi runtime;
  ScriptedDurableApi durable(0);
  Child child(REWIND_HELLO_BOOTSTRAP, lambdaEnvironment(runtime.address(), durable.endpoint(), "nope"));
  ASSERT_TRUE(child.started());
  auto post = runtime.post(1);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(post->errorType, "Runtime.HandlerNotFound");
  json err = json::parse(post->body);
  EXPECT_NE(err["errorMessage"].get<std::string>().find("[rewind.lambda.no_such_handler]"), std::string::npos);
  EXPECT_NE(err["errorMessage"].get<std::string>().find("hello"), std::string::npos);
  EXPECT_EQ(child.waitExit(30s), 1);
}

TEST(BootstrapProcessTest, AnEventThatIsNotDurableInputIsAFunctionError) {
  ScriptedRuntimeApi runtime;
  ScriptedDurableApi durable(0);
  Child child(REWIND_HELLO_BOOTSTRAP, lambdaEnvironment(runtime.address(), durable.endpoint(), "hello"));
  runtime.push(R"({"userId":"alice"})");
  auto post = runtime.post(1);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->path, "/2018-06-01/runtime/invocation/req-1/error");
  EXPECT_EQ(post->errorType, "Rewind.InvalidInvocationInput");
  EXPECT_TRUE(durable.calls().empty());
}

TEST(BootstrapProcessTest, HelloWorkflowRunsAcrossInvocationsWithACheckpointRetriedOnce) {
  ScriptedRuntimeApi runtime;
  ScriptedDurableApi durable(1);
  Child child(REWIND_HELLO_BOOTSTRAP, lambdaEnvironment(runtime.address(), durable.endpoint(), "hello"));
  ASSERT_TRUE(child.started());

  json first = {{"DurableExecutionArn", kArn},
                {"CheckpointToken", "token-0"},
                {"InitialExecutionState", {{"Operations", json::array({executionOperation()})}}}};
  runtime.push(first.dump());
  auto reply1 = runtime.post(1);
  ASSERT_TRUE(reply1);
  ASSERT_EQ(reply1->path, "/2018-06-01/runtime/invocation/req-1/response") << reply1->body;
  EXPECT_EQ(json::parse(reply1->body)["Status"], "PENDING") << reply1->body;

  auto calls = durable.calls();
  ASSERT_GE(calls.size(), 2u);
  // The failed call and its retry: one ClientToken, one body.
  EXPECT_EQ(calls[0].body, calls[1].body);
  EXPECT_FALSE(calls[0].body.value("ClientToken", "").empty());
  EXPECT_EQ(calls[0].body["CheckpointToken"], "token-0");
  EXPECT_EQ(calls[0].arn, kArn);
  EXPECT_NE(calls[1].authorization.find("Credential=AKIDTEST/"), std::string::npos);
  std::vector<json> updates;
  std::vector<std::string> tokens;
  for (std::size_t i = 1; i < calls.size(); ++i) {
    tokens.push_back(calls[i].body["CheckpointToken"]);
    for (const json& u : calls[i].body["Updates"]) updates.push_back(u);
  }
  // Each call after the retry uses the token the previous call returned.
  for (std::size_t i = 1; i < tokens.size(); ++i) EXPECT_EQ(tokens[i], "token-" + std::to_string(i + 1));
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.back()["Type"], "WAIT");
  EXPECT_EQ(updates.back()["Action"], "START");
  EXPECT_EQ(updates.back()["WaitOptions"]["WaitSeconds"], 60);

  json second = {{"DurableExecutionArn", kArn},
                 {"CheckpointToken", "token-" + std::to_string(calls.size())},
                 {"InitialExecutionState", {{"Operations", operationsAfter(updates)}}}};
  runtime.push(second.dump());
  auto reply2 = runtime.post(2);
  ASSERT_TRUE(reply2);
  ASSERT_EQ(reply2->path, "/2018-06-01/runtime/invocation/req-2/response") << reply2->body;
  json out = json::parse(reply2->body);
  EXPECT_EQ(out["Status"], "SUCCEEDED") << reply2->body;
  EXPECT_EQ(out["Result"], "\"sent welcome email to alice@example.com\"") << reply2->body;
  EXPECT_EQ(child.waitExit(30s), 0);
}

TEST(BootstrapProcessTest, ALargeStateIsPagedInThroughGetDurableExecutionState) {
  ScriptedRuntimeApi runtime;
  ScriptedDurableApi durable(0);
  Child child(REWIND_HELLO_BOOTSTRAP, lambdaEnvironment(runtime.address(), durable.endpoint(), "hello"));
  // First invocation, to learn the records hello_workflow makes.
  json first = {{"DurableExecutionArn", kArn},
                {"CheckpointToken", "token-0"},
                {"InitialExecutionState", {{"Operations", json::array({executionOperation()})}}}};
  runtime.push(first.dump());
  auto reply1 = runtime.post(1);
  ASSERT_TRUE(reply1);
  ASSERT_EQ(json::parse(reply1->body)["Status"], "PENDING") << reply1->body;
  std::vector<json> updates;
  for (const auto& call : durable.calls())
    for (const json& u : call.body["Updates"]) updates.push_back(u);
  json all = operationsAfter(updates);
  ASSERT_GE(all.size(), 3u);
  // The re-invocation carries only the EXECUTION record and a NextMarker; every other
  // record comes one page at a time.
  durable.setPagedState(json(all.begin() + 1, all.end()));
  json second = {{"DurableExecutionArn", kArn},
                 {"CheckpointToken", "token-9"},
                 {"InitialExecutionState", {{"Operations", json::array({all[0]})}, {"NextMarker", "page-0"}}}};
  runtime.push(second.dump());
  auto reply2 = runtime.post(2);
  ASSERT_TRUE(reply2);
  json out = json::parse(reply2->body);
  EXPECT_EQ(out["Status"], "SUCCEEDED") << reply2->body;
  EXPECT_EQ(out["Result"], "\"sent welcome email to alice@example.com\"") << reply2->body;
  auto queries = durable.stateQueries();
  ASSERT_EQ(queries.size(), all.size() - 1);
  for (std::size_t k = 0; k < queries.size(); ++k) {
    EXPECT_EQ(queries[k].find("Marker")->second, "page-" + std::to_string(k));
    EXPECT_EQ(queries[k].find("CheckpointToken")->second, "token-9");
  }
  EXPECT_EQ(child.waitExit(30s), 0);
}

}  // namespace
}  // namespace rwd::lambda
