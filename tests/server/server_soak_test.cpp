// Load and faults: many concurrent executions of a workflow with a wait and a callback,
// while rewind-server is killed with SIGKILL at random moments and restarted on the same
// database. Every execution must complete exactly once, with a well-formed history.
//
// REWIND_SERVER_SOAK_EXECUTIONS (default 200) and REWIND_SERVER_SOAK_KILLS (default 3)
// size it; REWIND_SERVER_SOAK_SEED fixes the kill moments (printed on failure). Kill
// moments are counted in callback announcements, never in time: nothing here sleeps.
//
// Each history must pass the conformance matcher (rewind::history_match, the rules of
// rewind-conformance) against the history the in-process LocalDurableTestRunner gives for
// the same handler, input and callback answer: every operation event, in order, with its
// ids, names, types, subtypes, results and options; timestamps and the ARN are free, the
// callback id must be the one the test answered.
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>

#include "rewind/handler.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/testing/internal/history_match.hpp"
#include "server_test_support.hpp"

namespace {

using namespace rwd::server::testing;

int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

// What the conformance matcher relies on, checked on one history: EventIds 1..n, one
// ExecutionStarted first, one terminal event last, no event of an operation twice (no
// second StepStarted after a crash, no second answer), every completion after its start.
void expectWellFormed(const Json& history, const std::string& name) {
  const Json& events = history["Events"];
  ASSERT_FALSE(events.empty()) << name;
  std::map<std::string, int> seen;
  std::set<std::string> started;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& e = events[i];
    EXPECT_EQ(e["EventId"], i + 1) << name;
    std::string type = e["EventType"];
    std::string id = e.value("Id", std::string());
    if (type.ends_with("Started")) started.insert(id);
    if (!id.empty() && (type.ends_with("Succeeded") || type.ends_with("Failed") || type.ends_with("TimedOut"))) {
      EXPECT_TRUE(started.count(id)) << name << ": " << type << " of " << id << " before its start";
    }
    if (type != "InvocationCompleted") ++seen[type + "/" + id];
  }
  EXPECT_EQ(events.front()["EventType"], "ExecutionStarted") << name;
  EXPECT_EQ(events.back()["EventType"], "ExecutionSucceeded") << name;
  for (auto& [what, count] : seen) EXPECT_EQ(count, 1) << name << ": " << what << " appears " << count << " times";
}

// Invocations are where a killed server's histories legitimately differ (a killed
// invocation is invoked again): InvocationCompleted events are left out of both sides and
// the EventIds of the rest renumbered, so the matcher compares the operations' events.
Json withoutInvocations(const Json& events) {
  Json out = Json::array();
  for (const Json& e : events) {
    if (e.value("EventType", std::string()) == "InvocationCompleted") continue;
    Json copy = e;
    copy["EventId"] = out.size() + 1;
    out.push_back(std::move(copy));
  }
  return out;
}

// The expected-history notation of one event of the in-process run: values that depend on
// the clock or the deployment become '*', the callback id the variable ${CALLBACK_ID}
// (pre-bound to the id the test answered).
void relax(Json& value) {
  if (!value.is_object()) return;
  for (auto& [key, v] : value.items()) {
    if (key.ends_with("Timestamp") || key == "DurableExecutionArn")
      v = "*";
    else if (key == "CallbackId")
      v = "${CALLBACK_ID}";
    else
      relax(v);
  }
}

