// rewind-server with functions that are not Rewind's (#17.2): what another language's durable
// SDK and runtime interface client rely on. The AWS JS durable SDK itself runs in
// server_js_durable_sdk (run_js_durable_test.sh); these tests pin, without node, the server
// behaviours it needed:
//  - a checkpoint may START an operation and SUCCEED/FAIL/RETRY it in the same call, and START
//    a CONTEXT with its children (the JS SDK batches so); other repeats stay rejected;
//  - the execution's own history events carry an Id (the JS testing SDK's history reader
//    requires one on every event but InvocationCompleted);
//  - changes from outside (timers, callbacks) are listed in the next invocation's
//    UpdatedOperationIds;
//  - the children of a finished CONTEXT are left out of what the function is given unless it
//    was checkpointed with ContextOptions.ReplayChildren (the model's rule);
//  - InitialExecutionState holds at most ServerOptions::initialStateItems records, the rest
//    paged with GetDurableExecutionState;
//  - the function processes start with default signal handling (rewind-server blocks SIGINT
//    and SIGTERM for its own sigwait and ignores SIGPIPE; a runtime must not inherit that, or
//    it cannot be stopped with SIGTERM).
//
// The test itself is the function here: an external worker (no executable) polling the
// server's Runtime API endpoint, as any runtime interface client does.
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using ::testing::HasSubstr;

// One invocation taken from the Runtime API, and its checkpoint calls.
class ExternalInvocation {
 public:
  ExternalInvocation(const std::string& runtimeApi, int apiPort) : runtime_(runtimeApi), api_(apiPort) {
    runtime_.set_read_timeout(120, 0);
    httplib::Result next = runtime_.Get("/2018-06-01/runtime/invocation/next");
    if (!next || next->status != 200) throw std::runtime_error("no invocation from the Runtime API");
    requestId_ = next->get_header_value("Lambda-Runtime-Aws-Request-Id");
    input_ = Json::parse(next->body);
    token_ = input_["CheckpointToken"].get<std::string>();
  }
  const Json& input() const { return input_; }
  std::string arn() const { return input_["DurableExecutionArn"].get<std::string>(); }
  Reply checkpoint(const Json& updates) {
    Reply r = api_.call("POST", "/2025-12-01/durable-executions/" + uriEncode(arn()) + "/checkpoint",
                        Json{{"CheckpointToken", token_}, {"Updates", updates}}.dump());
    if (r.status == 200) token_ = r.json()["CheckpointToken"].get<std::string>();
    return r;
  }
  Reply state(const std::string& marker) {
    return api_.call("GET", "/2025-12-01/durable-executions/" + uriEncode(arn()) + "/state?CheckpointToken=" +
                                uriEncode(token_) + "&Marker=" + uriEncode(marker) + "&MaxItems=1000");
  }
  int respond(const Json& output) {
    httplib::Result r = runtime_.Post(("/2018-06-01/runtime/invocation/" + requestId_ + "/response").c_str(),
                                      output.dump(), "application/json");
    return r ? r->status : 0;
  }

 private:
  httplib::Client runtime_;
  Api api_;
  std::string requestId_, token_;
  Json input_;
};

Json update(const std::string& id, const std::string& type, const std::string& action, Json extra = Json::object()) {
  Json u{{"Id", id}, {"Type", type}, {"Action", action}};
  u.update(extra);
  return u;
}

class ForeignRuntimeTest : public ServerTest {
 protected:
  void startExternal() {
    options_.functions = {{"ext", "", "", 1}};
    startServer();
    std::vector<std::string> endpoints = server_->runtimeApiEndpoints("ext");
    ASSERT_EQ(endpoints.size(), 1u);
    runtimeApi_ = endpoints.front();
  }
  std::string runtimeApi_;
};

