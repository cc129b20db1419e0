// DurableApiClient against a local HTTP server playing the durable API: retries with the
// same ClientToken, backoff bounds, error mapping, query/path encoding, and agreement with
// botocore's own Lambda client on what a request looks like.
#include "rewind/lambda/durable_api_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "local_server.hpp"
#include "python_tool.hpp"
#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/url.hpp"

namespace rwd::lambda {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kArn =
    "arn:aws:lambda:us-east-1:123456789012:function:hello:$LATEST/durable-execution/exec-1/3f2a9c1e-7b4d";

struct Recorded {
  std::string method;
  std::string path;
  std::string clientToken;
  std::string authorization;
  std::string securityToken;
  json body;
  httplib::Params params;
};

// A scripted durable API: each call pops the next canned answer (status, error type,
// body, extra header), the last one repeating; every request is recorded.
class FakeDurableApi {
 public:
  struct Answer {
    int status = 200;
    std::string errorType;
    std::string body = "{}";
    std::pair<std::string, std::string> header{};
  };

  explicit FakeDurableApi(std::vector<Answer> answers) : answers_(std::move(answers)) {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      Recorded r{req.method,
                 req.path,
                 "",
                 req.get_header_value("Authorization"),
                 req.get_header_value("X-Amz-Security-Token"),
                 json::parse(req.body, nullptr, false),
                 req.params};
      if (r.body.is_object() && r.body.contains("ClientToken")) r.clientToken = r.body["ClientToken"];
      recorded_.push_back(r);
      const Answer& a = answers_[std::min(next_++, answers_.size() - 1)];
      res.status = a.status;
      if (!a.errorType.empty()) res.set_header("x-amzn-ErrorType", a.errorType + ":http://internal.amazon.com/");
      if (!a.header.first.empty()) res.set_header(a.header.first, a.header.second);
      res.set_content(a.body, "application/json");
    };
    server_.http().Post(R"(/2025-12-01/durable-executions/(.+)/checkpoint)", handle);
    server_.http().Get(R"(/2025-12-01/durable-executions/(.+)/state)", handle);
    server_.start();
  }
  std::string endpoint() const { return "http://" + server_.address(); }
  std::vector<Recorded> recorded() {
    std::lock_guard lock(mutex_);
    return recorded_;
  }

 private:
  testing::LocalServer server_;
  std::mutex mutex_;
  std::vector<Answer> answers_;
  std::size_t next_ = 0;
  std::vector<Recorded> recorded_;
};

struct Harness {
  CurlHttpClient http;
  std::vector<std::chrono::milliseconds> sleeps;
  std::uint64_t seed = 7;
  DurableApiClient makeClient(const std::string& endpoint, RetryPolicy retry = {}) {
    DurableApiConfig config{endpoint, "us-east-1", {"ASIAKEY", "secret", "session-token"}, retry};
    DurableApiServices services{[] { return std::chrono::system_clock::time_point{std::chrono::seconds{1764849600}}; },
                                [this](std::chrono::milliseconds d) { sleeps.push_back(d); },
                                [this] {
                                  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                                  return seed;
                                }};
    return DurableApiClient(http, config, services);
  }
};

const char* kOkCheckpoint = R"({"CheckpointToken":"tok-2","NewExecutionState":{"Operations":[]}})";

