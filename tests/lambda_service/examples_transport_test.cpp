// Issue 13 point 8 for the examples: each example's handler, with the event and callback
// answers its README and ctest use, runs once in process and once through the Lambda
// transport (a bootstrap process started by the test server, the Runtime API and the
// durable API over HTTP on 127.0.0.1); the two histories must be equal, event for event.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "handler_library.hpp"
#include "lambda_test_server.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

using namespace std::chrono_literals;

struct Answer {
  std::string callback;
  std::string payload;  // JSON text
  rwd::Duration after;
};

struct Example {
  std::string library;
  std::string handler;
  std::string event;
  std::vector<Answer> answers;
};

void PrintTo(const Example& ex, std::ostream* os) { *os << ex.handler << ' ' << ex.event; }

struct Outcome {
  std::string history;
  std::string status;
  rwd::Payload result;
};

Outcome run(const Example& ex, const rwd::tools::HandlerLibrary& lib, rwd::testing::LambdaTestServer* server) {
  rwd::RunnerOptions o;
  o.seed = 5;
  if (server) {
    o.invocationExecutor = server->executor();
    server->runFunction(REWIND_TEST_BOOTSTRAP, ex.handler, {"REWIND_HANDLER_LIBRARY=" + ex.library, "REWIND_SEED=5"});
  }
  const rwd::HandlerDefinition& def = lib.durableHandler(ex.handler);
  o.handlerConfig = def.config;
  rwd::LocalDurableTestRunner runner(def.handler, o);
  for (const rwd::HandlerDefinition& target : lib.registry().all()) {
    if (target.kind == rwd::HandlerKind::Function)
      runner.registerFunction(target.name, target.function);
    else
      runner.registerDurableFunction(target.name, target.handler, target.config);
  }
  for (const Answer& a : ex.answers)
    runner.onCallback(a.callback, rwd::CallbackResponse::success(a.payload).after(a.after));
  const auto& r = runner.runPayload(ex.event);
  return {r.historyJson().dump(1), std::string(rwd::toString(r.getStatus())), r.getResultPayload()};
}

class ExamplesThroughLambdaTest : public ::testing::TestWithParam<Example> {};

TEST_P(ExamplesThroughLambdaTest, HistoryEqualsTheInProcessRun) {
  const Example& ex = GetParam();
  std::shared_ptr<rwd::tools::HandlerLibrary> lib = rwd::tools::HandlerLibrary::open(ex.library);
  Outcome local = run(ex, *lib, nullptr);
  rwd::testing::LambdaTestServer server;
  Outcome remote = run(ex, *lib, &server);
  EXPECT_TRUE(local.status == "SUCCEEDED" || local.status == "FAILED") << local.status;  // it ran to its end
  EXPECT_EQ(remote.status, local.status);
  EXPECT_EQ(remote.result, local.result);
  EXPECT_EQ(remote.history, local.history);
  EXPECT_GT(server.checkpointCalls(), 0);
}

std::vector<Example> examples() {
  return {
      {REWIND_EXAMPLE_HELLO_WORKFLOW, "hello", R"({"userId":"alice"})", {}},
      {REWIND_EXAMPLE_ORDER_SAGA,
       "order-saga",
       R"({"id":"o-1","customer":"ada","items":["book"],"amountCents":1999,"card":"4000-0000-0000-0002"})",
       {}},
      {REWIND_EXAMPLE_ORDER_SAGA,
       "order-saga",
       R"({"id":"o-2","customer":"ada","items":["book"],"amountCents":1999,"card":"4242-4242-4242-4242"})",
       {}},
      {REWIND_EXAMPLE_DURABLE_TOUR,
       "durable-tour",
       R"({"traveller":"ada","cities":["Lisbon","Porto"],"departure":"2025-01-03T09:00:00Z"})",
       {{"approve-plan", R"("ok")", 600s}, {"payment", R"("paid")", 60s}}},
      {REWIND_EXAMPLE_SUPPORT_TRIAGE,
       "support-triage",
       R"({"id":"T-1","customer":"ada","subject":"refund","body":"I was charged twice"})",
       {{"agent-review", R"({"action":"escalate"})", 3600s},
        {"specialist-review", R"({"action":"resolve","reply":"Refunded."})", 86400s}}},
  };
}

std::string nameOf(const ::testing::TestParamInfo<Example>& info) {
  std::string name = info.param.handler + "_" + std::to_string(info.index);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExamplesThroughLambdaTest, ::testing::ValuesIn(examples()), nameOf);

}  // namespace
