// RuntimeApiClient against a local server playing the Lambda Runtime API.
#include "rewind/lambda/runtime_api.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "local_server.hpp"
#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/runtime_loop.hpp"

namespace rwd::lambda {
namespace {

using nlohmann::json;

struct Post {
  std::string path;
  std::string body;
  std::string errorTypeHeader;
};

class FakeRuntimeApi {
 public:
  explicit FakeRuntimeApi(int postStatus = 202) {
    server_.http().Get("/2018-06-01/runtime/invocation/next", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Lambda-Runtime-Aws-Request-Id", "req 1");
      res.set_header("Lambda-Runtime-Deadline-Ms", "1764849630000");
      res.set_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:hello");
      res.set_header("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
      res.set_content(R"({"DurableExecutionArn":"a"})", "application/json");
    });
    auto record = [this, postStatus](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      posts_.push_back({req.path, req.body, req.get_header_value("Lambda-Runtime-Function-Error-Type")});
      res.status = postStatus;
      res.set_content(postStatus == 202 ? R"({"status":"OK"})" : R"({"errorMessage":"too big"})", "application/json");
    };
    server_.http().Post(R"(/2018-06-01/runtime/invocation/(.+)/(response|error))", record);
    server_.http().Post("/2018-06-01/runtime/init/error", record);
    server_.start();
  }
  std::string address() const { return server_.address(); }
  std::vector<Post> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }

 private:
  testing::LocalServer server_;
  std::mutex mutex_;
  std::vector<Post> posts_;
};

TEST(RuntimeApiClientTest, NextReadsTheInvocationHeadersAndEvent) {
  FakeRuntimeApi fake;
  CurlHttpClient http;
  RuntimeApiClient api(http, fake.address());
  RuntimeInvocation inv = api.next();
  EXPECT_EQ(inv.requestId, "req 1");
  EXPECT_EQ(inv.deadlineMs, 1764849630000);
  EXPECT_EQ(inv.invokedFunctionArn, "arn:aws:lambda:us-east-1:123456789012:function:hello");
  EXPECT_EQ(inv.traceId, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  EXPECT_EQ(inv.payload, R"({"DurableExecutionArn":"a"})");
}

TEST(RuntimeApiClientTest, PostsResponseErrorAndInitErrorInLambdasFormat) {
  FakeRuntimeApi fake;
  CurlHttpClient http;
  RuntimeApiClient api(http, fake.address());
  api.postResponse("req 1", R"({"Status":"SUCCEEDED"})");
  api.postError("req 1", {"Rewind.CheckpointFailed", "checkpoint failed", {"frame 1"}});
  api.postInitError({"Runtime.NoSuchHandler", "no handler named 'x'"});
  auto posts = fake.posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].path, "/2018-06-01/runtime/invocation/req 1/response");
  EXPECT_EQ(posts[0].body, R"({"Status":"SUCCEEDED"})");
  EXPECT_EQ(posts[0].errorTypeHeader, "");
  EXPECT_EQ(posts[1].path, "/2018-06-01/runtime/invocation/req 1/error");
  EXPECT_EQ(json::parse(posts[1].body), json({{"errorMessage", "checkpoint failed"},
                                              {"errorType", "Rewind.CheckpointFailed"},
                                              {"stackTrace", {"frame 1"}}}));
  EXPECT_EQ(posts[1].errorTypeHeader, "Rewind.CheckpointFailed");
  EXPECT_EQ(posts[2].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(json::parse(posts[2].body)["errorType"], "Runtime.NoSuchHandler");
  EXPECT_EQ(posts[2].errorTypeHeader, "Runtime.NoSuchHandler");
}

TEST(RuntimeApiClientTest, RejectedPostIsARuntimeApiError) {
  FakeRuntimeApi fake(413);
  CurlHttpClient http;
  RuntimeApiClient api(http, fake.address());
  try {
    api.postResponse("r", std::string(100, 'x'));
    FAIL() << "expected an error";
  } catch (const RuntimeApiError& e) {
    EXPECT_EQ(e.status(), 413);
    EXPECT_NE(std::string(e.what()).find("[rewind.lambda.runtime_api]"), std::string::npos);
  }
}

TEST(RuntimeErrorTest, InvalidUtf8InAMessageStillGivesJson) {
  RuntimeError e{"T", std::string("bad \xff byte")};
  EXPECT_TRUE(json::accept(e.toJson()));
}

}  // namespace
}  // namespace rwd::lambda

namespace rwd::lambda {
namespace {

struct CustomFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(RuntimeLoopTest, PostsResponsesAndTurnsAnEscapedExceptionIntoAFunctionError) {
  FakeRuntimeApi fake;
  CurlHttpClient http;
  RuntimeApiClient api(http, fake.address());
  int calls = 0;
  int rc = runRuntimeLoop(
      api,
      [&](const RuntimeInvocation& inv) -> InvocationReply {
        if (++calls == 2) throw CustomFailure("handler blew up");
        return InvocationReply::response("echo:" + inv.payload);
      },
      2);
  EXPECT_EQ(rc, 0);
  auto posts = fake.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].body, R"(echo:{"DurableExecutionArn":"a"})");
  EXPECT_EQ(posts[1].path, "/2018-06-01/runtime/invocation/req 1/error");
  EXPECT_EQ(posts[1].errorTypeHeader, "rwd::lambda::(anonymous namespace)::CustomFailure");
  EXPECT_EQ(json::parse(posts[1].body)["errorMessage"], "handler blew up");
}

TEST(RuntimeLoopTest, AResponseLambdaRejectsBecomesAFunctionError) {
  FakeRuntimeApi fake(413);
  CurlHttpClient http;
  RuntimeApiClient api(http, fake.address());
  // The error post is rejected too (the fake answers 413 to every post): the loop stops.
  int rc = runRuntimeLoop(
      api, [](const RuntimeInvocation&) { return InvocationReply::response("x"); }, 1);
  EXPECT_EQ(rc, 1);
  auto posts = fake.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].errorTypeHeader, "Runtime.ResponseRejected");
}

}  // namespace
}  // namespace rwd::lambda
