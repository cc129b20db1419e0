// rewind-server over real HTTP on 127.0.0.1, with its functions in real bootstrap
// processes: the Lambda API's shapes and errors, callbacks, stop, listing, crashed and
// hung invocations, restarts on the same database (graceful and kill -9).
//
// Nothing here sleeps: a test waits for an execution's end with a synchronous Invoke of
// the same name (Invoke is idempotent by name), and for a callback id on a FIFO the
// handler writes to.
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(ServerTest, SynchronousInvokeRunsTheExecutionAcrossAWaitToItsResult) {
  startServer();
  Reply r = api_->invoke("steps-and-wait", "first", R"({"key":"ann"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"("hello ann done")");
  EXPECT_EQ(r.header("X-Amz-Executed-Version"), "$LATEST");
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  EXPECT_THAT(arn, ::testing::MatchesRegex(
                       "arn:aws:lambda:us-east-1:123456789012:function:steps-and-wait:\\$LATEST/durable-execution/"
                       "first/[0-9a-f]+"));

  Json d = api_->get(arn).json();
  EXPECT_EQ(d["Status"], "SUCCEEDED");
  EXPECT_EQ(d["DurableExecutionName"], "first");
  EXPECT_EQ(d["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:steps-and-wait");
  EXPECT_EQ(d["InputPayload"], R"({"key":"ann"})");
  EXPECT_EQ(d["Result"], R"("hello ann done")");
  EXPECT_TRUE(d["StartTimestamp"].is_number());
  EXPECT_TRUE(d["EndTimestamp"].is_number());

  Json h = api_->history(arn).json();
  EXPECT_THAT(eventTypes(h), ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                                         "InvocationCompleted", "WaitSucceeded", "StepStarted", "StepSucceeded",
                                         "InvocationCompleted", "ExecutionSucceeded"));
  for (std::size_t i = 0; i < h["Events"].size(); ++i) {
    EXPECT_EQ(h["Events"][i]["EventId"], i + 1);
    EXPECT_TRUE(h["Events"][i]["EventTimestamp"].is_number()) << "epoch seconds, as rest-json writes timestamps";
  }
  EXPECT_EQ(h["Events"][0]["ExecutionStartedDetails"]["Input"]["Payload"], R"({"key":"ann"})");
  EXPECT_TRUE(h["Events"][0]["ExecutionStartedDetails"]["ExecutionTimeout"].is_number());
  EXPECT_EQ(h["Events"][3]["WaitStartedDetails"]["Duration"], 30);
  EXPECT_EQ(h["Events"][9]["ExecutionSucceededDetails"]["Result"]["Payload"], R"("hello ann done")");
}

TEST_F(ServerTest, EventInvokeAnswers202AndTheSameNameWithTheSameInputFindsTheExecution) {
  startServer();
  Reply started = api_->invoke("steps-and-wait", "async", R"({"key":"bo"})", true);
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.body, "");
  std::string arn = started.header("X-Amz-Durable-Execution-Arn");
  ASSERT_FALSE(arn.empty());
  Reply again = api_->invoke("steps-and-wait", "async", R"({"key":"bo"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.header("X-Amz-Durable-Execution-Arn"), arn);
  EXPECT_EQ(again.body, R"("hello bo done")");
  std::vector<std::string> types = eventTypes(api_->history(arn).json());
  EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1);
}

TEST_F(ServerTest, ANameTakenWithAnotherInputIsAConflict) {
  startServer();
  ASSERT_EQ(api_->invoke("steps-and-wait", "taken", R"({"key":"a"})", true).status, 202);
  Reply r = api_->invoke("steps-and-wait", "taken", R"({"key":"b"})", true);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "DurableExecutionAlreadyStartedException");
  EXPECT_THAT(r.json()["Message"].get<std::string>(), HasSubstr("[rewind.server.name_taken]"));
}