TEST_F(ForeignRuntimeTest, ACheckpointStartsAndEndsAnOperationAndStartsAContextWithItsChildren) {
  startExternal();
  ASSERT_EQ(api_->invoke("ext", "batched", "{}", true).status, 202);
  ExternalInvocation inv(runtimeApi_, server_->port());
  Reply steps = inv.checkpoint(Json::array({update("s1", "STEP", "START", {{"SubType", "Step"}, {"Name", "one"}}),
                                            update("s1", "STEP", "SUCCEED", {{"SubType", "Step"}, {"Payload", "1"}}),
                                            update("s2", "STEP", "START", {{"SubType", "Step"}, {"Name", "flaky"}}),
                                            update("s2", "STEP", "RETRY",
                                                   {{"SubType", "Step"},
                                                    {"Error", {{"ErrorType", "Error"}, {"ErrorMessage", "try again"}}},
                                                    {"StepOptions", {{"NextAttemptDelaySeconds", 5}}}})}));
  ASSERT_EQ(steps.status, 200) << steps.body;
  Reply context = inv.checkpoint(Json::array(
      {update("c1", "CONTEXT", "START", {{"SubType", "Map"}, {"Name", "map"}}),
       update("c1-a", "CONTEXT", "START", {{"SubType", "MapIteration"}, {"ParentId", "c1"}}),
       update("c1-a-s", "STEP", "START", {{"SubType", "Step"}, {"ParentId", "c1-a"}}),
       update("c1-a-s", "STEP", "SUCCEED", {{"SubType", "Step"}, {"ParentId", "c1-a"}, {"Payload", "4"}}),
       update("c1-a", "CONTEXT", "SUCCEED", {{"SubType", "MapIteration"}, {"ParentId", "c1"}, {"Payload", "4"}}),
       update("c1", "CONTEXT", "SUCCEED", {{"SubType", "Map"}, {"Payload", "[4]"}})}));
  ASSERT_EQ(context.status, 200) << context.body;

  // Repeats other than START then its end are still rejected, and reject the whole call.
  for (const Json& bad :
       {Json::array({update("s3", "STEP", "START", {{"SubType", "Step"}}), update("s3", "STEP", "START")}),
        Json::array({update("s4", "STEP", "START", {{"SubType", "Step"}}), update("s4", "STEP", "SUCCEED"),
                     update("s4", "STEP", "SUCCEED")}),
        Json::array({update("w1", "WAIT", "START", {{"SubType", "Wait"}, {"WaitOptions", {{"WaitSeconds", 5}}}}),
                     update("w1", "WAIT", "CANCEL")}),
        Json::array({update("s5", "STEP", "START", {{"SubType", "Step"}}),
                     update("s6", "STEP", "START", {{"SubType", "Step"}, {"ParentId", "s5"}})})}) {
    Reply r = inv.checkpoint(bad);
    EXPECT_EQ(r.status, 400) << bad.dump();
    EXPECT_EQ(r.header("X-Amzn-ErrorType"), "InvalidParameterValueException") << bad.dump();
  }
  ASSERT_EQ(inv.respond({{"Status", "SUCCEEDED"}, {"Result", "\"done\""}}), 202);
  EXPECT_EQ(api_->invoke("ext", "batched", "{}").body, "\"done\"");

  Json history = api_->history(inv.arn()).json();
  const Json& events = history["Events"];
  std::vector<std::string> seen;
  for (const Json& e : events)
    if (e.contains("Id") && e["Id"] != "execution")
      seen.push_back(e["Id"].get<std::string>() + " " + e["EventType"].get<std::string>());
  EXPECT_THAT(seen, ::testing::ElementsAre("s1 StepStarted", "s1 StepSucceeded", "s2 StepStarted", "s2 StepFailed",
                                           "c1 ContextStarted", "c1-a ContextStarted", "c1-a-s StepStarted",
                                           "c1-a-s StepSucceeded", "c1-a ContextSucceeded", "c1 ContextSucceeded"));
}

