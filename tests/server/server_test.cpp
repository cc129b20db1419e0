// rewind-server over real HTTP on 127.0.0.1, with its functions in real bootstrap
// processes: the Lambda API's shapes and errors, callbacks, stop, listing, crashed and
// hung invocations, restarts on the same database (graceful and kill -9).
//
// Nothing here sleeps: a test waits for an execution's end with a synchronous Invoke of
// the same name (Invoke is idempotent by name), and for a callback id on a FIFO the
// handler writes to.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewind/server/server.hpp"

extern char** environ;

namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string uriEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  Json json() const { return body.empty() ? Json() : Json::parse(body); }
  std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Api {
 public:
  explicit Api(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(120, 0); }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             httplib::Headers headers = {}) {
    httplib::Result r = method == "GET" ? client_.Get(path.c_str(), headers)
                                        : client_.Post(path.c_str(), headers, body, "application/json");
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    return out;
  }
  Reply invoke(const std::string& fn, const std::string& name, const std::string& payload, bool event = false) {
    httplib::Headers h{{"X-Amz-Durable-Execution-Name", name}};
    if (event) h.emplace("X-Amz-Invocation-Type", "Event");
    return call("POST", "/2015-03-31/functions/" + fn + "/invocations", payload, h);
  }
  Reply get(const std::string& arn) { return call("GET", "/2025-12-01/durable-executions/" + uriEncode(arn)); }
  Reply history(const std::string& arn, const std::string& query = "") {
    return call("GET", "/2025-12-01/durable-executions/" + uriEncode(arn) + "/history" + query);
  }
  Reply callback(const std::string& id, const std::string& action, const std::string& body = "") {
    return call("POST", "/2025-12-01/durable-execution-callbacks/" + uriEncode(id) + "/" + action, body);
  }

 private:
  httplib::Client client_;
};