DurableApiError::Kind failureKind(const std::function<void()>& call, std::string* what = nullptr) {
  try {
    call();
  } catch (const DurableApiError& e) {
    if (what) *what = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "expected a DurableApiError";
  return DurableApiError::Kind::BadResponse;
}

TEST(DurableApiClientTest, CheckpointFailingOnceWith500IsRetriedWithTheSameClientToken) {
  FakeDurableApi api(
      {{500, "ServiceException", R"({"Type":"Service","Message":"internal failure"})"}, {200, "", kOkCheckpoint}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  json out = client.checkpoint(kArn, {{"CheckpointToken", "tok-1"}, {"Updates", json::array()}});
  EXPECT_EQ(out["CheckpointToken"], "tok-2");
  auto rec = api.recorded();
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_FALSE(rec[0].clientToken.empty());
  EXPECT_EQ(rec[0].clientToken, rec[1].clientToken);
  EXPECT_EQ(rec[0].path, "/2025-12-01/durable-executions/" + kArn + "/checkpoint");
  EXPECT_EQ(rec[1].body["CheckpointToken"], "tok-1");
  EXPECT_NE(rec[1].authorization.find("AWS4-HMAC-SHA256 Credential=ASIAKEY/20251204/us-east-1/lambda/aws4_request"),
            std::string::npos);
  EXPECT_EQ(rec[1].securityToken, "session-token");
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_LE(h.sleeps[0], 100ms);
}

TEST(DurableApiClientTest, ThrottlingIsRetriedAfterTheRetryAfterDelay) {
  FakeDurableApi api(
      {{429, "TooManyRequestsException", R"({"Type":"User","message":"Rate exceeded"})", {"Retry-After", "2"}},
       {200, "", kOkCheckpoint}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  client.checkpoint(kArn, {{"CheckpointToken", "tok-1"}, {"ClientToken", "caller-chosen"}});
  auto rec = api.recorded();
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_EQ(rec[0].clientToken, "caller-chosen");
  EXPECT_EQ(rec[1].clientToken, "caller-chosen");
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], 2000ms);
}

TEST(DurableApiClientTest, PersistentServerErrorsGiveUpAfterMaxAttemptsWithBoundedBackoff) {
  FakeDurableApi api({{503, "ServiceException", R"({"Message":"unavailable"})"}});
  Harness h;
  auto client = h.makeClient(api.endpoint(), {4, 100ms, 250ms});
  std::string what;
  EXPECT_EQ(failureKind(
                [&] {
                  client.checkpoint(kArn, {{"CheckpointToken", "t"}});
                },
                &what),
            DurableApiError::Kind::ServiceError);
  EXPECT_NE(what.find("[rewind.lambda.service_error]"), std::string::npos) << what;
  EXPECT_NE(what.find("gave up after 4 attempts"), std::string::npos) << what;
  auto rec = api.recorded();
  ASSERT_EQ(rec.size(), 4u);
  for (const auto& r : rec) EXPECT_EQ(r.clientToken, rec[0].clientToken);
  ASSERT_EQ(h.sleeps.size(), 3u);
  EXPECT_LE(h.sleeps[0], 100ms);
  EXPECT_LE(h.sleeps[1], 200ms);
  EXPECT_LE(h.sleeps[2], 250ms);
}

TEST(DurableApiClientTest, TwoCheckpointsGetDifferentClientTokens) {
  FakeDurableApi api({{200, "", kOkCheckpoint}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  client.checkpoint(kArn, {{"CheckpointToken", "a"}});
  client.checkpoint(kArn, {{"CheckpointToken", "b"}});
  auto rec = api.recorded();
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_NE(rec[0].clientToken, rec[1].clientToken);
  EXPECT_EQ(rec[0].clientToken.size(), 36u);
}

TEST(DurableApiClientTest, InvalidCheckpointTokenIsNotRetriedAndFailsOnlyTheInvocation) {
  FakeDurableApi api({{400, "InvalidParameterValueException",
                       R"({"Type":"User","message":"Invalid Checkpoint Token: token has expired"})"}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  try {
    client.checkpoint(kArn, {{"CheckpointToken", "old"}});
    FAIL() << "expected an error";
  } catch (const DurableApiError& e) {
    EXPECT_EQ(e.kind(), DurableApiError::Kind::InvalidCheckpointToken);
    EXPECT_FALSE(e.failsExecution());
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.errorType(), "InvalidParameterValueException");
    EXPECT_NE(std::string(e.what()).find("[rewind.lambda.invalid_checkpoint_token]"), std::string::npos);
  }
  EXPECT_EQ(api.recorded().size(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(DurableApiClientTest, OtherClientErrorsAreNotRetriedAndFailTheExecution) {
  FakeDurableApi api({{400, "InvalidParameterValueException",
                       R"({"message":"Value at 'updates.1.member.name' failed to satisfy constraint"})"}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  try {
    client.checkpoint(kArn, {{"CheckpointToken", "t"}});
    FAIL() << "expected an error";
  } catch (const DurableApiError& e) {
    EXPECT_EQ(e.kind(), DurableApiError::Kind::RequestRejected);
    EXPECT_TRUE(e.failsExecution());
    EXPECT_EQ(e.serviceMessage(), "Value at 'updates.1.member.name' failed to satisfy constraint");
  }
  EXPECT_EQ(api.recorded().size(), 1u);
}

TEST(DurableApiClientTest, ErrorTypeFallsBackToTheBodyWithoutTheHeader) {
  FakeDurableApi api({{403, "", R"({"__type":"com.amazon.coral#AccessDeniedException","Message":"not allowed"})"}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  try {
    client.getState(kArn, "t", std::nullopt, std::nullopt);
    FAIL() << "expected an error";
  } catch (const DurableApiError& e) {
    EXPECT_EQ(e.kind(), DurableApiError::Kind::RequestRejected);
    EXPECT_EQ(e.errorType(), "AccessDeniedException");
    EXPECT_EQ(e.serviceMessage(), "not allowed");
    EXPECT_NE(std::string(e.what()).find("HTTP 403 AccessDeniedException: not allowed"), std::string::npos);
  }
}

TEST(DurableApiClientTest, GetStateSendsTokenMarkerAndMaxItemsAsQueryParameters) {
  FakeDurableApi api({{200, "", R"({"Operations":[],"NextMarker":"m2"})"}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  json out = client.getState(kArn, "tok+/=", std::string("page 1/2"), 1000);
  EXPECT_EQ(out["NextMarker"], "m2");
  auto rec = api.recorded();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].method, "GET");
  EXPECT_EQ(rec[0].path, "/2025-12-01/durable-executions/" + kArn + "/state");
  auto param = [&](const std::string& k) {
    auto it = rec[0].params.find(k);
    return it == rec[0].params.end() ? std::string("<none>") : it->second;
  };
  EXPECT_EQ(param("CheckpointToken"), "tok+/=");
  EXPECT_EQ(param("Marker"), "page 1/2");
  EXPECT_EQ(param("MaxItems"), "1000");
}

TEST(DurableApiClientTest, BodyThatIsNotJsonIsABadResponse) {
  FakeDurableApi api({{200, "", "<html>proxy</html>"}});
  Harness h;
  auto client = h.makeClient(api.endpoint());
  EXPECT_EQ(failureKind([&] { client.getState(kArn, "t", std::nullopt, std::nullopt); }),
            DurableApiError::Kind::BadResponse);
}

// A client whose first send fails without a response, then delegates.
class FlakyTransport final : public HttpClient {
 public:
  explicit FlakyTransport(HttpClient& inner) : inner_(inner) {}
  HttpResponse send(const HttpRequest& request) override {
    bodies.push_back(request.body);
    if (bodies.size() == 1) throw HttpTransportError("[rewind.lambda.http_transport] connection reset");
    return inner_.send(request);
  }
  std::vector<std::string> bodies;

 private:
  HttpClient& inner_;
};

TEST(DurableApiClientTest, TransportFailureIsRetriedWithTheSameBody) {
  FakeDurableApi api({{200, "", kOkCheckpoint}});
  CurlHttpClient curl;
  FlakyTransport flaky(curl);
  std::vector<std::chrono::milliseconds> sleeps;
  std::uint64_t n = 0;
  DurableApiClient client(flaky, {api.endpoint(), "us-east-1", {"AKID", "secret", ""}},
                          {[] { return std::chrono::system_clock::time_point{}; },
                           [&](std::chrono::milliseconds d) { sleeps.push_back(d); }, [&] { return ++n; }});
  client.checkpoint(kArn, {{"CheckpointToken", "t"}});
  ASSERT_EQ(flaky.bodies.size(), 2u);
  EXPECT_EQ(flaky.bodies[0], flaky.bodies[1]);
  EXPECT_EQ(api.recorded().size(), 1u);
  EXPECT_EQ(sleeps.size(), 1u);
}

// ---- botocore agreement: the same requests built by botocore's Lambda client ----

// Records what DurableApiClient would send, answering 200.
class RecordingTransport final : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    return {200, {}, R"({"CheckpointToken":"x","NewExecutionState":{},"Operations":[]})"};
  }
  std::vector<HttpRequest> requests;
};

TEST(DurableApiClientBotocoreTest, RequestsMatchWhatBotocoreBuildsFromTheServiceModel) {
  RecordingTransport transport;
  std::uint64_t n = 0;
  const std::string endpoint = "https://lambda.us-east-1.amazonaws.com";
  DurableApiClient client(transport, {endpoint, "us-east-1", {"AKID", "secret", "tok"}},
                          {[] { return std::chrono::system_clock::time_point{}; }, [](auto) {}, [&] { return ++n; }});
  json updates = json::array(
      {{{"Id", "c4ca4238a0b92382"}, {"Type", "STEP"}, {"Action", "START"}, {"SubType", "Step"}, {"Name", "greet"}},
       {{"Id", "c4ca4238a0b92382"},
        {"Type", "STEP"},
        {"Action", "RETRY"},
        {"Error", {{"ErrorType", "Boom"}, {"ErrorMessage", "failed"}, {"StackTrace", {"a", "b"}}}},
        {"StepOptions", {{"NextAttemptDelaySeconds", 3}}}},
       {{"Id", "w1"}, {"Type", "WAIT"}, {"Action", "START"}, {"WaitOptions", {{"WaitSeconds", 5}}}},
       {{"Id", "cb"},
        {"ParentId", "c4ca4238a0b92382"},
        {"Type", "CALLBACK"},
        {"Action", "START"},
        {"CallbackOptions", {{"TimeoutSeconds", 60}, {"HeartbeatTimeoutSeconds", 10}}}},
       {{"Id", "ctx"},
        {"Type", "CONTEXT"},
        {"Action", "SUCCEED"},
        {"Payload", "{\"a\":1}"},
        {"ContextOptions", {{"ReplayChildren", true}}}},
       {{"Id", "inv"},
        {"Type", "CHAINED_INVOKE"},
        {"Action", "START"},
        {"ChainedInvokeOptions", {{"FunctionName", "other"}, {"TenantId", "t-1"}}}}});
  json checkpointBody = {{"CheckpointToken", "dG9rZW4="}, {"Updates", updates}, {"ClientToken", "fixed-token"}};
  client.checkpoint(kArn, checkpointBody);
  client.getState(kArn, "dG9rZW4=", std::string("next/marker"), 500);
  ASSERT_EQ(transport.requests.size(), 2u);

  json checkpointParams = checkpointBody;
  checkpointParams["DurableExecutionArn"] = kArn;
  json input = json::array({{{"operation", "checkpoint_durable_execution"},
                             {"params", checkpointParams},
                             {"endpoint", endpoint},
                             {"region", "us-east-1"}},
                            {{"operation", "get_durable_execution_state"},
                             {"params",
                              {{"DurableExecutionArn", kArn},
                               {"CheckpointToken", "dG9rZW4="},
                               {"Marker", "next/marker"},
                               {"MaxItems", 500}}},
                             {"endpoint", endpoint},
                             {"region", "us-east-1"}}});
  testing::PythonRun run = testing::runPythonTool("botocore_request.py", input);
  if (!run.available) GTEST_SKIP() << "python3 with botocore is not available";
  ASSERT_TRUE(run.output.is_array() && run.output.size() == 2u) << run.output.dump();
  for (std::size_t i = 0; i < 2; ++i) {
    const json& b = run.output[i];
    ASSERT_FALSE(b.contains("error")) << b.dump();
    const HttpRequest& ours = transport.requests[i];
    EXPECT_EQ(ours.method, b["method"]);
    EXPECT_EQ(ours.url, b["url"]);
    if (b["body"].is_null()) {
      EXPECT_TRUE(ours.body.empty());
    } else {
      EXPECT_EQ(json::parse(ours.body), b["body"]);
    }
    // Every header botocore signs is one we send and sign too.
    std::string auth = ours.header("Authorization").value_or("");
    auto from = auth.find("SignedHeaders=") + 14;
    std::string signedNames = ";" + auth.substr(from, auth.find(',', from) - from) + ";";
    for (const auto& name : b["signedHeaders"]) {
      EXPECT_NE(signedNames.find(";" + name.get<std::string>() + ";"), std::string::npos)
          << name << " is not in " << signedNames;
    }
  }
}

}  // namespace
}  // namespace rwd::lambda