TEST_F(ForeignRuntimeTest, TheExecutionsOwnEventsNameItsOperation) {
  startServer();
  Reply r = api_->invoke("steps-and-wait", "ids", R"({"key":"ids"})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json history = api_->history(r.header("X-Amz-Durable-Execution-Arn")).json();
  const Json& events = history["Events"];
  ASSERT_FALSE(events.empty());
  for (const Json& e : events) {
    if (e["EventType"] == "InvocationCompleted") continue;
    EXPECT_TRUE(e.contains("Id")) << e.dump();
  }
  EXPECT_EQ(events.front()["Id"], "execution");
  EXPECT_EQ(events.back()["EventType"], "ExecutionSucceeded");
  EXPECT_EQ(events.back()["Id"], "execution");
}

TEST_F(ForeignRuntimeTest, InitialStateItemsLimitsTheInvocationInputAndTheRestIsPaged) {
  options_.initialStateItems = 2;
  startExternal();
  ASSERT_EQ(api_->invoke("ext", "paged", "{}", true).status, 202);
  {
    ExternalInvocation first(runtimeApi_, server_->port());
    Json updates = Json::array();
    for (int i = 1; i <= 5; ++i) {
      std::string id = "p" + std::to_string(i);
      updates.push_back(update(id, "STEP", "START", {{"SubType", "Step"}}));
      updates.push_back(update(id, "STEP", "SUCCEED", {{"SubType", "Step"}, {"Payload", std::to_string(i)}}));
    }
    ASSERT_EQ(first.checkpoint(updates).status, 200);
    // Ends the invocation without ending the execution: it is invoked again.
    ASSERT_EQ(first
                  .checkpoint(Json::array(
                      {update("w", "WAIT", "START", {{"SubType", "Wait"}, {"WaitOptions", {{"WaitSeconds", 1}}}})}))
                  .status,
              200);
    ASSERT_EQ(first.respond({{"Status", "PENDING"}}), 202);
  }
  ExternalInvocation second(runtimeApi_, server_->port());
  const Json& initial = second.input()["InitialExecutionState"];
  std::vector<std::string> ids;
  for (const Json& op : initial["Operations"]) ids.push_back(op["Id"].get<std::string>());
  EXPECT_THAT(ids, ::testing::ElementsAre("execution", "p1", "p2"));  // the EXECUTION record, then 2
  ASSERT_TRUE(initial.contains("NextMarker"));
  Reply rest = second.state(initial["NextMarker"].get<std::string>());
  ASSERT_EQ(rest.status, 200) << rest.body;
  Json page = rest.json();
  for (const Json& op : page["Operations"]) ids.push_back(op["Id"].get<std::string>());
  EXPECT_THAT(ids, ::testing::ElementsAre("execution", "p1", "p2", "p3", "p4", "p5", "w"));
  EXPECT_FALSE(page.contains("NextMarker"));
  // The pages follow the records: a checkpoint's records are in the next page read; a
  // rejected checkpoint (validated whole before any update applies) adds none.
  auto pagedIds = [&] {
    Reply r = second.state(initial["NextMarker"].get<std::string>());
    EXPECT_EQ(r.status, 200) << r.body;
    const Json body = r.json();
    std::vector<std::string> out;
    for (const Json& op : body["Operations"]) out.push_back(op["Id"].get<std::string>());
    return out;
  };
  ASSERT_EQ(second.checkpoint(Json::array({update("p6", "STEP", "START", {{"SubType", "Step"}})})).status, 200);
  EXPECT_THAT(pagedIds(), ::testing::ElementsAre("p3", "p4", "p5", "w", "p6"));
  Reply rejected = second.checkpoint(Json::array({update("p7", "STEP", "START", {{"SubType", "Step"}}),
                                                  update("p1", "STEP", "START", {{"SubType", "Step"}})}));
  EXPECT_NE(rejected.status, 200);
  EXPECT_THAT(pagedIds(), ::testing::ElementsAre("p3", "p4", "p5", "w", "p6"));
  ASSERT_EQ(second.respond({{"Status", "SUCCEEDED"}, {"Result", "15"}}), 202);
  EXPECT_EQ(api_->invoke("ext", "paged", "{}").body, "15");
}

// What changed from outside between two invocations (a timer fired, a callback was answered,
// also while the invocation ran) is listed in the next invocation's UpdatedOperationIds, once.
TEST_F(ForeignRuntimeTest, OutsideChangesAreTheNextInvocationsUpdatedOperationIds) {
  startExternal();
  ASSERT_EQ(api_->invoke("ext", "told", "{}", true).status, 202);
  std::string callbackId;
  {
    ExternalInvocation first(runtimeApi_, server_->port());
    EXPECT_EQ(first.input()["UpdatedOperationIds"], Json::array());
    Reply r = first.checkpoint(
        Json::array({update("w1", "WAIT", "START", {{"SubType", "Wait"}, {"WaitOptions", {{"WaitSeconds", 1}}}}),
                     update("cb", "CALLBACK", "START", {{"SubType", "Callback"}})}));
    ASSERT_EQ(r.status, 200) << r.body;
    Json state = r.json()["NewExecutionState"];
    for (const Json& op : state["Operations"])
      if (op["Id"] == "cb") callbackId = op["CallbackDetails"]["CallbackId"].get<std::string>();
    ASSERT_FALSE(callbackId.empty()) << r.body;
    // Answered while the invocation runs: applied when it ends.
    ASSERT_EQ(api_->callback(callbackId, "succeed", R"("yes")").status, 200);
    ASSERT_EQ(first.respond({{"Status", "PENDING"}}), 202);
  }
  ExternalInvocation second(runtimeApi_, server_->port());
  Json updated = second.input()["UpdatedOperationIds"];
  std::sort(updated.begin(), updated.end());
  // w1's timer (1 ms of real time) may fire before or after this invocation starts.
  if (updated == Json::array({"cb"})) {
    ASSERT_EQ(second.respond({{"Status", "PENDING"}}), 202);
    ExternalInvocation third(runtimeApi_, server_->port());
    EXPECT_EQ(third.input()["UpdatedOperationIds"], Json::array({"w1"}));
    ASSERT_EQ(third.respond({{"Status", "SUCCEEDED"}, {"Result", "1"}}), 202);
  } else {
    EXPECT_EQ(updated, Json::array({"cb", "w1"}));
    ASSERT_EQ(second.respond({{"Status", "SUCCEEDED"}, {"Result", "1"}}), 202);
  }
  EXPECT_EQ(api_->invoke("ext", "told", "{}").body, "1");
}

// As the model says of ContextOptions.ReplayChildren: the children of a finished context are
// left out of the invocation input and of GetDurableExecutionState unless it asked to keep
// them (on SUCCEED, or on FAIL as the JS SDK does); a running context's children are there.
TEST_F(ForeignRuntimeTest, AFinishedContextsChildrenAreLeftOutUnlessItReplaysThem) {
  options_.initialStateItems = 3;  // and the rest paged: the same rule
  startExternal();
  ASSERT_EQ(api_->invoke("ext", "pruned", "{}", true).status, 202);
  auto context = [](const std::string& id, const std::string& action, Json extra = Json::object()) {
    extra["SubType"] = "RunInChildContext";
    return update(id, "CONTEXT", action, extra);
  };
  auto step = [](const std::string& id, const std::string& parent) {
    return Json::array({update(id, "STEP", "START", {{"SubType", "Step"}, {"ParentId", parent}}),
                        update(id, "STEP", "SUCCEED", {{"SubType", "Step"}, {"ParentId", parent}, {"Payload", "1"}})});
  };
  auto keep = Json{{"ContextOptions", {{"ReplayChildren", true}}}};
  auto failed = Json{{"Error", {{"ErrorType", "Error"}, {"ErrorMessage", "no"}}}};
  {
    ExternalInvocation first(runtimeApi_, server_->port());
    Json updates = Json::array();
    auto add = [&](const Json& more) {
      for (const Json& u : more.is_array() ? more : Json::array({more})) updates.push_back(u);
    };
    add(context("done", "START"));  // finished: its children (and grandchildren) left out
    add(context("done-inner", "START", {{"ParentId", "done"}}));
    add(step("done-inner-s", "done-inner"));
    add(context("done-inner", "SUCCEED", {{"ParentId", "done"}, {"Payload", "1"}}));
    add(context("done", "SUCCEED", {{"Payload", "1"}}));
    add(context("kept", "START"));  // finished with ReplayChildren: kept
    add(step("kept-s", "kept"));
    add(context("kept", "SUCCEED", Json{{"Payload", "1"}, {"ContextOptions", {{"ReplayChildren", true}}}}));
    add(context("lost", "START"));  // failed: left out
    add(step("lost-s", "lost"));
    add(context("lost", "FAIL", failed));
    add(context("failed-kept", "START"));  // failed with ReplayChildren: kept
    add(step("failed-kept-s", "failed-kept"));
    Json failKept = failed;
    failKept.update(keep);
    add(context("failed-kept", "FAIL", failKept));
    add(context("open", "START"));  // still running: its children are there
    add(step("open-s", "open"));
    add(update("w", "WAIT", "START", {{"SubType", "Wait"}, {"ParentId", "open"}, {"WaitOptions", {{"WaitSeconds", 1}}}}));
    Reply r = first.checkpoint(updates);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(first.respond({{"Status", "PENDING"}}), 202);
  }
  ExternalInvocation second(runtimeApi_, server_->port());
  const Json& initial = second.input()["InitialExecutionState"];
  std::vector<std::string> ids;
  for (const Json& op : initial["Operations"]) ids.push_back(op["Id"].get<std::string>());
  ASSERT_TRUE(initial.contains("NextMarker"));
  Reply rest = second.state(initial["NextMarker"].get<std::string>());
  ASSERT_EQ(rest.status, 200) << rest.body;
  Json page = rest.json();
  for (const Json& op : page["Operations"]) ids.push_back(op["Id"].get<std::string>());
  EXPECT_THAT(ids, ::testing::ElementsAre("execution", "done", "kept", "kept-s", "lost", "failed-kept",
                                          "failed-kept-s", "open", "open-s", "w"));
  ASSERT_EQ(second.respond({{"Status", "SUCCEEDED"}, {"Result", "1"}}), 202);
  EXPECT_EQ(api_->invoke("ext", "pruned", "{}").body, "1");
  // The history keeps everything.
  Json history = api_->history(second.arn()).json();
  std::set<std::string> inHistory;
  for (const Json& e : history["Events"])
    if (e.contains("Id")) inHistory.insert(e["Id"].get<std::string>());
  EXPECT_TRUE(inHistory.count("done-inner-s") && inHistory.count("lost-s"));
}

// The function process's signal mask and ignored signals, as /proc/self/status shows them.
TEST_F(ForeignRuntimeTest, FunctionProcessesStartWithDefaultSignalHandling) {
  std::string script = dir_ + "/report-signals.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n"
           "blk=$(awk '/^SigBlk:/ {print $2}' /proc/self/status)\n"
           "ign=$(awk '/^SigIgn:/ {print $2}' /proc/self/status)\n"
           "echo \"$blk $ign\" >\"$REWIND_SERVER_TEST_FIFO\"\n"
           "exec sleep 600\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  ServerProcess server(
      {"--listen", "127.0.0.1:0", "--db", options_.dbPath, "--concurrency", "1", "--function", "signals=" + script});
  auto [blocked, ignored] = nextCallback();
  ASSERT_FALSE(blocked.empty());
  auto has = [](const std::string& hex, int signal) { return (std::stoull(hex, nullptr, 16) >> (signal - 1)) & 1ULL; };
  for (int s : {SIGTERM, SIGINT}) EXPECT_FALSE(has(blocked, s)) << "signal " << s << " blocked: " << blocked;
  for (int s : {SIGTERM, SIGINT, SIGPIPE}) EXPECT_FALSE(has(ignored, s)) << "signal " << s << " ignored: " << ignored;
}

}  // namespace