TEST_F(ServerTest, ACallbackAnsweredThroughTheApiCompletesTheExecution) {
  startServer();
  Reply started = api_->invoke("callback", "cb", R"({"key":"cb"})", true);
  ASSERT_EQ(started.status, 202);
  auto [key, id] = nextCallback();
  EXPECT_EQ(key, "cb");
  EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f]{48}")) << "192 random bits";
  EXPECT_EQ(api_->callback(id, "heartbeat").status, 200);
  Reply ok = api_->callback(id, "succeed", R"("yes")");
  EXPECT_EQ(ok.status, 200) << ok.body;
  Reply twice = api_->callback(id, "succeed", R"("again")");
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.header("X-Amzn-ErrorType"), "CallbackTimeoutException");
  Reply done = api_->invoke("callback", "cb", R"({"key":"cb"})");
  EXPECT_EQ(done.body, R"("approved:\"yes\"")");
  Json h = api_->history(started.header("X-Amz-Durable-Execution-Arn")).json();
  std::vector<std::string> types = eventTypes(h);
  EXPECT_EQ(std::count(types.begin(), types.end(), "CallbackStarted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "CallbackSucceeded"), 1);
  for (const Json& e : h["Events"])
    if (e["EventType"] == "CallbackStarted") {
      EXPECT_EQ(e["CallbackStartedDetails"]["CallbackId"], id);
    }
}

TEST_F(ServerTest, AFailedCallbackFailsTheExecutionWithItsError) {
  startServer();
  ASSERT_EQ(api_->invoke("callback", "cbf", R"({"key":"cbf"})", true).status, 202);
  auto [key, id] = nextCallback();
  Reply r = api_->callback(id, "fail", R"({"ErrorType":"Rejected","ErrorMessage":"no way"})");
  EXPECT_EQ(r.status, 200) << r.body;
  Reply done = api_->invoke("callback", "cbf", R"({"key":"cbf"})");
  EXPECT_EQ(done.header("X-Amz-Function-Error"), "Unhandled");
  EXPECT_THAT(done.body, HasSubstr("no way"));
  EXPECT_EQ(api_->get(done.header("X-Amz-Durable-Execution-Arn")).json()["Status"], "FAILED");
}

TEST_F(ServerTest, ACallbackThatTimesOutFailsTheExecutionAndCannotBeAnswered) {
  startServer();
  ASSERT_EQ(api_->invoke("callback-timeout", "late", R"({"key":"late"})", true).status, 202);
  auto [key, id] = nextCallback();
  Reply done = api_->invoke("callback-timeout", "late", R"({"key":"late"})");
  EXPECT_EQ(done.header("X-Amz-Function-Error"), "Unhandled");
  Json h = api_->history(done.header("X-Amz-Durable-Execution-Arn")).json();
  bool timedOut = false;
  for (const Json& e : h["Events"])
    if (e["EventType"] == "CallbackTimedOut")
      timedOut = e["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == "Callback.Timeout";
  EXPECT_TRUE(timedOut);
  Reply late = api_->callback(id, "succeed", R"("too late")");
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.header("X-Amzn-ErrorType"), "CallbackTimeoutException");
}

TEST_F(ServerTest, UnknownCallbackIdsAreRejected) {
  startServer();
  Reply r = api_->callback(std::string(48, 'a'), "succeed", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "CallbackTimeoutException");
  Reply bad = api_->callback("not-base64!", "heartbeat");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
}

TEST_F(ServerTest, StopEndsARunningExecutionAsStopped) {
  startServer();
  Reply started = api_->invoke("callback", "stopme", R"({"key":"stopme"})", true);
  std::string arn = started.header("X-Amz-Durable-Execution-Arn");
  auto [key, id] = nextCallback();
  Reply stop = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(arn) + "/stop",
                          R"({"ErrorType":"Operator","ErrorMessage":"enough"})");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_TRUE(stop.json()["StopTimestamp"].is_number());
  Json d = api_->get(arn).json();
  EXPECT_EQ(d["Status"], "STOPPED");
  EXPECT_EQ(d["Error"]["ErrorMessage"], "enough");
  EXPECT_EQ(eventTypes(api_->history(arn).json()).back(), "ExecutionStopped");
  Reply again = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(arn) + "/stop");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(api_->callback(id, "succeed", "1").header("X-Amzn-ErrorType"), "CallbackTimeoutException");
}