// The in-process run of the soak handler for `key`, its callback answered "yes" (the
// test's answer), as expected histories: the order the in-process run gives and the one
// other order a real service may record. The callback can be answered as soon as its id
// is announced, which the submitter step does before it returns, so the callback's
// CallbackSucceeded may come before the submitter's StepSucceeded (the test answers at
// once; under load the submitter's checkpoint is then the later one).
std::vector<std::string> expectedHistories(const std::string& key) {
  const rwd::HandlerDefinition* def = rewind_handler_registry_v1()->find("wait-and-callback");
  if (def == nullptr) return {};
  // The handler announces callback ids on the test's FIFO when the variable is set;
  // in process nobody reads it.
  std::optional<std::string> fifo;
  if (const char* f = std::getenv("REWIND_SERVER_TEST_FIFO")) fifo = f;
  ::unsetenv("REWIND_SERVER_TEST_FIFO");
  rwd::LocalDurableTestRunner runner(def->handler);
  runner.onCallback("approval", rwd::CallbackResponse::success("\"yes\""));
  const auto& r = runner.runPayload(Json{{"key", key}}.dump());
  if (fifo) ::setenv("REWIND_SERVER_TEST_FIFO", fifo->c_str(), 1);
  Json events = withoutInvocations(r.historyJson());
  for (Json& e : events) relax(e);
  std::vector<std::string> out{events.dump()};
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    Json& submitterDone = events[i];
    Json& answered = events[i + 1];
    if (submitterDone["EventType"] == "StepSucceeded" && answered["EventType"] == "CallbackSucceeded" &&
        submitterDone.value("ParentId", "") == answered.value("ParentId", "x")) {
      std::swap(submitterDone, answered);
      std::swap(submitterDone["EventId"], answered["EventId"]);
      out.push_back(events.dump());
      break;
    }
  }
  return out;
}

// nullopt when `actualEvents` matches one of `expected`; else why it does not match the
// first (the in-process order).
std::optional<std::string> matchAny(const std::vector<std::string>& expected, const Json& actualEvents,
                                    const std::vector<std::pair<std::string, std::string>>& variables) {
  std::optional<std::string> first;
  for (const std::string& e : expected) {
    std::optional<std::string> miss = rwd::testing::internal::matchHistory(e, actualEvents.dump(), variables);
    if (!miss) return std::nullopt;
    if (!first) first = miss;
  }
  return first.value_or("no expected history");
}

TEST(ServerSoakMatchTest, TheMatcherCatchesAHistoryThatDiffersFromTheInProcessRun) {
  std::vector<std::string> expected = expectedHistories("k");
  ASSERT_EQ(expected.size(), 2U);  // the in-process order and the early answer
  Json local = Json::parse(expected[0]);
  // The in-process history, timestamps and the callback id filled in, matches ...
  Json actual = local;
  const std::string callbackId = "cb-1";
  for (Json& e : actual)
    for (auto& [key, v] : e.items()) {
      if (v == "*") v = "2025-01-01T00:00:00Z";
      if (v.is_object() && v.contains("CallbackId")) v["CallbackId"] = callbackId;
    }
  const std::vector<std::pair<std::string, std::string>> vars{{"CALLBACK_ID", callbackId}};
  EXPECT_EQ(matchAny(expected, actual, vars), std::nullopt);
  // ... and so does the early answer (CallbackSucceeded before the submitter's
  // StepSucceeded), but not another order, another result, a missing event or another
  // callback id.
  auto indexOf = [&](const std::string& type, int nth) {
    for (std::size_t i = 0; i < actual.size(); ++i)
      if (actual[i]["EventType"] == type && nth-- == 0) return i;
    return actual.size();
  };
  auto swapped = [&](std::size_t a, std::size_t b) {
    Json out = actual;
    std::swap(out[a], out[b]);
    std::swap(out[a]["EventId"], out[b]["EventId"]);
    return out;
  };
  const std::size_t answer = indexOf("CallbackSucceeded", 0);
  ASSERT_LT(answer, actual.size());
  EXPECT_EQ(matchAny(expected, swapped(answer - 1, answer), vars), std::nullopt);
  EXPECT_NE(matchAny(expected, swapped(indexOf("StepStarted", 0), indexOf("StepSucceeded", 0)), vars), std::nullopt);
  EXPECT_NE(matchAny(expected, swapped(answer, answer + 1), vars), std::nullopt);
  Json wrongResult = actual;
  wrongResult[indexOf("StepSucceeded", 0)]["StepSucceededDetails"]["Result"]["Payload"] = "\"other\"";
  EXPECT_NE(matchAny(expected, wrongResult, vars), std::nullopt);
  Json missing = actual;
  missing.erase(missing.size() - 2);
  EXPECT_NE(matchAny(expected, withoutInvocations(missing), vars), std::nullopt);
  EXPECT_NE(matchAny(expected, actual, {{"CALLBACK_ID", "cb-2"}}), std::nullopt);
}

