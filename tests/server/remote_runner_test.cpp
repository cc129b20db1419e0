// rwd::RemoteDurableTestRunner: the same test bodies run on LocalDurableTestRunner and
// against a rewind-server (functions in real bootstrap processes, clock 1000x) and find
// the same operations and outcome; and the history reader gives back a local run's own
// records from its history.
#include "rewind/remote_runner.hpp"

#include <sstream>

#include <fmt/format.h>

#include "rewind/history_json.hpp"
#include "rewind/history_reader.hpp"
#include "rewind/operation_json.hpp"
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using rwd::ExecutionStatus;
using rwd::LocalDurableTestRunner;
using rwd::RemoteDurableTestRunner;
using Waiting = rwd::OperationHandle::WaitingStatus;

const rwd::RawHandler& handler(const std::string& name) {
  const rwd::HandlerDefinition* def = rwd::internal::libraryRegistry().find(name);
  if (!def) throw std::runtime_error("no handler " + name);
  return def->handler;
}

// What both runners must agree on: each operation's place, kind, outcome and data
// (timestamps, callback ids and retry delays are the service's own).
std::vector<std::string> shape(const std::vector<rwd::Operation>& ops) {
  std::vector<std::string> out;
  for (const rwd::Operation& op : ops) {
    std::string line = fmt::format("{} {} {}/{} {}", op.stepId, op.name.value_or("-"), toString(op.type),
                                   toString(op.subType), toString(op.status));
    if (op.stepDetails)
      line +=
          fmt::format(" attempt={} result={} error={}", op.stepDetails->attempt, op.stepDetails->result.value_or("-"),
                      op.stepDetails->error ? op.stepDetails->error->errorMessage : "-");
    if (op.waitDetails) line += fmt::format(" wait={}s", op.waitDetails->durationSeconds);
    if (op.callbackDetails) line += fmt::format(" callback={}", op.callbackDetails->result.value_or("-"));
    if (op.contextDetails) line += fmt::format(" context={}", op.contextDetails->result.value_or("-"));
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> eventShape(const std::vector<rwd::HistoryEvent>& events) {
  std::vector<std::string> out;
  for (const rwd::HistoryEvent& e : events)
    if (e.type != rwd::HistoryEventType::InvocationCompleted)
      out.push_back(fmt::format("{} {}", toString(e.type), e.name.value_or("-")));
  return out;
}

// The interactive body: start, wait for the callback, answer it from the test.
template <class Runner>
void answerFromTheTest(Runner& runner) {
  runner.start(rwd::Json{{"key", "r1"}});
  auto approval = runner.getOperation("approval");
  approval.waitForData(Waiting::Submitted);
  EXPECT_EQ(approval.getSubType(), rwd::OperationSubType::WaitForCallback);
  EXPECT_FALSE(approval.getCallbackDetails().callbackId.empty());
  EXPECT_EQ(runner.getOperation("validate").getStepDetails().result, R"("order-r1")");
  approval.sendCallbackSuccess(R"("yes")");
  const auto& result = runner.waitForResult();
  ASSERT_EQ(result.getStatus(), ExecutionStatus::Succeeded);
  EXPECT_EQ(result.getResult(), R"(order-r1:"yes":2)");
  EXPECT_EQ(runner.getOperation("notify").getStepDetails().attempt, 2);
  EXPECT_EQ(runner.getOperation("approval").getStatus(), rwd::OperationStatus::Succeeded);
}

// The declarative body: a responder answers with a failure; run() waits for the end.
template <class Runner>
void answerByResponder(Runner& runner) {
  runner.onCallback(
      "approval", rwd::CallbackResponse::failure({"Rejected", "not approved", {}, {}}).after(std::chrono::seconds(5)));
  const auto& result = runner.run(rwd::Json{{"key", "r2"}});
  ASSERT_EQ(result.getStatus(), ExecutionStatus::Failed);
  ASSERT_TRUE(result.getError().has_value());
  EXPECT_EQ(result.getError()->errorMessage, "not approved");
  EXPECT_FALSE(runner.getOperation("notify").exists());
}

// run() without responders: one synchronous Invoke.
template <class Runner>
void runToFailure(Runner& runner) {
  const auto& result = runner.run(rwd::Json{{"key", "r3"}});
  ASSERT_EQ(result.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(result.getError()->errorMessage, "kaput");
  EXPECT_EQ(runner.getOperationByIndex(0).getName(), "boom");
}

class RemoteRunnerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    options_.functions.push_back({"approval-flow", REWIND_SERVER_TEST_BOOTSTRAP, "approval-flow", 2});
    startServer();
  }
  RemoteDurableTestRunner remote(const std::string& function) {
    rwd::RemoteRunnerOptions o;
    o.functionName = function;
    o.endpoint = server_->endpoint();
    o.credentials = rwd::lambda::AwsCredentials{"AKIDREWIND", "secret", ""};
    o.timeScale = options_.timeScale;
    o.pollInterval = std::chrono::milliseconds(20);
    o.timeout = std::chrono::seconds(60);
    return RemoteDurableTestRunner(o);
  }
  // Runs `body` locally and remotely; both must see the same operations and events.
  template <class Body>
  void same(const std::string& function, Body body) {
    LocalDurableTestRunner local(handler(function));
    body(local);
    RemoteDurableTestRunner r = remote(function);
    body(r);
    EXPECT_EQ(shape(r.getOperations()), shape(local.getOperations()));
    EXPECT_EQ(eventShape(r.getHistoryEvents()), eventShape(local.getHistoryEvents()));
    EXPECT_EQ(r.result().getResultPayload(), local.result().getResultPayload());
  }
};

TEST_F(RemoteRunnerTest, TheSameInteractiveBodyPassesLocallyAndThroughTheServer) {
  same("approval-flow", [](auto& runner) { answerFromTheTest(runner); });
}

TEST_F(RemoteRunnerTest, ResponderDelaysRunOnTheServersScaledClock) {
  same("approval-flow", [](auto& runner) { answerByResponder(runner); });
}

TEST_F(RemoteRunnerTest, RunWithoutRespondersIsOneSynchronousInvoke) {
  same("fails", [](auto& runner) { runToFailure(runner); });
}

TEST_F(RemoteRunnerTest, TheRemoteResultPrintsAndSerialisesAsALocalOne) {
  RemoteDurableTestRunner r = remote("steps-and-wait");
  const auto& result = r.run(rwd::Json{{"key", "p"}});
  std::ostringstream out;
  result.print(out);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("execution SUCCEEDED"));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("pause WAIT/Wait SUCCEEDED"));
  rwd::Json j = result.toJson();
  EXPECT_EQ(j["Result"], "hello p done");
  EXPECT_EQ(j["Operations"].size(), 3u);
  EXPECT_EQ(j["History"].back()["EventType"], "ExecutionSucceeded");
  EXPECT_EQ(r.getInvocations().back().outcome, rwd::InvocationOutcome::Succeeded);
}

