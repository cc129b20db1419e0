// RemoteDurableTestRunner against a scripted Lambda API (a fake HttpClient) on an injected
// clock: when responders' answers go out (heartbeat first, a delay scaled by timeScale),
// how polls back off, and the errors of a wait that cannot end. No sleeping, no server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rewind/remote_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::Json;
using rwd::lambda::HttpRequest;
using rwd::lambda::HttpResponse;
using Clock = std::chrono::steady_clock;

constexpr const char* kArn =
    "arn:aws:lambda:us-east-1:123456789012:function:approve:$LATEST/durable-execution/run-1/0123456789abcdef";

// One execution: a callback "approval" (id cb-1) that succeeds, and the execution with
// it, once the API is told so.
class ScriptedLambda : public rwd::lambda::HttpClient {
 public:
  explicit ScriptedLambda(Clock::time_point& now) : now_(now) {
    events_ = Json::array({event("ExecutionStarted", 1, {}),
                           event("CallbackStarted", 2,
                                 {{"Id", "c1"},
                                  {"Name", "approval"},
                                  {"SubType", "Callback"},
                                  {"CallbackStartedDetails", {{"CallbackId", "cb-1"}, {"HeartbeatTimeout", 10}}}}),
                           event("InvocationCompleted", 3, {})});
  }
  HttpResponse send(const HttpRequest& r) override {
    std::string path = r.url.substr(r.url.find('/', r.url.find("//") + 2));
    if (path.find("/history") != std::string::npos) {
      ++historyReads;
      return {200, {}, Json{{"Events", events_}}.dump()};
    }
    calls.push_back({now_, r.method + " " + path.substr(0, path.find('?'))});
    if (path.find("/invocations") != std::string::npos) return {202, {{"X-Amz-Durable-Execution-Arn", kArn}}, ""};
    if (path.ends_with("/succeed") && !neverEnds) {
      auto id = static_cast<std::int64_t>(events_.size()) + 1;
      events_.push_back(
          event("CallbackSucceeded", id,
                {{"Id", "c1"},
                 {"Name", "approval"},
                 {"SubType", "Callback"},
                 {"CallbackSucceededDetails", {{"Result", {{"Payload", r.body}, {"Truncated", false}}}}}}));
      events_.push_back(
          event("ExecutionSucceeded", id + 1,
                {{"ExecutionSucceededDetails", {{"Result", {{"Payload", r.body}, {"Truncated", false}}}}}}));
    }
    return {200, {}, "{}"};
  }
  struct Call {
    Clock::time_point at;
    std::string what;
  };
  std::vector<Call> calls;
  int historyReads = 0;
  bool neverEnds = false;

 private:
  static Json event(const char* type, std::int64_t id, Json extra) {
    Json e{{"EventType", type}, {"EventId", id}, {"EventTimestamp", 1735689600 + id}};
    for (auto& [k, v] : extra.items()) e[k] = v;
    return e;
  }
  Clock::time_point& now_;
  Json events_;
};

class RemoteRunnerFakeTest : public ::testing::Test {
 protected:
  rwd::RemoteRunnerOptions options() {
    rwd::RemoteRunnerOptions o;
    o.functionName = "approve";
    o.endpoint = "http://lambda.test";
    o.credentials = rwd::lambda::AwsCredentials{"AKID", "secret", ""};
    o.http = api_;
    o.now = [this] { return now_; };
    o.sleep = [this](std::chrono::milliseconds d) {
      sleeps_.push_back(d);
      now_ += d;
    };
    o.executionNames = [] { return std::string("run-1"); };
    o.environment = [](const std::string&) { return std::optional<std::string>(); };
    return o;
  }
  Clock::time_point start_{};
  Clock::time_point now_{};
  std::shared_ptr<ScriptedLambda> api_ = std::make_shared<ScriptedLambda>(now_);
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(RemoteRunnerFakeTest, AHeartbeatGoesAtOnceAndTheAnswerAfterItsDelayOnTheScaledClock) {
  rwd::RemoteRunnerOptions o = options();
  o.timeScale = 100;  // the endpoint's clock runs 100x: 10 s there are 100 ms here
  rwd::RemoteDurableTestRunner runner(o);
  runner.onCallback("approval", rwd::CallbackResponse::heartbeat());
  runner.onCallback("approval", rwd::CallbackResponse::success(R"("ok")").after(10s));
  const auto& result = runner.run();
  ASSERT_EQ(result.getStatus(), rwd::ExecutionStatus::Succeeded);
  EXPECT_EQ(result.getResultPayload(), R"("ok")");
  ASSERT_EQ(api_->calls.size(), 3u);
  EXPECT_EQ(api_->calls[0].what, "POST /2015-03-31/functions/approve/invocations");
  EXPECT_EQ(api_->calls[1].what, "POST /2025-12-01/durable-execution-callbacks/cb-1/heartbeat");
  EXPECT_EQ(api_->calls[1].at, start_);
  EXPECT_EQ(api_->calls[2].what, "POST /2025-12-01/durable-execution-callbacks/cb-1/succeed");
  EXPECT_EQ(api_->calls[2].at - start_, 100ms);
  EXPECT_EQ(runner.getOperation("approval").getCallbackDetails().result, R"("ok")");
}

TEST_F(RemoteRunnerFakeTest, PollsBackOffFromOneMillisecondToThePollInterval) {
  api_->neverEnds = true;
  rwd::RemoteRunnerOptions o = options();
  o.pollInterval = 50ms;
  o.timeout = 1s;
  rwd::RemoteDurableTestRunner runner(o);
  runner.start();
  try {
    runner.waitForResult();
    FAIL() << "no timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.remote.timeout]"));
  }
  ASSERT_GE(sleeps_.size(), 7u);
  EXPECT_THAT(std::vector(sleeps_.begin(), sleeps_.begin() + 7),
              ::testing::ElementsAre(1ms, 2ms, 4ms, 8ms, 16ms, 32ms, 50ms));
  for (auto d : sleeps_) EXPECT_LE(d, 50ms);
  EXPECT_LE(api_->historyReads, 30);  // about 1 s / 50 ms, not a spin
}

TEST_F(RemoteRunnerFakeTest, TestMistakesAreNamedErrors) {
  rwd::RemoteDurableTestRunner runner(options());
  EXPECT_FALSE(runner.getOperation("approval").exists());  // nothing started yet
  try {
    runner.getOperation("approval").waitForData();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.remote.not_started]"));
  }
  runner.start();
  try {
    runner.start();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.remote.already_started]"));
  }
  try {
    runner.getOperation("approval").getStepDetails();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("[rewind.remote.wrong_type]"));
  }
}

}  // namespace
