// rewind-server's redrive extension (POST .../durable-executions/ARN/redrive, Step
// Functions' RedriveExecution): a FAILED execution runs again from its point of failure —
// its successful operations replay from the log, the failed one runs again.
#include <fstream>

#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/execution_client.hpp"
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using rwd::lambda::DurableExecutionClient;
using rwd::lambda::ExecutionClientError;

class ServerRedriveTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    options_.functions.push_back({"fails-until-fixed", REWIND_SERVER_TEST_BOOTSTRAP, "fails-until-fixed", 2});
  }
  DurableExecutionClient& client() {
    if (!client_) {
      rwd::lambda::ExecutionClientConfig c;
      c.endpoint = server_->endpoint();
      c.credentials = {"AKIDREWIND", "secret", ""};
      client_ = std::make_unique<DurableExecutionClient>(http_, c);
    }
    return *client_;
  }
  int runsOf(const std::string& file) {
    std::ifstream in(dir_ + "/" + file);
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }
  std::string errorTypeOf(const std::string& arn) {
    try {
      client().redrive(arn);
    } catch (const ExecutionClientError& e) {
      return std::to_string(e.status()) + " " + e.errorType();
    }
    return "no error";
  }
  rwd::lambda::CurlHttpClient http_;
  std::unique_ptr<DurableExecutionClient> client_;
};

TEST_F(ServerRedriveTest, AFailedExecutionRedrivenAfterTheFixSucceedsWithoutRerunningItsSuccessfulSteps) {
  startServer();
  std::ofstream(dir_ + "/broken-r1") << "1";
  const std::string input = R"({"key":"r1"})";
  auto first = client().start("fails-until-fixed", "r1", input);
  EXPECT_EQ(first.functionError, "Unhandled");
  const std::string arn = first.durableExecutionArn;
  EXPECT_EQ(client().describe(arn)["Status"], "FAILED");
  EXPECT_EQ(runsOf("prepared-r1"), 1);

  // Still broken: the redrive runs "deliver" again (not its recorded failure), which fails.
  EXPECT_TRUE(client().redrive(arn)["RedriveTimestamp"].is_number());
  auto second = client().start("fails-until-fixed", "r1", input);  // Invoke by name: waits for the end
  EXPECT_EQ(second.durableExecutionArn, arn);
  EXPECT_EQ(second.functionError, "Unhandled");
  EXPECT_EQ(client().describe(arn)["Status"], "FAILED");

  std::filesystem::remove(dir_ + "/broken-r1");  // the fix
  client().redrive(arn);
  auto third = client().start("fails-until-fixed", "r1", input);
  EXPECT_EQ(third.payload, R"("prepared r1 delivered")");
  Json d = client().describe(arn);
  EXPECT_EQ(d["Status"], "SUCCEEDED");
  EXPECT_EQ(d["Result"], R"("prepared r1 delivered")");
  EXPECT_FALSE(d.contains("Error"));
  EXPECT_EQ(runsOf("prepared-r1"), 1);  // "prepare" and the wait replayed from the log

  // The history keeps every attempt: the step that succeeded started once, "deliver" three times.
  int prepareStarts = 0, deliverStarts = 0;
  std::vector<std::string> ends;
  for (const Json& e : client().history(arn)) {
    std::string type = e["EventType"];
    if (type == "StepStarted") (e.value("Name", "") == "prepare" ? prepareStarts : deliverStarts)++;
    if (type.starts_with("Execution") && type != "ExecutionStarted") ends.push_back(type);
  }
  EXPECT_EQ(prepareStarts, 1);
  EXPECT_EQ(deliverStarts, 3);
  EXPECT_EQ(ends, (std::vector<std::string>{"ExecutionFailed", "ExecutionFailed", "ExecutionSucceeded"}));

  // A succeeded execution cannot be redriven; an unknown one is not found.
  EXPECT_EQ(errorTypeOf(arn), "400 ExecutionNotRedrivable");
  EXPECT_EQ(errorTypeOf(arn.substr(0, arn.rfind('/')) + "/0000"), "404 ResourceNotFoundException");
}

TEST_F(ServerRedriveTest, ARunningExecutionIsNotRedrivableAndAStoppedOneWaitsForANewCallback) {
  startServer();
  auto r = client().start("callback", "stopped", R"({"key":"stopped"})", rwd::lambda::InvocationType::Event);
  std::string firstId = nextCallback().second;
  EXPECT_EQ(errorTypeOf(r.durableExecutionArn), "400 ExecutionNotRedrivable");
  // Once the submitter step's success is on record (it announced the first id), stop.
  auto submitted = [&] {
    for (const Json& e : client().history(r.durableExecutionArn))
      if (e["EventType"] == "StepSucceeded") return true;
    return false;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!submitted() && std::chrono::steady_clock::now() < deadline) {
  }
  ASSERT_TRUE(submitted());
  client().stop(r.durableExecutionArn);
  client().redrive(r.durableExecutionArn);
  EXPECT_EQ(client().describe(r.durableExecutionArn)["Status"], "RUNNING");
  // The unfinished waitForCallback runs again whole: a new callback, announced again by
  // its submitter (whose earlier success is dropped with it).
  auto [key, id] = nextCallback();
  EXPECT_EQ(key, "stopped");
  EXPECT_NE(id, firstId);
  client().sendCallbackSuccess(id, R"("late")");
  EXPECT_EQ(client().start("callback", "stopped", R"({"key":"stopped"})").payload, R"("approved:\"late\"")");
}

}  // namespace