TEST_F(RemoteRunnerTest, WaitingForAnOperationThatNeverComesFailsWhenTheExecutionEnds) {
  RemoteDurableTestRunner r = remote("fails");
  r.start(rwd::Json{{"key", "w"}});
  try {
    r.getOperation("never").waitForData();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.remote.wait_ended]"));
  }
}

TEST_F(RemoteRunnerTest, StopEndsTheRemoteExecution) {
  RemoteDurableTestRunner r = remote("callback");
  r.start(rwd::Json{{"key", "s"}});
  r.getOperation("approval").waitForData(Waiting::Submitted);
  r.stop();
  EXPECT_EQ(r.getStatus(), ExecutionStatus::Stopped);
}

TEST_F(RemoteRunnerTest, EndpointRegionAndCredentialsComeFromTheEnvironmentAsInTheAwsSdks) {
  std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL_LAMBDA", server_->endpoint() + "/"},
                                         {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                         {"AWS_REGION", "eu-west-1"},
                                         {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                         {"AWS_SECRET_ACCESS_KEY", "secret"}};
  rwd::RemoteRunnerOptions o;
  o.functionName = "steps-and-wait";
  o.environment = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  RemoteDurableTestRunner r(o);
  EXPECT_EQ(r.options().endpoint, server_->endpoint());  // the Lambda-specific variable first, no trailing '/'
  EXPECT_EQ(r.options().region, "eu-west-1");
  EXPECT_EQ(r.run(rwd::Json{{"key", "env"}}).getResult(), "hello env done");
  env.erase("AWS_ENDPOINT_URL_LAMBDA");
  env.erase("AWS_ENDPOINT_URL");
  EXPECT_EQ(RemoteDurableTestRunner(o).options().endpoint, "https://lambda.eu-west-1.amazonaws.com");
}

// The same body against a function deployed on AWS (or any endpoint): opt in with
// REWIND_TEST_DEPLOYED_FUNCTION naming a deployment of tests/server's "approval-flow"
// handler; endpoint, region and credentials come from the environment.
TEST(RemoteRunnerDeployedTest, TheInteractiveBodyPassesAgainstADeployedFunction) {
  const char* function = std::getenv("REWIND_TEST_DEPLOYED_FUNCTION");
  if (!function) GTEST_SKIP() << "set REWIND_TEST_DEPLOYED_FUNCTION (and AWS credentials) to run it";
  rwd::RemoteRunnerOptions o;
  o.functionName = function;
  o.pollInterval = std::chrono::seconds(1);
  RemoteDurableTestRunner remote(o);
  answerFromTheTest(remote);
  LocalDurableTestRunner local(handler("approval-flow"));
  answerFromTheTest(local);
  EXPECT_EQ(shape(remote.getOperations()), shape(local.getOperations()));
}

TEST(RemoteRunnerErrorsTest, AnUnreachableEndpointIsATransportError) {
  rwd::RemoteRunnerOptions o;
  o.functionName = "x";
  o.endpoint = "http://127.0.0.1:1";
  o.credentials = rwd::lambda::AwsCredentials{"a", "b", ""};
  RemoteDurableTestRunner r(o);
  try {
    r.run();
    FAIL() << "no error";
  } catch (const rwd::lambda::ExecutionClientError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.client.transport]"));
  }
  EXPECT_THROW(RemoteDurableTestRunner(rwd::RemoteRunnerOptions{}), std::invalid_argument);
}

