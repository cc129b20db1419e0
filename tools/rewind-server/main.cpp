// rewind-server: the AWS Lambda durable execution API on one machine.
//
//   rewind-server --listen 127.0.0.1:9000 --db rewind.db --function hello=./bootstrap
//   rewind-server --config server.toml   # function = ["hello=./bootstrap"], auth = ["AKID:secret"]
//
// Prints "rewind-server listening on http://HOST:PORT" once it serves; stops on SIGINT or
// SIGTERM. A kill -9 loses nothing that was acknowledged: start it again on the same --db.
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "rewind/server/server.hpp"

namespace {

// rewind-lambda-host, the bootstrap for handler libraries: $REWIND_LAMBDA_HOST, else next
// to this executable (installed), else in the build tree (build/tools/rewind-lambda-host
// beside build/tools/rewind-server/).
std::string findLambdaHost() {
  if (const char* env = std::getenv("REWIND_LAMBDA_HOST")) return env;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& candidate :
       {self.parent_path() / "rewind-lambda-host", self.parent_path().parent_path() / "rewind-lambda-host"})
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
  return {};
}

// NAME=EXECUTABLE[:HANDLER] (a HANDLER holds no '/').
rwd::server::FunctionConfig parseFunction(const std::string& spec, int concurrency) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw CLI::ValidationError("--function", "expected NAME=EXECUTABLE[:HANDLER], got '" + spec + "'");
  rwd::server::FunctionConfig f;
  f.name = spec.substr(0, eq);
  f.executable = spec.substr(eq + 1);
  auto colon = f.executable.rfind(':');
  if (colon != std::string::npos && f.executable.find('/', colon) == std::string::npos) {
    f.handler = f.executable.substr(colon + 1);
    f.executable.resize(colon);
  }
  f.concurrency = concurrency;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rewind-server: the AWS Lambda durable execution API on one machine"};
  std::string listen = "127.0.0.1:0";
  std::string db = "rewind-server.db";
  std::vector<std::string> functions, externalFunctions;
  int concurrency = 2;
  double timeScale = 1.0;
  double invocationTimeout = 900;
  int maxAttempts = 5;
  std::size_t initialStateItems = 1000;
  std::int64_t executionTimeout = 86400;
  std::vector<std::string> auth, functionTimeouts;
  app.set_config("--config", "", "a TOML/INI file with the same options (function = [\"a=./x\", ...])");
  app.add_option("--listen", listen, "HOST:PORT to serve the Lambda API on (PORT 0: any free port)")
      ->capture_default_str();
  app.add_option("--db", db, "the SQLite database file (created when absent)")->capture_default_str();
  app.add_option("--function", functions,
                 "NAME=EXECUTABLE[:HANDLER] or NAME=LIB.so[:HANDLER]: a function and its bootstrap, or a library of "
                 "REWIND_HANDLERs (repeatable)");
  app.add_option("--external-function", externalFunctions,
                 "NAME: a function whose workers you run yourself (any Lambda runtime interface client); its "
                 "AWS_LAMBDA_RUNTIME_API addresses are printed at start (repeatable)");
  app.add_option("--concurrency", concurrency, "processes per function")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--time-scale", timeScale, "run virtual time this many times as fast as real time (tests, demos)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--invocation-timeout", invocationTimeout, "seconds (real time) an invocation may run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-invocation-attempts", maxAttempts, "failed invocations in a row before an execution fails")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--initial-state-items", initialStateItems,
                 "operation records in an invocation's InitialExecutionState; the function pages the rest with "
                 "GetDurableExecutionState (tests of an SDK's paging)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_option("--execution-timeout", executionTimeout, "seconds (virtual time) an execution may run")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{31622400}));
  app.add_option("--function-execution-timeout", functionTimeouts,
                 "NAME=SECONDS: this function's executions' ExecutionTimeout (its DurableConfig), instead of "
                 "--execution-timeout (repeatable)");
  app.add_option("--auth", auth,
                 "ACCESS_KEY_ID:SECRET[,ACCESS_KEY_ID:SECRET...]: require every API request to be SigV4-signed by "
                 "one of these keys (403 otherwise, as Lambda answers); the functions get a key of their own")
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  rwd::server::ServerOptions o;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "rewind-server: [rewind.server.bad_listen] --listen expects HOST:PORT, got '" << listen << "'\n";
    return 2;
  }
  o.host = listen.substr(0, colon);
  try {
    o.port = std::stoi(listen.substr(colon + 1));
    for (const std::string& f : functions) o.functions.push_back(parseFunction(f, concurrency));
    for (const std::string& f : externalFunctions) o.functions.push_back({f, "", "", concurrency});
    for (const std::string& spec : functionTimeouts) {
      auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument("--function-execution-timeout expects NAME=SECONDS, got '" + spec + "'");
      std::string name = spec.substr(0, eq);
      std::int64_t seconds = 0;
      const char* first = spec.data() + eq + 1;
      const char* last = spec.data() + spec.size();
      auto [end, err] = std::from_chars(first, last, seconds);
      if (err != std::errc() || end != last || seconds < 1 || seconds > 31622400)
        throw std::invalid_argument("--function-execution-timeout " + name + ": SECONDS must be 1-31622400, got '" +
                                    spec.substr(eq + 1) + "'");
      auto f = std::find_if(o.functions.begin(), o.functions.end(),
                            [&](const rwd::server::FunctionConfig& c) { return c.name == name; });
      if (f == o.functions.end())
        throw std::invalid_argument("--function-execution-timeout names no function '" + name + "'");
      f->executionTimeoutSeconds = seconds;
    }
    for (const std::string& key : auth) {
      auto sep = key.find(':');
      if (sep == std::string::npos || sep == 0 || sep + 1 == key.size())
        throw std::invalid_argument("--auth expects ACCESS_KEY_ID:SECRET, got '" + key.substr(0, sep) + ":...'");
      o.accessKeys.push_back({key.substr(0, sep), key.substr(sep + 1)});
    }
  } catch (const std::exception& e) {
    std::cerr << "rewind-server: [rewind.server.bad_option] " << e.what() << "\n";
    return 2;
  }
  o.dbPath = db;
  o.lambdaHost = findLambdaHost();
  o.timeScale = timeScale;
  o.invocationTimeout = std::chrono::milliseconds(static_cast<std::int64_t>(invocationTimeout * 1000));
  o.maxInvocationAttempts = maxAttempts;
  o.initialStateItems = initialStateItems;
  o.executionTimeoutSeconds = executionTimeout;

  // Signals are taken by sigwait() below, never by a handler on a server thread.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  rwd::server::Server server(o);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "rewind-server: " << e.what() << "\n";
    return 1;
  }
  std::cout << "rewind-server listening on " << server.endpoint() << std::endl;
  for (const std::string& f : externalFunctions)
    for (const std::string& address : server.runtimeApiEndpoints(f))
      std::cout << "function " << f << ": AWS_LAMBDA_RUNTIME_API=" << address << std::endl;
  int sig = 0;
  sigwait(&stopSignals, &sig);
  server.stop();
  return 0;
}