TEST_F(ServerTest, UnderLoadAndRepeatedKillNineEveryExecutionCompletesExactlyOnce) {
  const int executions = envInt("REWIND_SERVER_SOAK_EXECUTIONS", 200);
  const int kills = envInt("REWIND_SERVER_SOAK_KILLS", 3);
  const unsigned seed =
      static_cast<unsigned>(envInt("REWIND_SERVER_SOAK_SEED", static_cast<int>(std::random_device{}())));
  SCOPED_TRACE("REWIND_SERVER_SOAK_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<std::string> args{
      "--listen",      "127.0.0.1:0",
      "--db",          options_.dbPath,
      "--time-scale",  "100",
      "--concurrency", "4",
      "--function",    std::string("soak=") + REWIND_SERVER_TEST_BOOTSTRAP + ":wait-and-callback"};
  std::map<std::string, std::string> answered;  // key -> callback id, once acknowledged
  int started = 0;
  for (int round = 0; round <= kills; ++round) {
    ServerProcess server(args);
    Api api(server.port());
    // Start (the rest of) the executions; a 202 means it is on disk.
    for (; started < executions; ++started) {
      std::string name = "s" + std::to_string(started);
      Reply r = api.invoke("soak", name, Json{{"key", name}}.dump(), true);
      if (r.status != 202) break;  // never expected: the server was not killed yet
    }
    ASSERT_EQ(started, executions);
    // Answer callbacks as they are announced; this round ends after a random number of
    // announcements. The last round reads them until every execution is answered:
    // submitters re-run after a kill announce again, so a fixed count could stop short.
    int budget = round < kills ? std::uniform_int_distribution<int>(1, std::max(1, executions / (kills + 1)))(rng)
                               : std::numeric_limits<int>::max();
    for (int n = 0; n < budget && static_cast<int>(answered.size()) < executions; ++n) {
      auto [key, id] = nextCallback();
      if (key.empty()) break;
      if (answered.count(key)) continue;  // a submitter re-run after a kill announces again
      Reply r = api.callback(id, "succeed", "\"yes\"");
      if (r.status == 200) answered[key] = id;
    }
    if (round < kills) server.kill(SIGKILL);
    if (round == kills) {
      ASSERT_EQ(static_cast<int>(answered.size()), executions);
      for (int i = 0; i < executions; ++i) {
        std::string name = "s" + std::to_string(i);
        Reply r = api.invoke("soak", name, Json{{"key", name}}.dump());
        EXPECT_EQ(r.body, "\"" + name + ":\\\"yes\\\"\"") << name;
        Json history = api.history(r.header("X-Amz-Durable-Execution-Arn")).json();
        expectWellFormed(history, name);
        std::optional<std::string> miss =
            matchAny(expectedHistories(name), withoutInvocations(history["Events"]), {{"CALLBACK_ID", answered[name]}});
        EXPECT_EQ(miss, std::nullopt) << name << ": " << miss.value_or("") << "\n" << history.dump(1);
      }
      Json all =
          api.call("GET", "/2025-12-01/functions/soak/durable-executions?MaxItems=1000&Statuses=SUCCEEDED").json();
      EXPECT_EQ(static_cast<int>(all["DurableExecutions"].size()), executions);
    }
  }
}

}  // namespace