TEST_F(ServerTest, ListFiltersOrdersAndPages) {
  startServer();
  for (const char* n : {"l1", "l2", "l3"}) ASSERT_EQ(api_->invoke("retry", n, "{}").status, 200);
  ASSERT_EQ(api_->invoke("callback", "open", R"({"key":"open"})", true).status, 202);
  nextCallback();
  auto list = [&](const std::string& fn, const std::string& q) {
    return api_->call("GET", "/2025-12-01/functions/" + fn + "/durable-executions" + q);
  };
  auto names = [](const Json& j) {
    std::vector<std::string> out;
    for (const Json& e : j["DurableExecutions"]) out.push_back(e["DurableExecutionName"].get<std::string>());
    return out;
  };
  EXPECT_THAT(names(list("retry", "").json()), ElementsAre("l1", "l2", "l3"));
  EXPECT_THAT(names(list("retry", "?ReverseOrder=true").json()), ElementsAre("l3", "l2", "l1"));
  Json page1 = list("retry", "?MaxItems=2").json();
  EXPECT_THAT(names(page1), ElementsAre("l1", "l2"));
  ASSERT_TRUE(page1.contains("NextMarker"));
  Json page2 = list("retry", "?MaxItems=2&Marker=" + page1["NextMarker"].get<std::string>()).json();
  EXPECT_THAT(names(page2), ElementsAre("l3"));
  EXPECT_FALSE(page2.contains("NextMarker"));
  Json rpage1 = list("retry", "?MaxItems=2&ReverseOrder=true").json();
  Json rpage2 = list("retry", "?MaxItems=2&ReverseOrder=true&Marker=" + rpage1["NextMarker"].get<std::string>()).json();
  EXPECT_THAT(names(rpage2), ElementsAre("l1"));
  EXPECT_THAT(names(list("retry", "?DurableExecutionName=l2").json()), ElementsAre("l2"));
  EXPECT_THAT(names(list("callback", "?Statuses=RUNNING").json()), ElementsAre("open"));
  EXPECT_THAT(names(list("retry", "?Statuses=RUNNING&Statuses=FAILED").json()), ElementsAre());
  EXPECT_THAT(names(list("retry", "?StartedBefore=2000-01-01T00:00:00Z").json()), ElementsAre());
  EXPECT_THAT(names(list("retry", "?StartedAfter=2000-01-01T00:00:00Z").json()), ElementsAre("l1", "l2", "l3"));
  Json item = list("callback", "").json()["DurableExecutions"][0];
  EXPECT_EQ(item["Status"], "RUNNING");
  EXPECT_FALSE(item.contains("EndTimestamp"));
  Reply missing = list("nope", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(list("retry", "?Statuses=DONE").status, 400);
  // Epoch seconds past the year 9999 (or not finite) are a bad timestamp, not a conversion out of range.
  for (const char* t : {"1e300", "-1e300", "inf", "nan"})
    EXPECT_EQ(list("retry", std::string("?StartedAfter=") + t).status, 400) << t;
  EXPECT_THAT(names(list("retry", "?StartedAfter=946684800").json()), ElementsAre("l1", "l2", "l3"));
}

TEST_F(ServerTest, HistoryPagesBothWaysAndCanLeaveOutData) {
  startServer();
  std::string arn = api_->invoke("steps-and-wait", "h", R"({"key":"h"})").header("X-Amz-Durable-Execution-Arn");
  Json all = api_->history(arn).json();
  ASSERT_EQ(all["Events"].size(), 10u);
  Json p1 = api_->history(arn, "?MaxItems=4").json();
  ASSERT_EQ(p1["Events"].size(), 4u);
  Json p2 = api_->history(arn, "?MaxItems=4&Marker=" + p1["NextMarker"].get<std::string>()).json();
  EXPECT_EQ(p2["Events"][0]["EventId"], 5);
  Json rev = api_->history(arn, "?ReverseOrder=true&MaxItems=3").json();
  EXPECT_EQ(rev["Events"][0]["EventId"], 10);
  Json rev2 = api_->history(arn, "?ReverseOrder=true&MaxItems=3&Marker=" + rev["NextMarker"].get<std::string>()).json();
  EXPECT_EQ(rev2["Events"][0]["EventId"], 7);
  Json lean = api_->history(arn, "?IncludeExecutionData=false").json();
  EXPECT_FALSE(lean["Events"][0]["ExecutionStartedDetails"]["Input"].contains("Payload"));
  EXPECT_EQ(api_->history(arn, "?MaxItems=5000").status, 400);
}

TEST_F(ServerTest, BadRequestsGetTheServiceErrorShapes) {
  startServer();
  Reply badJson = api_->invoke("retry", "x", "{not json");
  EXPECT_EQ(badJson.status, 400);
  EXPECT_EQ(badJson.header("X-Amzn-ErrorType"), "InvalidRequestContentException");
  EXPECT_THAT(badJson.json()["message"].get<std::string>(), HasSubstr("[rewind.server.bad_json]"));
  Reply big = api_->invoke("retry", "big", "\"" + std::string(1024 * 1024, 'x') + "\"", true);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.header("X-Amzn-ErrorType"), "RequestTooLargeException");
  Reply badName = api_->invoke("retry", "no spaces allowed", "{}");
  EXPECT_EQ(badName.status, 400);
  EXPECT_EQ(badName.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
  Reply noFn = api_->invoke("nope", "x", "{}");
  EXPECT_EQ(noFn.status, 404);
  EXPECT_EQ(noFn.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  std::string unknown =
      "arn:aws:lambda:us-east-1:123456789012:function:retry:$LATEST/durable-execution/none/0123456789abcdef";
  Reply missing = api_->get(unknown);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(api_->get("not-an-arn").status, 400);
  Reply stale = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(unknown) + "/checkpoint",
                           R"({"CheckpointToken":"abc","Updates":[]})");
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(stale.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
  Reply badBody = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(unknown) + "/checkpoint", "[1,");
  EXPECT_EQ(badBody.header("X-Amzn-ErrorType"), "InvalidRequestContentException");
  Reply nowhere = api_->call("GET", "/2025-12-01/nowhere");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(nowhere.header("X-Amzn-ErrorType"), "UnknownOperationException");
}

TEST_F(ServerTest, AStepRetryAndAFailedExecutionGoThroughTheServer) {
  startServer();
  Reply ok = api_->invoke("retry", "r", "{}");
  EXPECT_EQ(ok.body, "7");
  Json h = api_->history(ok.header("X-Amz-Durable-Execution-Arn")).json();
  std::vector<std::string> types = eventTypes(h);
  EXPECT_EQ(std::count(types.begin(), types.end(), "StepFailed"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "StepSucceeded"), 1);
  Reply failed = api_->invoke("fails", "f", "{}");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(failed.header("X-Amz-Function-Error"), "Unhandled");
  Json d = api_->get(failed.header("X-Amz-Durable-Execution-Arn")).json();
  EXPECT_EQ(d["Status"], "FAILED");
  EXPECT_EQ(d["Error"]["ErrorMessage"], "kaput");
}

TEST_F(ServerTest, ACrashedFunctionProcessIsInvokedAgain) {
  startServer();
  Reply r = api_->invoke("crash-once", "c", R"({"key":"c"})");
  EXPECT_EQ(r.body, R"("survived")");
  Json h = api_->history(r.header("X-Amz-Durable-Execution-Arn")).json();
  int crashed = 0;
  for (const Json& e : h["Events"])
    if (e["EventType"] == "InvocationCompleted" && e["InvocationCompletedDetails"].contains("Error")) {
      ++crashed;
      EXPECT_EQ(e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "Runtime.ExitError");
    }
  EXPECT_EQ(crashed, 1);
}

TEST_F(ServerTest, AnInvocationPastItsTimeoutIsKilledAndInvokedAgain) {
  startServer();
  Reply r = api_->invoke("hang-once", "t", R"({"key":"t"})");
  EXPECT_EQ(r.body, R"("finished")");
  Json h = api_->history(r.header("X-Amz-Durable-Execution-Arn")).json();
  bool timedOut = false;
  for (const Json& e : h["Events"])
    if (e["EventType"] == "InvocationCompleted" && e["InvocationCompletedDetails"].contains("Error"))
      timedOut |= e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"] == "Sandbox.Timedout";
  EXPECT_TRUE(timedOut);
}

TEST_F(ServerTest, AnExecutionContinuesAfterARestartOnTheSameDatabase) {
  startServer();
  std::string arn =
      api_->invoke("callback", "across", R"({"key":"across"})", true).header("X-Amz-Durable-Execution-Arn");
  auto [key, id] = nextCallback();
  server_->stop();
  server_.reset();
  startServer();
  EXPECT_EQ(api_->get(arn).json()["Status"], "RUNNING");
  ASSERT_EQ(api_->callback(id, "succeed", R"("later")").status, 200);
  EXPECT_EQ(api_->invoke("callback", "across", R"({"key":"across"})").body, R"("approved:\"later\"")");
}

TEST_F(ServerTest, AHandlerLibraryRunsInTheLambdaHost) {
  options_.functions = {{"from-library", REWIND_SERVER_TEST_LIBRARY, "steps-and-wait", 1}};
  options_.lambdaHost = REWIND_LAMBDA_HOST;
  startServer();
  EXPECT_EQ(api_->invoke("from-library", "lib", R"({"key":"lib"})").body, R"("hello lib done")");
}

TEST_F(ServerTest, AHandlerLibraryWithoutAHostIsAClearError) {
  options_.functions = {{"from-library", REWIND_SERVER_TEST_LIBRARY, "steps-and-wait", 1}};
  server_ = std::make_unique<rwd::server::Server>(options_);
  try {
    server_->start();
    FAIL() << "started without a lambda host";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("[rewind.server.no_lambda_host]"));
  }
}

