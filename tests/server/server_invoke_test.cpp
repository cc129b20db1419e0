// Chained invokes through rewind-server: the invoked function runs as its own durable
// execution, whose end completes the caller's CHAINED_INVOKE operation (SUCCEEDED with its
// result; FAILED / TIMED_OUT / STOPPED with its error); an unknown target fails the operation; the
// link survives a kill -9 of the server.
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ServerInvokeTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    options_.functions.push_back({"invoker", REWIND_SERVER_TEST_BOOTSTRAP, "invoker", 1});
  }
  static std::string input(const std::string& key, const std::string& target, const Json& payload) {
    return Json{{"key", key}, {"target", target}, {"payload", payload}}.dump();
  }
  // The events of `arn`'s history of `type`.
  std::vector<Json> events(const std::string& arn, const std::string& type) {
    std::vector<Json> out;
    Json history = api_->history(arn).json();
    for (const Json& e : history["Events"])
      if (e["EventType"] == type) out.push_back(e);
    return out;
  }
};

TEST_F(ServerInvokeTest, TheInvokedExecutionsResultCompletesTheCallersInvoke) {
  startServer();
  // The target by ARN (as the SDKs allow); the invoke's payload is the child's input.
  std::string target = "arn:aws:lambda:us-east-1:123456789012:function:steps-and-wait";
  Reply r = api_->invoke("invoker", "calls", input("calls", target, Json{{"key", "child"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"("hello child done")");
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  EXPECT_THAT(eventTypes(api_->history(arn).json()),
              ElementsAre("ExecutionStarted", "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeSucceeded",
                          "InvocationCompleted", "ExecutionSucceeded"));
  Json started = events(arn, "ChainedInvokeStarted").at(0)["ChainedInvokeStartedDetails"];
  EXPECT_EQ(started["FunctionName"], target);
  EXPECT_EQ(started["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(started["Input"]["Payload"], R"({"key":"child"})");
  std::string child = started["DurableExecutionArn"].get<std::string>();
  EXPECT_THAT(child, HasSubstr(":function:steps-and-wait:$LATEST/durable-execution/"));
  // The child is an execution like any other: its own history, listed under its function.
  Json c = api_->get(child).json();
  EXPECT_EQ(c["Status"], "SUCCEEDED");
  EXPECT_EQ(c["InputPayload"], R"({"key":"child"})");
  EXPECT_EQ(c["Result"], R"("hello child done")");
  EXPECT_THAT(eventTypes(api_->history(child).json()), ::testing::Contains("WaitSucceeded"));
  Json succeeded = events(arn, "ChainedInvokeSucceeded").at(0)["ChainedInvokeSucceededDetails"];
  EXPECT_EQ(succeeded["Result"]["Payload"], R"("hello child done")");
  Json listed = api_->call("GET", "/2025-12-01/functions/steps-and-wait/durable-executions").json();
  ASSERT_EQ(listed["DurableExecutions"].size(), 1u);
  EXPECT_EQ(listed["DurableExecutions"][0]["DurableExecutionArn"], child);
}

TEST_F(ServerInvokeTest, AFailedInvokedExecutionFailsTheInvokeWithItsError) {
  startServer();
  Reply r = api_->invoke("invoker", "calls-fails", input("calls-fails", "fails", Json{{"key", "f"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  Json started = events(arn, "ChainedInvokeStarted").at(0)["ChainedInvokeStartedDetails"];
  Json child = api_->get(started["DurableExecutionArn"].get<std::string>()).json();
  ASSERT_EQ(child["Status"], "FAILED");
  EXPECT_EQ(child["Error"]["ErrorMessage"], "kaput");
  // The caller's operation failed with the child's error, which the handler caught.
  Json failed = events(arn, "ChainedInvokeFailed").at(0)["ChainedInvokeFailedDetails"]["Error"]["Payload"];
  EXPECT_EQ(failed["ErrorType"], child["Error"]["ErrorType"]);
  EXPECT_EQ(failed["ErrorMessage"], "kaput");
  EXPECT_EQ(r.body, Json("caught " + child["Error"]["ErrorType"].get<std::string>() + ": kaput").dump());
  EXPECT_THAT(eventTypes(api_->history(arn).json()),
              ElementsAre("ExecutionStarted", "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeFailed",
                          "InvocationCompleted", "ExecutionSucceeded"));
}

TEST_F(ServerInvokeTest, AnUnknownTargetFailsTheInvokeOnceTheInvocationEnded) {
  startServer();
  Reply r = api_->invoke("invoker", "calls-nobody", input("calls-nobody", "nobody", Json(nullptr)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("caught ResourceNotFoundException: [rewind.server.no_function] Function not found: "
                                "arn:aws:lambda:us-east-1:123456789012:function:nobody:$LATEST"));
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  // As every completion: after the invocation that started it.
  EXPECT_THAT(eventTypes(api_->history(arn).json()),
              ElementsAre("ExecutionStarted", "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeFailed",
                          "InvocationCompleted", "ExecutionSucceeded"));
  Json started = events(arn, "ChainedInvokeStarted").at(0)["ChainedInvokeStartedDetails"];
  EXPECT_FALSE(started.contains("DurableExecutionArn")) << "no execution was started";
  // A qualifier other than $LATEST names no function here either.
  Reply q = api_->invoke("invoker", "calls-v2", input("calls-v2", "steps-and-wait:2", Json(nullptr)));
  EXPECT_THAT(q.body, HasSubstr("caught ResourceNotFoundException"));
}

TEST_F(ServerInvokeTest, AStoppedInvokedExecutionStopsTheInvoke) {
  startServer();
  std::string in = input("calls-stopped", "callback", Json{{"key", "stopme"}});
  Reply r = api_->invoke("invoker", "calls-stopped", in, true);
  ASSERT_EQ(r.status, 202);
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  auto [key, id] = nextCallback();  // the child waits on its callback
  ASSERT_EQ(key, "stopme");
  std::string child = events(arn, "ChainedInvokeStarted").at(0)["ChainedInvokeStartedDetails"]["DurableExecutionArn"];
  Reply stop = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(child) + "/stop",
                          R"({"ErrorType":"Operator.Stop","ErrorMessage":"no longer needed"})");
  ASSERT_EQ(stop.status, 200) << stop.body;
  Reply end = api_->invoke("invoker", "calls-stopped", in);  // the same execution, to its end
  EXPECT_EQ(end.body, R"("caught Operator.Stop: no longer needed")");
  Json stopped = events(arn, "ChainedInvokeStopped").at(0)["ChainedInvokeStoppedDetails"]["Error"]["Payload"];
  EXPECT_EQ(stopped["ErrorType"], "Operator.Stop");
  EXPECT_EQ(api_->get(child).json()["Status"], "STOPPED");
}

TEST_F(ServerInvokeTest, AnInvokedExecutionThatTimesOutTimesTheInvokeOut) {
  for (rwd::server::FunctionConfig& f : options_.functions)
    if (f.name == "callback") f.executionTimeoutSeconds = 60;  // its callback would wait a day
  startServer();
  Reply r = api_->invoke("invoker", "calls-late", input("calls-late", "callback", Json{{"key", "late"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, Json("caught Execution.Timeout: [rewind.server.execution_timeout] the execution ran longer than "
                         "its ExecutionTimeout of 60 seconds")
                        .dump());
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  Json timedOut = events(arn, "ChainedInvokeTimedOut").at(0)["ChainedInvokeTimedOutDetails"]["Error"]["Payload"];
  EXPECT_EQ(timedOut["ErrorType"], "Execution.Timeout");
  std::string child = events(arn, "ChainedInvokeStarted").at(0)["ChainedInvokeStartedDetails"]["DurableExecutionArn"];
  EXPECT_EQ(api_->get(child).json()["Status"], "TIMED_OUT");
  EXPECT_EQ(events(child, "ExecutionStarted").at(0)["ExecutionStartedDetails"]["ExecutionTimeout"], 60);
  EXPECT_EQ(events(arn, "ExecutionStarted").at(0)["ExecutionStartedDetails"]["ExecutionTimeout"], 86400);
}

TEST_F(ServerInvokeTest, TheLinkSurvivesAKillNineWhileTheInvokedExecutionWaits) {
  std::vector<std::string> args{"--listen",     "127.0.0.1:0",
                                "--db",         options_.dbPath,
                                "--time-scale", "100",
                                "--function",   std::string("invoker=") + REWIND_SERVER_TEST_BOOTSTRAP + ":invoker",
                                "--function",   std::string("callback=") + REWIND_SERVER_TEST_BOOTSTRAP + ":callback"};
  std::string in = input("calls-across", "callback", Json{{"key", "across"}});
  std::string arn;
  std::string callbackId;
  {
    ServerProcess first(args);
    Api api(first.port());
    Reply r = api.invoke("invoker", "calls-across", in, true);
    ASSERT_EQ(r.status, 202) << r.body;
    arn = r.header("X-Amz-Durable-Execution-Arn");
    auto [key, id] = nextCallback();
    ASSERT_EQ(key, "across");
    callbackId = id;
    first.kill(SIGKILL);  // the caller waits on its invoke, the child on its callback
  }
  ServerProcess second(args);
  Api api(second.port());
  EXPECT_EQ(api.get(arn).json()["Status"], "RUNNING");
  ASSERT_EQ(api.callback(callbackId, "succeed", R"("yes")").status, 200);
  Reply end = api.invoke("invoker", "calls-across", in);
  EXPECT_EQ(end.body, R"("approved:\"yes\"")");
  std::vector<std::string> types = eventTypes(api.history(arn).json());
  EXPECT_EQ(std::count(types.begin(), types.end(), "ChainedInvokeStarted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ChainedInvokeSucceeded"), 1);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
  // One child only, though the caller's invocation may have been running at the kill.
  Json listed = api.call("GET", "/2025-12-01/functions/callback/durable-executions").json();
  EXPECT_EQ(listed["DurableExecutions"].size(), 1u);
}

}  // namespace
