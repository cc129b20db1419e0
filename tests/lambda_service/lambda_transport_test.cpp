// The Lambda transport without AWS: a separate bootstrap process runs every invocation
// through the Runtime API and the durable API over HTTP on 127.0.0.1, and the history is
// the in-process runner's.
#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "handler_library.hpp"
#include "lambda_test_server.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::Json;

struct Outcome {
  Json history;
  std::string status;
  rwd::Payload result;
  std::size_t invocations = 0;
};

const rwd::HandlerDefinition& handlerNamed(const std::string& name) {
  static std::shared_ptr<rwd::tools::HandlerLibrary> lib = rwd::tools::HandlerLibrary::open(REWIND_TRANSPORT_HANDLERS);
  return lib->durableHandler(name);
}

Outcome run(const std::string& name, rwd::testing::LambdaTestServer* server,
            const std::string& bootstrap = REWIND_TEST_BOOTSTRAP) {
  rwd::RunnerOptions o;
  o.seed = 11;
  if (server) {
    o.invocationExecutor = server->executor();
    server->runFunction(bootstrap, name,
                        {std::string("REWIND_HANDLER_LIBRARY=") + REWIND_TRANSPORT_HANDLERS, "REWIND_SEED=11"});
  }
  rwd::LocalDurableTestRunner runner(handlerNamed(name).handler, o);
  runner.onCallback("approve", rwd::CallbackResponse::successJson("yes").after(30s));
  runner.registerFunction("doubler", [](const int& v) { return 2 * v; });
  const auto& r = runner.run();
  return {r.historyJson(), std::string(rwd::toString(r.getStatus())), r.getResultPayload(), r.getInvocations().size()};
}

void expectSameThroughTheBootstrap(const std::string& name, rwd::testing::LambdaTestServerOptions options = {}) {
  Outcome local = run(name, nullptr);
  rwd::testing::LambdaTestServer server(options);
  Outcome remote = run(name, &server);
  EXPECT_EQ(remote.status, local.status);
  EXPECT_EQ(remote.result, local.result);
  EXPECT_EQ(remote.invocations, local.invocations);
  EXPECT_EQ(remote.history.dump(1), local.history.dump(1));
  EXPECT_GT(server.checkpointCalls(), 0);
}

TEST(LambdaTransportTest, WaitsCallbacksRetriesAndInvokesRunAcrossInvocationsOfABootstrapProcess) {
  expectSameThroughTheBootstrap("every-kind");
}

TEST(LambdaTransportTest, AFailedExecutionEndsFailedThroughTheBootstrap) { expectSameThroughTheBootstrap("failing"); }

TEST(LambdaTransportTest, ALargeStateIsPagedWithGetDurableExecutionState) {
  rwd::testing::LambdaTestServerOptions options;
  options.initialStateItems = 50;
  Outcome local = run("many-records", nullptr);
  rwd::testing::LambdaTestServer server(options);
  Outcome remote = run("many-records", &server);
  EXPECT_EQ(remote.history.dump(1), local.history.dump(1));
  EXPECT_GE(server.stateCalls(), 3);  // ~300 records after the map: 50 in the input, the rest in pages of 100
}

TEST(LambdaTransportTest, AFailedCheckpointCallIsRetriedWithTheSameClientToken) {
  Outcome local = run("every-kind", nullptr);
  rwd::testing::LambdaTestServer server;
  server.failNextCheckpoints(1);
  Outcome remote = run("every-kind", &server);
  EXPECT_EQ(remote.history.dump(1), local.history.dump(1));
  std::vector<std::string> tokens = server.clientTokens();
  ASSERT_GE(tokens.size(), 2u);
  EXPECT_FALSE(tokens[0].empty());
  EXPECT_EQ(tokens[0], tokens[1]);  // the retry of the failed call
  EXPECT_NE(tokens[1], tokens[2]);
}

TEST(LambdaTransportTest, ABootstrapThatExitsMidInvocationIsStartedAgainAndTheHistoryIsTheSame) {
  Outcome local = run("crashes-once", nullptr);
  rwd::testing::LambdaTestServer server;
  Outcome remote = run("crashes-once", &server);
  EXPECT_EQ(remote.status, "SUCCEEDED");
  EXPECT_EQ(remote.history.dump(1), local.history.dump(1));
  EXPECT_NE(remote.history.dump().find("Runtime.ExitError"), std::string::npos);
  EXPECT_EQ(server.functionStarts(), 2);  // the cold start, and a fresh process after the exit
  EXPECT_GE(server.functionExits(), 1);
}

TEST(LambdaTransportTest, AHungInvocationIsKilledAtTheTimeoutAndTheFunctionStartedAgain) {
  rwd::testing::LambdaTestServerOptions options;
  options.invocationTimeout = 300ms;  // the hang is the first attempt's; the rest takes milliseconds
  rwd::testing::LambdaTestServer server(options);
  Outcome remote = run("hangs-once", &server);
  EXPECT_EQ(remote.status, "SUCCEEDED");
  EXPECT_EQ(remote.result, "\"unstuck\"");
  EXPECT_EQ(server.functionStarts(), 2);
}

TEST(LambdaTransportTest, AFunctionThatCannotStartIsAnErrorNotAHang) {
  rwd::testing::LambdaTestServer server;
  try {
    run("every-kind", &server, "/bin/false");
    FAIL() << "the run should have thrown";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("[rewind.test_server.function_wont_start]"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.functionStarts(), 2);
}

}  // namespace