std::vector<std::string> eventTypes(const Json& history) {
  std::vector<std::string> out;
  for (const Json& e : history["Events"]) out.push_back(e["EventType"].get<std::string>());
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rewind-server-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fifo_ = dir_ + "/callbacks.fifo";
    ASSERT_EQ(::mkfifo(fifo_.c_str(), 0600), 0);
    fifoFd_ = ::open(fifo_.c_str(), O_RDWR | O_NONBLOCK);
    ASSERT_GE(fifoFd_, 0);
    ::setenv("REWIND_SERVER_TEST_FIFO", fifo_.c_str(), 1);
    ::setenv("REWIND_SERVER_TEST_DIR", dir_.c_str(), 1);
    options_.dbPath = dir_ + "/rewind.db";
    options_.timeScale = 1000;
    options_.invocationTimeout = std::chrono::milliseconds(1500);
    for (const char* h : {"steps-and-wait", "callback", "crash-once", "hang-once", "retry", "fails"})
      options_.functions.push_back({h, REWIND_SERVER_TEST_BOOTSTRAP, h, 2});
  }
  void TearDown() override {
    server_.reset();
    if (fifoFd_ >= 0) ::close(fifoFd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void startServer() {
    server_ = std::make_unique<rwd::server::Server>(options_);
    server_->start();
    api_ = std::make_unique<Api>(server_->port());
  }
  // The next "KEY CALLBACK_ID" line a handler wrote, within a minute.
  std::pair<std::string, std::string> nextCallback() {
    while (true) {
      auto nl = fifoBuffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = fifoBuffer_.substr(0, nl);
        fifoBuffer_.erase(0, nl + 1);
        auto sp = line.find(' ');
        return {line.substr(0, sp), line.substr(sp + 1)};
      }
      pollfd p{fifoFd_, POLLIN, 0};
      if (::poll(&p, 1, 60000) <= 0) {
        ADD_FAILURE() << "no callback id within a minute";
        return {};
      }
      char buf[256];
      ssize_t n = ::read(fifoFd_, buf, sizeof buf);
      if (n > 0) fifoBuffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  std::string dir_, fifo_, fifoBuffer_;
  int fifoFd_ = -1;
  rwd::server::ServerOptions options_;
  std::unique_ptr<rwd::server::Server> server_;
  std::unique_ptr<Api> api_;
};

TEST_F(ServerTest, SynchronousInvokeRunsTheExecutionAcrossAWaitToItsResult) {
  startServer();
  Reply r = api_->invoke("steps-and-wait", "first", R"({"key":"ann"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"("hello ann done")");
  EXPECT_EQ(r.header("X-Amz-Executed-Version"), "$LATEST");
  std::string arn = r.header("X-Amz-Durable-Execution-Arn");
  EXPECT_THAT(arn, ::testing::MatchesRegex(
                       "arn:aws:lambda:us-east-1:123456789012:function:steps-and-wait:\\$LATEST/durable-execution/"
                       "first/[0-9a-f]+"));

  Json d = api_->get(arn).json();
  EXPECT_EQ(d["Status"], "SUCCEEDED");
  EXPECT_EQ(d["DurableExecutionName"], "first");
  EXPECT_EQ(d["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:steps-and-wait");
  EXPECT_EQ(d["InputPayload"], R"({"key":"ann"})");
  EXPECT_EQ(d["Result"], R"("hello ann done")");
  EXPECT_TRUE(d["StartTimestamp"].is_number());
  EXPECT_TRUE(d["EndTimestamp"].is_number());

  Json h = api_->history(arn).json();
  EXPECT_THAT(eventTypes(h), ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                                         "InvocationCompleted", "WaitSucceeded", "StepStarted", "StepSucceeded",
                                         "InvocationCompleted", "ExecutionSucceeded"));
  for (std::size_t i = 0; i < h["Events"].size(); ++i) {
    EXPECT_EQ(h["Events"][i]["EventId"], i + 1);
    EXPECT_TRUE(h["Events"][i]["EventTimestamp"].is_number()) << "epoch seconds, as rest-json writes timestamps";
  }
  EXPECT_EQ(h["Events"][0]["ExecutionStartedDetails"]["Input"]["Payload"], R"({"key":"ann"})");
  EXPECT_TRUE(h["Events"][0]["ExecutionStartedDetails"]["ExecutionTimeout"].is_number());
  EXPECT_EQ(h["Events"][3]["WaitStartedDetails"]["Duration"], 30);
  EXPECT_EQ(h["Events"][9]["ExecutionSucceededDetails"]["Result"]["Payload"], R"("hello ann done")");
}

TEST_F(ServerTest, EventInvokeAnswers202AndTheSameNameWithTheSameInputFindsTheExecution) {
  startServer();
  Reply started = api_->invoke("steps-and-wait", "async", R"({"key":"bo"})", true);
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(started.body, "");
  std::string arn = started.header("X-Amz-Durable-Execution-Arn");
  ASSERT_FALSE(arn.empty());
  Reply again = api_->invoke("steps-and-wait", "async", R"({"key":"bo"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.header("X-Amz-Durable-Execution-Arn"), arn);
  EXPECT_EQ(again.body, R"("hello bo done")");
  std::vector<std::string> types = eventTypes(api_->history(arn).json());
  EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1);
}

TEST_F(ServerTest, ANameTakenWithAnotherInputIsAConflict) {
  startServer();
  ASSERT_EQ(api_->invoke("steps-and-wait", "taken", R"({"key":"a"})", true).status, 202);
  Reply r = api_->invoke("steps-and-wait", "taken", R"({"key":"b"})", true);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "DurableExecutionAlreadyStartedException");
  EXPECT_THAT(r.json()["Message"].get<std::string>(), HasSubstr("[rewind.server.name_taken]"));
}

TEST_F(ServerTest, ACallbackAnsweredThroughTheApiCompletesTheExecution) {
  startServer();
  Reply started = api_->invoke("callback", "cb", R"({"key":"cb"})", true);
  ASSERT_EQ(started.status, 202);
  auto [key, id] = nextCallback();
  EXPECT_EQ(key, "cb");
  EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f]{48}")) << "192 random bits";
  EXPECT_EQ(api_->callback(id, "heartbeat").status, 200);
  Reply ok = api_->callback(id, "succeed", R"("yes")");
  EXPECT_EQ(ok.status, 200) << ok.body;
  Reply twice = api_->callback(id, "succeed", R"("again")");
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.header("X-Amzn-ErrorType"), "CallbackTimeoutException");
  Reply done = api_->invoke("callback", "cb", R"({"key":"cb"})");
  EXPECT_EQ(done.body, R"("approved:\"yes\"")");
  Json h = api_->history(started.header("X-Amz-Durable-Execution-Arn")).json();
  std::vector<std::string> types = eventTypes(h);
  EXPECT_EQ(std::count(types.begin(), types.end(), "CallbackStarted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "CallbackSucceeded"), 1);
  for (const Json& e : h["Events"])
    if (e["EventType"] == "CallbackStarted") {
      EXPECT_EQ(e["CallbackStartedDetails"]["CallbackId"], id);
    }
}

TEST_F(ServerTest, AFailedCallbackFailsTheExecutionWithItsError) {
  startServer();
  ASSERT_EQ(api_->invoke("callback", "cbf", R"({"key":"cbf"})", true).status, 202);
  auto [key, id] = nextCallback();
  Reply r = api_->callback(id, "fail", R"({"ErrorType":"Rejected","ErrorMessage":"no way"})");
  EXPECT_EQ(r.status, 200) << r.body;
  Reply done = api_->invoke("callback", "cbf", R"({"key":"cbf"})");
  EXPECT_EQ(done.header("X-Amz-Function-Error"), "Unhandled");
  EXPECT_THAT(done.body, HasSubstr("no way"));
  EXPECT_EQ(api_->get(done.header("X-Amz-Durable-Execution-Arn")).json()["Status"], "FAILED");
}

TEST_F(ServerTest, UnknownCallbackIdsAreRejected) {
  startServer();
  Reply r = api_->callback(std::string(48, 'a'), "succeed", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("X-Amzn-ErrorType"), "CallbackTimeoutException");
  Reply bad = api_->callback("not-base64!", "heartbeat");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
}

TEST_F(ServerTest, StopEndsARunningExecutionAsStopped) {
  startServer();
  Reply started = api_->invoke("callback", "stopme", R"({"key":"stopme"})", true);
  std::string arn = started.header("X-Amz-Durable-Execution-Arn");
  auto [key, id] = nextCallback();
  Reply stop = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(arn) + "/stop",
                          R"({"ErrorType":"Operator","ErrorMessage":"enough"})");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_TRUE(stop.json()["StopTimestamp"].is_number());
  Json d = api_->get(arn).json();
  EXPECT_EQ(d["Status"], "STOPPED");
  EXPECT_EQ(d["Error"]["ErrorMessage"], "enough");
  EXPECT_EQ(eventTypes(api_->history(arn).json()).back(), "ExecutionStopped");
  Reply again = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(arn) + "/stop");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(api_->callback(id, "succeed", "1").header("X-Amzn-ErrorType"), "CallbackTimeoutException");
}