TEST_F(ServerTest, TheDatabaseIsInWalMode) {
  startServer();
  std::ifstream wal(options_.dbPath + "-wal");
  EXPECT_TRUE(wal.good()) << "a WAL file next to the database";
}

// ---- kill -9 ----

TEST_F(ServerTest, AfterKillNineEveryExecutionCompletesExactlyOnce) {
  std::vector<std::string> args{
      "--listen",      "127.0.0.1:0",
      "--db",          options_.dbPath,
      "--time-scale",  "100",
      "--concurrency", "3",
      "--function",    std::string("steps-and-wait=") + REWIND_SERVER_TEST_BOOTSTRAP + ":steps-and-wait",
      "--function",    std::string("callback=") + REWIND_SERVER_TEST_BOOTSTRAP + ":callback"};
  constexpr int kWaiting = 40, kCallbacks = 10;
  std::map<std::string, std::string> arns;
  std::map<std::string, std::string> callbackIds;  // by key; a re-run submitter repeats its line
  {
    ServerProcess first(args);
    Api api(first.port());
    for (int i = 0; i < kWaiting; ++i) {
      std::string name = "w" + std::to_string(i);
      Reply r = api.invoke("steps-and-wait", name, Json{{"key", name}}.dump(), true);
      ASSERT_EQ(r.status, 202) << r.body;
      arns[name] = r.header("X-Amz-Durable-Execution-Arn");
    }
    for (int i = 0; i < kCallbacks; ++i) {
      std::string name = "c" + std::to_string(i);
      ASSERT_EQ(api.invoke("callback", name, Json{{"key", name}}.dump(), true).status, 202);
    }
    while (callbackIds.size() < kCallbacks / 2) {
      auto [key, id] = nextCallback();
      callbackIds[key] = id;
    }
    first.kill(SIGKILL);  // mid-load: invocations running, waits pending, callbacks open
  }
  ServerProcess second(args);
  Api api(second.port());
  while (callbackIds.size() < kCallbacks) {
    auto [key, id] = nextCallback();
    if (key.empty()) break;
    callbackIds[key] = id;
  }
  for (auto& [key, id] : callbackIds) EXPECT_EQ(api.callback(id, "succeed", "\"ok\"").status, 200) << key;
  for (auto& [name, arn] : arns) {
    Reply r = api.invoke("steps-and-wait", name, Json{{"key", name}}.dump());
    EXPECT_EQ(r.body, "\"hello " + name + " done\"");
    std::vector<std::string> types = eventTypes(api.history(arn).json());
    EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1) << name;
    EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionSucceeded"), 1) << name;
    EXPECT_EQ(std::count(types.begin(), types.end(), "WaitSucceeded"), 1) << name;
    EXPECT_EQ(types.back(), "ExecutionSucceeded") << name;
  }
  for (int i = 0; i < kCallbacks; ++i) {
    std::string name = "c" + std::to_string(i);
    EXPECT_EQ(api.invoke("callback", name, Json{{"key", name}}.dump()).body, R"("approved:\"ok\"")") << name;
  }
  Json all = api.call("GET", "/2025-12-01/functions/steps-and-wait/durable-executions?MaxItems=1000").json();
  EXPECT_EQ(all["DurableExecutions"].size(), static_cast<std::size_t>(kWaiting));
}

}  // namespace
