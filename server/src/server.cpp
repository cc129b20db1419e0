// rwd::server::Server: the database, the engine, the API endpoint and the workers, wired.
#include "rewind/server/server.hpp"

#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "api_routes.hpp"
#include "database.hpp"
#include "engine.hpp"
#include "random_ids.hpp"
#include "request_auth.hpp"
#include "runtime_host.hpp"
#include "server_clock.hpp"
#include "web_ui.hpp"

namespace rwd::server {

using namespace internal;

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<Database> db;
  std::unique_ptr<ServerClock> clock;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<RuntimeHost> host;
  std::unique_ptr<RequestAuthenticator> auth;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool started = false, stopped = false;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }

Server::~Server() { stop(); }

void Server::start() {
  Impl& m = *impl_;
  const ServerOptions& o = m.options;
  m.db = std::make_unique<Database>(o.dbPath);
  TimePoint resume{}, recorded{};
  {
    Statement s = m.db->prepare("SELECT value FROM meta WHERE key='clock'");
    if (s.step()) {
      std::istringstream in(s.text(0));
      std::int64_t v = 0, r = 0;
      in >> v >> r;
      resume = TimePoint{std::chrono::milliseconds{v}};
      recorded = TimePoint{std::chrono::milliseconds{r}};
    }
  }
  m.clock = std::make_unique<ServerClock>(o.timeScale, resume, recorded);
  EngineOptions eo;
  eo.region = o.region;
  eo.account = o.account;
  eo.invocationTimeout = o.invocationTimeout;
  eo.maxInvocationAttempts = o.maxInvocationAttempts;
  eo.initialStateItems = o.initialStateItems;
  eo.executionTimeoutSeconds = o.executionTimeoutSeconds;
  eo.sendVirtualTime = o.timeScale != 1.0;
  std::vector<std::string> names;
  std::vector<FunctionSpec> specs;
  for (const FunctionConfig& f : o.functions) {
    names.push_back(f.name);
    if (f.executionTimeoutSeconds < 0 || f.executionTimeoutSeconds > 31622400)
      throw std::runtime_error(fmt::format(
          "[rewind.server.bad_execution_timeout] function '{}': an ExecutionTimeout of {} s is outside 1-31622400",
          f.name, f.executionTimeoutSeconds));
    if (f.executionTimeoutSeconds > 0) eo.functionTimeouts[f.name] = f.executionTimeoutSeconds;
    FunctionSpec spec{f.name, f.executable, "", f.handler, f.concurrency};
    std::string_view exe(f.executable);
    if (exe.ends_with(".so") || exe.find(".so.") != std::string_view::npos) {
      if (o.lambdaHost.empty())
        throw std::runtime_error(fmt::format(
            "[rewind.server.no_lambda_host] function '{}' is a handler library ({}): it needs the rewind-lambda-host "
            "bootstrap (ServerOptions::lambdaHost)",
            f.name, f.executable));
      spec.executable = o.lambdaHost;
      spec.library = f.executable;
    }
    specs.push_back(std::move(spec));
  }
  m.engine = std::make_unique<Engine>(*m.db, *m.clock, eo, names);

  m.http.new_task_queue = [] { return new httplib::ThreadPool(64); };
  m.http.set_payload_max_length(16 * 1024 * 1024);
  m.http.set_tcp_nodelay(true);  // else Nagle + delayed ACKs add ~40 ms to a small reply
  m.http.set_read_timeout(60, 0);
  m.http.set_keep_alive_max_count(1000);  // (an idle keep-alive connection holds a thread 5 s)
  std::vector<std::pair<std::string, std::string>> workerEnv;
  if (!o.accessKeys.empty()) {
    std::vector<rwd::lambda::AwsCredentials> keys;
    for (const AccessKey& k : o.accessKeys) {
      if (k.accessKeyId.empty() || k.secretAccessKey.empty())
        throw std::runtime_error("[rewind.server.bad_access_key] an access key needs an id and a secret");
      keys.push_back({k.accessKeyId, k.secretAccessKey, ""});
    }
    // The functions' own key: what Lambda's execution role credentials are on AWS.
    rwd::lambda::AwsCredentials functions{"AKIDREWINDFN" + randomHex(8), randomHex(20), ""};
    keys.push_back(functions);
    workerEnv = {{"AWS_ACCESS_KEY_ID", functions.accessKeyId},
                 {"AWS_SECRET_ACCESS_KEY", functions.secretAccessKey},
                 {"AWS_SESSION_TOKEN", ""},
                 {"AWS_REGION", o.region}};
    m.auth = std::make_unique<RequestAuthenticator>(std::move(keys), o.region);
  }
  installApiRoutes(m.http, *m.engine, m.auth.get());
  installWebUi(m.http, *m.engine, o.accessKeys);
  if (o.port == 0) {
    m.port = m.http.bind_to_any_port(o.host);
  } else {
    m.port = m.http.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (m.port <= 0) throw std::runtime_error(fmt::format("[rewind.server.bind] cannot listen on {}:{}", o.host, o.port));
  m.engine->start();  // recovers before anything is served
  m.thread = listenInBackground(m.http);
  m.host = std::make_unique<RuntimeHost>(*m.engine, specs, endpoint(), eo.sendVirtualTime, std::move(workerEnv));
  m.host->start();
  std::lock_guard<std::mutex> lock(m.mu);
  m.started = true;
}

int Server::port() const noexcept { return impl_->port; }

std::string Server::endpoint() const {
  std::string host = impl_->options.host == "0.0.0.0" ? "127.0.0.1" : impl_->options.host;
  return fmt::format("http://{}:{}", host, impl_->port);
}

std::vector<std::string> Server::runtimeApiEndpoints(const std::string& function) const {
  return impl_->host ? impl_->host->endpoints(function) : std::vector<std::string>{};
}

void Server::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    if (m.stopped) return;
    m.stopped = true;
  }
  m.cv.notify_all();
  if (m.engine) m.engine->shutdown();  // first: wakes the workers' long polls
  if (m.host) m.host->stop();
  m.http.stop();
  if (m.thread.joinable()) m.thread.join();
}

void Server::wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace rwd::server