TEST_F(ServerTest, ListFiltersOrdersAndPages) {
  startServer();
  for (const char* n : {"l1", "l2", "l3"}) ASSERT_EQ(api_->invoke("retry", n, "{}").status, 200);
  ASSERT_EQ(api_->invoke("callback", "open", R"({"key":"open"})", true).status, 202);
  nextCallback();
  auto list = [&](const std::string& fn, const std::string& q) {
    return api_->call("GET", "/2025-12-01/functions/" + fn + "/durable-executions" + q);
  };
  auto names = [](const Json& j) {
    std::vector<std::string> out;
    for (const Json& e : j["DurableExecutions"]) out.push_back(e["DurableExecutionName"].get<std::string>());
    return out;
  };
  EXPECT_THAT(names(list("retry", "").json()), ElementsAre("l1", "l2", "l3"));
  EXPECT_THAT(names(list("retry", "?ReverseOrder=true").json()), ElementsAre("l3", "l2", "l1"));
  Json page1 = list("retry", "?MaxItems=2").json();
  EXPECT_THAT(names(page1), ElementsAre("l1", "l2"));
  ASSERT_TRUE(page1.contains("NextMarker"));
  Json page2 = list("retry", "?MaxItems=2&Marker=" + page1["NextMarker"].get<std::string>()).json();
  EXPECT_THAT(names(page2), ElementsAre("l3"));
  EXPECT_FALSE(page2.contains("NextMarker"));
  Json rpage1 = list("retry", "?MaxItems=2&ReverseOrder=true").json();
  Json rpage2 = list("retry", "?MaxItems=2&ReverseOrder=true&Marker=" + rpage1["NextMarker"].get<std::string>()).json();
  EXPECT_THAT(names(rpage2), ElementsAre("l1"));
  EXPECT_THAT(names(list("retry", "?DurableExecutionName=l2").json()), ElementsAre("l2"));
  EXPECT_THAT(names(list("callback", "?Statuses=RUNNING").json()), ElementsAre("open"));
  EXPECT_THAT(names(list("retry", "?Statuses=RUNNING&Statuses=FAILED").json()), ElementsAre());
  EXPECT_THAT(names(list("retry", "?StartedBefore=2000-01-01T00:00:00Z").json()), ElementsAre());
  EXPECT_THAT(names(list("retry", "?StartedAfter=2000-01-01T00:00:00Z").json()), ElementsAre("l1", "l2", "l3"));
  Json item = list("callback", "").json()["DurableExecutions"][0];
  EXPECT_EQ(item["Status"], "RUNNING");
  EXPECT_FALSE(item.contains("EndTimestamp"));
  Reply missing = list("nope", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(list("retry", "?Statuses=DONE").status, 400);
}

TEST_F(ServerTest, HistoryPagesBothWaysAndCanLeaveOutData) {
  startServer();
  std::string arn = api_->invoke("steps-and-wait", "h", R"({"key":"h"})").header("X-Amz-Durable-Execution-Arn");
  Json all = api_->history(arn).json();
  ASSERT_EQ(all["Events"].size(), 10u);
  Json p1 = api_->history(arn, "?MaxItems=4").json();
  ASSERT_EQ(p1["Events"].size(), 4u);
  Json p2 = api_->history(arn, "?MaxItems=4&Marker=" + p1["NextMarker"].get<std::string>()).json();
  EXPECT_EQ(p2["Events"][0]["EventId"], 5);
  Json rev = api_->history(arn, "?ReverseOrder=true&MaxItems=3").json();
  EXPECT_EQ(rev["Events"][0]["EventId"], 10);
  Json rev2 = api_->history(arn, "?ReverseOrder=true&MaxItems=3&Marker=" + rev["NextMarker"].get<std::string>()).json();
  EXPECT_EQ(rev2["Events"][0]["EventId"], 7);
  Json lean = api_->history(arn, "?IncludeExecutionData=false").json();
  EXPECT_FALSE(lean["Events"][0]["ExecutionStartedDetails"]["Input"].contains("Payload"));
  EXPECT_EQ(api_->history(arn, "?MaxItems=5000").status, 400);
}

TEST_F(ServerTest, BadRequestsGetTheServiceErrorShapes) {
  startServer();
  Reply badJson = api_->invoke("retry", "x", "{not json");
  EXPECT_EQ(badJson.status, 400);
  EXPECT_EQ(badJson.header("X-Amzn-ErrorType"), "InvalidRequestContentException");
  EXPECT_THAT(badJson.json()["message"].get<std::string>(), HasSubstr("[rewind.server.bad_json]"));
  Reply big = api_->invoke("retry", "big", "\"" + std::string(1024 * 1024, 'x') + "\"", true);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.header("X-Amzn-ErrorType"), "RequestTooLargeException");
  Reply badName = api_->invoke("retry", "no spaces allowed", "{}");
  EXPECT_EQ(badName.status, 400);
  EXPECT_EQ(badName.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
  Reply noFn = api_->invoke("nope", "x", "{}");
  EXPECT_EQ(noFn.status, 404);
  EXPECT_EQ(noFn.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  std::string unknown =
      "arn:aws:lambda:us-east-1:123456789012:function:retry:$LATEST/durable-execution/none/0123456789abcdef";
  Reply missing = api_->get(unknown);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(api_->get("not-an-arn").status, 400);
  Reply stale = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(unknown) + "/checkpoint",
                           R"({"CheckpointToken":"abc","Updates":[]})");
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(stale.header("X-Amzn-ErrorType"), "InvalidParameterValueException");
  Reply badBody = api_->call("POST", "/2025-12-01/durable-executions/" + uriEncode(unknown) + "/checkpoint", "[1,");
  EXPECT_EQ(badBody.header("X-Amzn-ErrorType"), "InvalidRequestContentException");
  Reply nowhere = api_->call("GET", "/2025-12-01/nowhere");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(nowhere.header("X-Amzn-ErrorType"), "UnknownOperationException");
}

TEST_F(ServerTest, AStepRetryAndAFailedExecutionGoThroughTheServer) {
  startServer();
  Reply ok = api_->invoke("retry", "r", "{}");
  EXPECT_EQ(ok.body, "7");
  Json h = api_->history(ok.header("X-Amz-Durable-Execution-Arn")).json();
  std::vector<std::string> types = eventTypes(h);
  EXPECT_EQ(std::count(types.begin(), types.end(), "StepFailed"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "StepSucceeded"), 1);
  Reply failed = api_->invoke("fails", "f", "{}");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(failed.header("X-Amz-Function-Error"), "Unhandled");
  Json d = api_->get(failed.header("X-Amz-Durable-Execution-Arn")).json();
  EXPECT_EQ(d["Status"], "FAILED");
  EXPECT_EQ(d["Error"]["ErrorMessage"], "kaput");
}

TEST_F(ServerTest, ACrashedFunctionProcessIsInvokedAgain) {
  startServer();
  Reply r = api_->invoke("crash-once", "c", R"({"key":"c"})");
  EXPECT_EQ(r.body, R"("survived")");
  Json h = api_->history(r.header("X-Amz-Durable-Execution-Arn")).json();
  int crashed = 0;
  for (const Json& e : h["Events"])
    if (e["EventType"] == "InvocationCompleted" && e["InvocationCompletedDetails"].contains("Error")) {
      ++crashed;
      EXPECT_EQ(e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "Runtime.ExitError");
    }
  EXPECT_EQ(crashed, 1);
}

TEST_F(ServerTest, AnInvocationPastItsTimeoutIsKilledAndInvokedAgain) {
  startServer();
  Reply r = api_->invoke("hang-once", "t", R"({"key":"t"})");
  EXPECT_EQ(r.body, R"("finished")");
  Json h = api_->history(r.header("X-Amz-Durable-Execution-Arn")).json();
  bool timedOut = false;
  for (const Json& e : h["Events"])
    if (e["EventType"] == "InvocationCompleted" && e["InvocationCompletedDetails"].contains("Error"))
      timedOut |= e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"] == "Sandbox.Timedout";
  EXPECT_TRUE(timedOut);
}

TEST_F(ServerTest, AnExecutionContinuesAfterARestartOnTheSameDatabase) {
  startServer();
  std::string arn =
      api_->invoke("callback", "across", R"({"key":"across"})", true).header("X-Amz-Durable-Execution-Arn");
  auto [key, id] = nextCallback();
  server_->stop();
  server_.reset();
  startServer();
  EXPECT_EQ(api_->get(arn).json()["Status"], "RUNNING");
  ASSERT_EQ(api_->callback(id, "succeed", R"("later")").status, 200);
  EXPECT_EQ(api_->invoke("callback", "across", R"({"key":"across"})").body, R"("approved:\"later\"")");
}

TEST_F(ServerTest, TheDatabaseIsInWalMode) {
  startServer();
  std::ifstream wal(options_.dbPath + "-wal");
  EXPECT_TRUE(wal.good()) << "a WAL file next to the database";
}

// ---- kill -9 ----

// rewind-server as a child process; its port is read from its first line.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    std::vector<std::string> all{REWIND_SERVER_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, REWIND_SERVER_BINARY, &fa, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("spawn");
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fds[0]);
    auto colon = line.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("rewind-server did not start: " + line);
    port_ = std::stoi(line.substr(colon + 1));
  }
  ~ServerProcess() { kill(SIGTERM); }
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(ServerTest, AfterKillNineEveryExecutionCompletesExactlyOnce) {
  std::vector<std::string> args{
      "--listen",      "127.0.0.1:0",
      "--db",          options_.dbPath,
      "--time-scale",  "100",
      "--concurrency", "3",
      "--function",    std::string("steps-and-wait=") + REWIND_SERVER_TEST_BOOTSTRAP + ":steps-and-wait",
      "--function",    std::string("callback=") + REWIND_SERVER_TEST_BOOTSTRAP + ":callback"};
  constexpr int kWaiting = 40, kCallbacks = 10;
  std::map<std::string, std::string> arns;
  std::map<std::string, std::string> callbackIds;  // by key; a re-run submitter repeats its line
  {
    ServerProcess first(args);
    Api api(first.port());
    for (int i = 0; i < kWaiting; ++i) {
      std::string name = "w" + std::to_string(i);
      Reply r = api.invoke("steps-and-wait", name, Json{{"key", name}}.dump(), true);
      ASSERT_EQ(r.status, 202) << r.body;
      arns[name] = r.header("X-Amz-Durable-Execution-Arn");
    }
    for (int i = 0; i < kCallbacks; ++i) {
      std::string name = "c" + std::to_string(i);
      ASSERT_EQ(api.invoke("callback", name, Json{{"key", name}}.dump(), true).status, 202);
    }
    while (callbackIds.size() < kCallbacks / 2) {
      auto [key, id] = nextCallback();
      callbackIds[key] = id;
    }
    first.kill(SIGKILL);  // mid-load: invocations running, waits pending, callbacks open
  }
  ServerProcess second(args);
  Api api(second.port());
  while (callbackIds.size() < kCallbacks) {
    auto [key, id] = nextCallback();
    if (key.empty()) break;
    callbackIds[key] = id;
  }
  for (auto& [key, id] : callbackIds) EXPECT_EQ(api.callback(id, "succeed", "\"ok\"").status, 200) << key;
  for (auto& [name, arn] : arns) {
    Reply r = api.invoke("steps-and-wait", name, Json{{"key", name}}.dump());
    EXPECT_EQ(r.body, "\"hello " + name + " done\"");
    std::vector<std::string> types = eventTypes(api.history(arn).json());
    EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1) << name;
    EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionSucceeded"), 1) << name;
    EXPECT_EQ(std::count(types.begin(), types.end(), "WaitSucceeded"), 1) << name;
    EXPECT_EQ(types.back(), "ExecutionSucceeded") << name;
  }
  for (int i = 0; i < kCallbacks; ++i) {
    std::string name = "c" + std::to_string(i);
    EXPECT_EQ(api.invoke("callback", name, Json{{"key", name}}.dump()).body, R"("approved:\"ok\"")") << name;
  }
  Json all = api.call("GET", "/2025-12-01/functions/steps-and-wait/durable-executions?MaxItems=1000").json();
  EXPECT_EQ(all["DurableExecutions"].size(), static_cast<std::size_t>(kWaiting));
}

}  // namespace
