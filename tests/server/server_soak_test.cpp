// Load and faults: many concurrent executions of a workflow with a wait and a callback,
// while rewind-server is killed with SIGKILL at random moments and restarted on the same
// database. Every execution must complete exactly once, with a well-formed history.
//
// REWIND_SERVER_SOAK_EXECUTIONS (default 200) and REWIND_SERVER_SOAK_KILLS (default 3)
// size it; REWIND_SERVER_SOAK_SEED fixes the kill moments (printed on failure). Kill
// moments are counted in callback announcements, never in time: nothing here sleeps.
#include <limits>
#include <random>

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
    int budget = round < kills
                     ? std::uniform_int_distribution<int>(1, std::max(1, executions / (kills + 1)))(rng)
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
        expectWellFormed(api.history(r.header("X-Amz-Durable-Execution-Arn")).json(), name);
      }
      Json all =
          api.call("GET", "/2025-12-01/functions/soak/durable-executions?MaxItems=1000&Statuses=SUCCEEDED").json();
      EXPECT_EQ(static_cast<int>(all["DurableExecutions"].size()), executions);
    }
  }
}

}  // namespace
