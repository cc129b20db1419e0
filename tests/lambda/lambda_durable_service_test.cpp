// LambdaDurableService: the SDK core's DurableService over the durable API client —
// splitting at the service's batch limits with chained tokens, the wire JSON, and the
// mapping of failures onto the core's two unrecoverable error kinds.
#include "rewind/lambda/lambda_durable_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "rewind/error.hpp"

namespace rwd::lambda {
namespace {

using nlohmann::json;

const std::string kArn = "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/e/1";

// Answers like the service: each checkpoint returns token-<n> and one STARTED operation per
// update; or a scripted error.
class ScriptedTransport final : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    if (errorStatus) {
      HttpResponse r{errorStatus, {{"x-amzn-ErrorType", errorType}}, json{{"message", errorMessage}}.dump()};
      return r;
    }
    if (request.method == "GET") {
      return {200, {}, R"({"Operations":[{"Id":"a","Type":"STEP","Status":"SUCCEEDED","StartTimestamp":1735689600.5,
                        "EndTimestamp":1735689601,"StepDetails":{"Attempt":1,"Result":"1"}}],"NextMarker":"m2"})"};
    }
    json body = json::parse(request.body);
    json ops = json::array();
    for (const json& u : body["Updates"])
      ops.push_back({{"Id", u["Id"]}, {"Type", u["Type"]}, {"Status", "STARTED"}, {"StartTimestamp", 1735689600}});
    bodies.push_back(body);
    return {200,
            {},
            json{{"CheckpointToken", "token-" + std::to_string(bodies.size())},
                 {"NewExecutionState", {{"Operations", ops}}}}
                .dump()};
  }
  std::vector<HttpRequest> requests;
  std::vector<json> bodies;
  long errorStatus = 0;
  std::string errorType;
  std::string errorMessage;
};

struct Fixture {
  ScriptedTransport transport;
  std::uint64_t n = 0;
  DurableApiClient api{transport,
                       {"http://127.0.0.1:1",
                        "us-east-1",
                        {"AKID", "secret", ""},
                        {2, std::chrono::milliseconds(1), std::chrono::milliseconds(1)}},
                       {[] { return std::chrono::system_clock::time_point{}; }, [](auto) {}, [this] { return ++n; }}};
  LambdaDurableService service{api};
};

CheckpointDurableExecutionRequest requestWith(std::size_t count, std::size_t payloadBytes) {
  CheckpointDurableExecutionRequest r;
  r.durableExecutionArn = kArn;
  r.checkpointToken = "token-0";
  for (std::size_t i = 0; i < count; ++i) {
    OperationUpdate u;
    u.id = "op-" + std::to_string(i);
    u.type = OperationType::Step;
    u.action = OperationAction::Succeed;
    u.payload = std::string(payloadBytes, 'x');
    r.updates.push_back(u);
  }
  return r;
}

TEST(LambdaDurableServiceTest, SixHundredUpdatesGoInCallsOfAtMost250WithChainedTokens) {
  Fixture f;
  CheckpointDurableExecutionResponse out = f.service.checkpointDurableExecution(requestWith(600, 1));
  ASSERT_EQ(f.transport.bodies.size(), 3u);
  EXPECT_EQ(f.transport.bodies[0]["Updates"].size(), 250u);
  EXPECT_EQ(f.transport.bodies[1]["Updates"].size(), 250u);
  EXPECT_EQ(f.transport.bodies[2]["Updates"].size(), 100u);
  EXPECT_EQ(f.transport.bodies[0]["CheckpointToken"], "token-0");
  EXPECT_EQ(f.transport.bodies[1]["CheckpointToken"], "token-1");
  EXPECT_EQ(f.transport.bodies[2]["CheckpointToken"], "token-2");
  EXPECT_EQ(f.transport.bodies[2]["Updates"][0]["Id"], "op-500");
  EXPECT_EQ(out.checkpointToken, "token-3");
  EXPECT_EQ(out.newExecutionState.operations.size(), 600u);
  EXPECT_NE(f.transport.bodies[0]["ClientToken"], f.transport.bodies[1]["ClientToken"]);
}

TEST(LambdaDurableServiceTest, LargePayloadsSplitAtAbout750KB) {
  Fixture f;
  f.service.checkpointDurableExecution(requestWith(3, 300 * 1024));
  ASSERT_EQ(f.transport.bodies.size(), 2u);
  EXPECT_EQ(f.transport.bodies[0]["Updates"].size(), 2u);
  EXPECT_EQ(f.transport.bodies[1]["Updates"].size(), 1u);
  for (const auto& req : f.transport.requests) EXPECT_LE(req.body.size(), 750u * 1024u + 4096u);
}

TEST(LambdaDurableServiceTest, AnEmptyRequestStillCallsTheService) {
  Fixture f;
  auto out = f.service.checkpointDurableExecution(requestWith(0, 0));
  ASSERT_EQ(f.transport.bodies.size(), 1u);
  EXPECT_EQ(out.checkpointToken, "token-1");
}

TEST(LambdaDurableServiceTest, InvalidCheckpointTokenFailsTheInvocation) {
  Fixture f;
  f.transport.errorStatus = 400;
  f.transport.errorType = "InvalidParameterValueException";
  f.transport.errorMessage = "Invalid Checkpoint Token: expired";
  try {
    f.service.checkpointDurableExecution(requestWith(1, 1));
    FAIL() << "expected an error";
  } catch (const UnrecoverableInvocationError& e) {
    EXPECT_NE(std::string(e.what()).find("rewind.lambda.invalid_checkpoint_token"), std::string::npos) << e.what();
  }
}

TEST(LambdaDurableServiceTest, ARejectedRequestFailsTheExecution) {
  Fixture f;
  f.transport.errorStatus = 400;
  f.transport.errorType = "InvalidParameterValueException";
  f.transport.errorMessage = "Value at 'updates.1.member.name' failed to satisfy constraint";
  EXPECT_THROW(f.service.checkpointDurableExecution(requestWith(1, 1)), InvalidCheckpointError);
}

TEST(LambdaDurableServiceTest, ServerErrorsAfterRetriesFailTheInvocation) {
  Fixture f;
  f.transport.errorStatus = 503;
  f.transport.errorType = "ServiceException";
  EXPECT_THROW(f.service.checkpointDurableExecution(requestWith(1, 1)), UnrecoverableInvocationError);
  EXPECT_EQ(f.transport.requests.size(), 2u);  // maxAttempts 2
}

TEST(LambdaDurableServiceTest, GetStateReadsOnePageWithEpochTimestamps) {
  Fixture f;
  GetDurableExecutionStateRequest req{kArn, "tok", std::string("m1"), 1000};
  GetDurableExecutionStateResponse page = f.service.getDurableExecutionState(req);
  ASSERT_EQ(page.operations.size(), 1u);
  EXPECT_EQ(page.operations[0].id, "a");
  EXPECT_EQ(page.operations[0].startTimestamp, TimePoint{std::chrono::milliseconds(1735689600500)});
  EXPECT_EQ(page.nextMarker, "m2");
  EXPECT_NE(f.transport.requests[0].url.find("/state?CheckpointToken=tok&Marker=m1&MaxItems=1000"), std::string::npos);
}

}  // namespace
}  // namespace rwd::lambda
