// Helpers of rewind-server's tests: an HTTP client for the Lambda API, the fixture that
// runs a server in process with the test bootstrap's functions, rewind-server as a child
// process, and the FIFO on which the test handlers announce callback ids.
#pragma once

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
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewind/server/server.hpp"

extern char** environ;

namespace rwd::server::testing {

using Json = nlohmann::json;

using Json = nlohmann::json;

inline std::string uriEncode(const std::string& s) {
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
  explicit Api(int port) : client_("127.0.0.1", port) {
    client_.set_read_timeout(120, 0);
    client_.set_tcp_nodelay(true);
  }
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

inline std::vector<std::string> eventTypes(const Json& history) {
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
    for (const char* h :
         {"steps-and-wait", "callback", "callback-timeout", "crash-once", "hang-once", "retry", "fails"})
      options_.functions.push_back({h, REWIND_SERVER_TEST_BOOTSTRAP, h, 2});
  }
  void TearDown() override {
    server_.reset();
    if (fifoFd_ >= 0) ::close(fifoFd_);
    std::error_code ec;
    if (std::getenv("REWIND_SERVER_TEST_KEEP"))  // for a post-mortem of the database
      std::cerr << "kept " << dir_ << "\n";
    else
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
  // Sends `sig` and waits for the server to end: a minute at most, then it is a failure
  // that names what each of its threads was waiting in (never a hang of the test).
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    for (int i = 0; i < 600; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      ::usleep(100000);
    }
    ADD_FAILURE() << "rewind-server did not end within a minute of signal " << sig << "; its threads:\n"
                  << threadStates();
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  int port() const { return port_; }

 private:
  // "TID NAME STATE WCHAN" for each thread of the server, from /proc.
  std::string threadStates() const {
    std::string out;
    std::error_code ec;
    auto slurp = [](const std::filesystem::path& p) {
      std::ifstream in(p);
      std::string text;
      std::getline(in, text);
      return text;
    };
    for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/task", ec))
      out += t.path().filename().string() + " " + slurp(t.path() / "comm") + " " + slurp(t.path() / "stat").substr(0, 60) +
             " wchan=" + slurp(t.path() / "wchan") + "\n";
    return out;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace rwd::server::testing
