// rwd::lambda::DurableExecutionClient (the `rewind` CLI's client) against rewind-server:
// start, describe, list, history, stop and callbacks over real HTTP, SigV4-signed.
#include "rewind/lambda/execution_client.hpp"
#include "rewind/lambda/curl_http_client.hpp"
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using rwd::lambda::DurableExecutionClient;
using rwd::lambda::ExecutionClientError;
using rwd::lambda::InvocationType;

class ExecutionClientTest : public ServerTest {
 protected:
  DurableExecutionClient& client() {
    if (!client_) {
      rwd::lambda::ExecutionClientConfig c;
      c.endpoint = server_->endpoint();
      c.credentials = {"AKIDREWIND", "secret", ""};
      client_ = std::make_unique<DurableExecutionClient>(http_, c);
    }
    return *client_;
  }
  rwd::lambda::CurlHttpClient http_;
  std::unique_ptr<DurableExecutionClient> client_;
};

TEST_F(ExecutionClientTest, StartsDescribesListsAndReadsEveryPageOfHistory) {
  startServer();
  auto r = client().start("steps-and-wait", "cpp", R"({"key":"cpp"})");
  EXPECT_EQ(r.statusCode, 200);
  EXPECT_EQ(r.payload, R"("hello cpp done")");
  EXPECT_EQ(client().describe(r.durableExecutionArn)["Status"], "SUCCEEDED");
  auto events = client().history(r.durableExecutionArn);
  EXPECT_EQ(events.size(), 10u);
  EXPECT_EQ(events.back()["EventType"], "ExecutionSucceeded");
  client().start("steps-and-wait", "cpp2", R"({"key":"cpp2"})");
  auto listed = client().list("steps-and-wait", {std::nullopt, {"SUCCEEDED"}, true, 1});  // one item a page
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["DurableExecutionName"], "cpp2");
  EXPECT_EQ(listed[1]["DurableExecutionName"], "cpp");
}

TEST_F(ExecutionClientTest, AnswersCallbacksAndStops) {
  startServer();
  auto a = client().start("callback", "cpp-cb", R"({"key":"cpp-cb"})", InvocationType::Event);
  EXPECT_EQ(a.statusCode, 202);
  auto [key, id] = nextCallback();
  client().sendCallbackHeartbeat(id);
  client().sendCallbackSuccess(id, R"("ok")");
  EXPECT_EQ(client().start("callback", "cpp-cb", R"({"key":"cpp-cb"})").payload, R"("approved:\"ok\"")");
  auto b = client().start("callback", "cpp-stop", R"({"key":"cpp-stop"})", InvocationType::Event);
  nextCallback();
  EXPECT_TRUE(client().stop(b.durableExecutionArn)["StopTimestamp"].is_number());
  EXPECT_EQ(client().describe(b.durableExecutionArn)["Status"], "STOPPED");
}

TEST_F(ExecutionClientTest, ServiceErrorsKeepTheirType) {
  startServer();
  try {
    client().describe("arn:aws:lambda:us-east-1:123456789012:function:x:$LATEST/durable-execution/a/b");
    FAIL() << "no error";
  } catch (const ExecutionClientError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.errorType(), "ResourceNotFoundException");
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.client.ResourceNotFoundException]"));
  }
  EXPECT_THROW(client().sendCallbackSuccess(std::string(48, 'f'), "1"), ExecutionClientError);
}

}  // namespace