// The reader against the local runner's own records: every operation the history
// describes comes back as the service held it, StepId included.
TEST(HistoryReaderTest, ReadsALocalRunsHistoryBackIntoItsOperations) {
  LocalDurableTestRunner local(handler("approval-flow"));
  local.onCallback("approval", rwd::CallbackResponse::success(R"("ok")").after(std::chrono::minutes(2)));
  const rwd::ExecutionResult& result = local.run(rwd::Json{{"key", "h"}});
  ASSERT_EQ(result.getStatus(), ExecutionStatus::Succeeded);
  rwd::Json history = result.historyJson();
  std::vector<rwd::HistoryEvent> events = rwd::historyFromJson(history);
  EXPECT_EQ(rwd::historyToJson(events), history);
  EXPECT_EQ(rwd::operationsToJson(rwd::operationsFromHistory(events)), rwd::operationsToJson(result.getOperations()));
  auto invocations = rwd::invocationsFromHistory(events);
  ASSERT_EQ(invocations.size(), result.getInvocations().size());
  for (std::size_t i = 0; i < invocations.size(); ++i) {
    EXPECT_EQ(invocations[i].requestId, result.getInvocations()[i].requestId);
    EXPECT_EQ(invocations[i].outcome, result.getInvocations()[i].outcome) << i;
  }
  EXPECT_THROW(rwd::historyFromJson(rwd::Json::array({{{"EventType", "Nope"}}})), std::invalid_argument);
  // Numbers that are no whole numbers, or times past the year 9999, are bad events (not
  // conversions out of range).
  rwd::Json first = history.at(0);
  for (auto [member, value] : {std::pair<const char*, rwd::Json>{"EventTimestamp", 1e300},
                               {"EventTimestamp", -1e300},
                               {"EventId", 1.5},
                               {"EventId", 1e300}}) {
    rwd::Json bad = first;
    bad[member] = value;
    try {
      rwd::historyFromJson(rwd::Json::array({bad}));
      ADD_FAILURE() << member << " " << value.dump() << ": accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("[rewind.history.bad_event]")) << e.what();
    }
  }
}

}  // namespace
