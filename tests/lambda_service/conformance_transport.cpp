// rewind-conformance's transports.
#include "conformance_transport.hpp"

#include <memory>
#include <stdexcept>

#include "lambda_test_server.hpp"
#include "wire_service.hpp"

namespace rwd::testing {

conformance::TransportFactory makeConformanceTransport(const std::string& name, const conformance::HandlerSet& handlers,
                                                       std::uint64_t seed, const std::string& bootstrap) {
  if (name == "json") {
    return [&handlers, seed](const std::string& id, const std::string&) {
      const HandlerDefinition* def = handlers.handler(id);
      if (!def) throw std::invalid_argument("no handler " + id);
      return makeWireExecutor(def->handler, {.seed = seed, .handlerConfig = def->config});
    };
  }
  if (name == "lambda") {
    return [seed, bootstrap](const std::string& id, const std::string& origin) -> InvocationExecutor {
      auto server = std::make_shared<LambdaTestServer>();
      std::vector<std::string> env = server->environment(id);
      env.push_back("REWIND_HANDLER_LIBRARY=" + origin);
      env.push_back("REWIND_SEED=" + std::to_string(seed));
      auto process = std::make_shared<BootstrapProcess>(bootstrap, env);
      InvocationExecutor inner = server->executor();
      // The executor owns the server and the process: both end with the runner (in either
      // order: a stopped server ends the bootstrap's long poll, SIGTERM ends the process).
      return [server, process, inner](const InvocationRequest& r, const InProcessInvocation& p) { return inner(r, p); };
    };
  }
  throw std::invalid_argument("unknown transport '" + name + "' (json, lambda)");
}

}  // namespace rwd::testing
