// A cpp-httplib server on 127.0.0.1 and an ephemeral port, run on a background thread for
// the length of one test. Register handlers on http() before start().
#pragma once

#include <httplib.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace rwd::lambda::testing {

class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Server& http() { return server_; }

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it (bind_to_any_port
    // already listens: a client that connects earlier waits in the backlog).
    while (!server_.is_running()) std::this_thread::yield();
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return "http://" + address() + path; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace rwd::lambda::testing
