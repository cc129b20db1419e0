// rewind-server with access keys (ServerOptions::accessKeys, rewind-server --auth): SigV4
// checked on every API call, failures answered as Lambda answers them, and the server's own
// function processes still checkpoint (with the key the server gives them).
#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/execution_client.hpp"
#include "rewind/lambda/sigv4.hpp"
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;
using rwd::lambda::DurableExecutionClient;
using rwd::lambda::ExecutionClientError;

class ServerAuthTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    options_.accessKeys = {{"AKIDOTHER", "other-secret"}, {"AKIDREWIND", "secret"}};
  }
  DurableExecutionClient client(rwd::lambda::AwsCredentials credentials, std::chrono::minutes skew = {},
                                std::string region = "us-east-1") {
    rwd::lambda::ExecutionClientConfig c;
    c.endpoint = server_->endpoint();
    c.region = std::move(region);
    c.credentials = std::move(credentials);
    c.now = [skew] { return std::chrono::system_clock::now() + skew; };
    return DurableExecutionClient(http_, c);
  }
  // The error a call raised: "TYPE STATUS MESSAGE", or "no error".
  template <class F>
  std::string failure(F&& call) {
    try {
      call();
    } catch (const ExecutionClientError& e) {
      return e.errorType() + " " + std::to_string(e.status()) + " " + e.what();
    }
    return "no error";
  }
  const std::string arn_ = "arn:aws:lambda:us-east-1:123456789012:function:callback:$LATEST/durable-execution/a/b";
  rwd::lambda::CurlHttpClient http_;
};

TEST_F(ServerAuthTest, RightCredentialsWorkAndTheFunctionsCheckpointWithTheirOwnKey) {
  startServer();
  auto c = client({"AKIDREWIND", "secret", ""});
  // steps-and-wait checkpoints three times through the same API: its process signs too.
  auto r = c.start("steps-and-wait", "signed", R"({"key":"signed"})");
  EXPECT_EQ(r.payload, R"("hello signed done")");
  EXPECT_EQ(c.describe(r.durableExecutionArn)["Status"], "SUCCEEDED");
  EXPECT_EQ(client({"AKIDOTHER", "other-secret", ""}).list("steps-and-wait").size(), 1u);
  // A session token is signed over (there is no STS to check it against).
  EXPECT_EQ(client({"AKIDREWIND", "secret", "token"}).history(r.durableExecutionArn).size(), 10u);
}

TEST_F(ServerAuthTest, AnUnknownKeyIsAnUnrecognizedClient) {
  startServer();
  EXPECT_THAT(failure([&] {
                client({"AKIDNOBODY", "secret", ""}).describe(arn_);
              }),
              ::testing::StartsWith("UnrecognizedClientException 403 [rewind.client.UnrecognizedClientException] "
                                    "[rewind.server.auth_unknown_key] The security token included in the request is "
                                    "invalid."));
}

TEST_F(ServerAuthTest, AWrongSecretIsAnInvalidSignature) {
  startServer();
  EXPECT_THAT(failure([&] {
                client({"AKIDREWIND", "not-the-secret", ""}).start("steps-and-wait", "x", "{}");
              }),
              ::testing::AllOf(::testing::StartsWith("InvalidSignatureException 403"),
                               ::testing::HasSubstr("[rewind.server.auth_bad_signature] The request signature we "
                                                    "calculated does not match the signature you provided.")));
  EXPECT_EQ(client({"AKIDREWIND", "secret", ""}).list("steps-and-wait").size(), 0u);  // nothing started
}

TEST_F(ServerAuthTest, AnUnsignedRequestIsMissingItsToken) {
  startServer();
  Reply r = api_->invoke("steps-and-wait", "unsigned", "{}");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "MissingAuthenticationTokenException");
  EXPECT_EQ(r.json()["message"], "[rewind.server.auth_missing] Missing Authentication Token");
  EXPECT_EQ(api_->get(arn_).status, 403);
  r = api_->call("GET", "/2025-12-01/durable-executions/x", "", {{"Authorization", "AWS4-HMAC-SHA256 Signature=00"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "IncompleteSignatureException");
}

TEST_F(ServerAuthTest, ATamperedBodyIsAnInvalidSignature) {
  startServer();
  rwd::lambda::AwsCredentials credentials{"AKIDREWIND", "secret", ""};
  auto send = [&](const std::string& body) {
    rwd::lambda::HttpRequest req{"POST", server_->endpoint() + "/2015-03-31/functions/steps-and-wait/invocations"};
    req.headers = {{"X-Amz-Durable-Execution-Name", "tampered"}, {"Content-Type", "application/json"}};
    req.body = R"({"key":"a"})";
    rwd::lambda::signRequest(req, credentials, "us-east-1", "lambda", std::chrono::system_clock::now());
    req.body = body;
    return http_.send(req);
  };
  rwd::lambda::HttpResponse res = send(R"({"key":"b"})");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.header("X-Amzn-ErrorType"), "InvalidSignatureException");
  EXPECT_EQ(send(R"({"key":"a"})").status, 200);  // the same request untouched
}

TEST_F(ServerAuthTest, AnOldOrFutureDateOrAnotherRegionIsAnInvalidSignature) {
  startServer();
  rwd::lambda::AwsCredentials credentials{"AKIDREWIND", "secret", ""};
  EXPECT_THAT(failure([&] { client(credentials, std::chrono::minutes(-16)).describe(arn_); }),
              ::testing::AllOf(::testing::StartsWith("InvalidSignatureException 403"),
                               ::testing::HasSubstr("Signature expired: "), ::testing::HasSubstr(" - 15 min.)")));
  EXPECT_THAT(failure([&] { client(credentials, std::chrono::minutes(16)).describe(arn_); }),
              ::testing::AllOf(::testing::StartsWith("InvalidSignatureException 403"),
                               ::testing::HasSubstr("Signature not yet current: ")));
  EXPECT_THAT(failure([&] { client(credentials, {}, "eu-west-1").describe(arn_); }),
              ::testing::StartsWith("InvalidSignatureException 403"));
  // Within the window: signed 14 minutes ago, the call reaches the API (the execution is unknown).
  EXPECT_THAT(failure([&] { client(credentials, std::chrono::minutes(-14)).describe(arn_); }),
              ::testing::StartsWith("ResourceNotFoundException 404"));
}

}  // namespace
