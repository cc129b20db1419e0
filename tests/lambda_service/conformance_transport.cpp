// rewind-conformance's transports.
#include "conformance_transport.hpp"

#include <chrono>
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
      // One function per requirement; the server starts its bootstrap and starts it
      // again after a crash (1.17's step exits the process), as Lambda does.
      LambdaTestServerOptions options;
      options.invocationTimeout = std::chrono::seconds(30);
      auto server = std::make_shared<LambdaTestServer>(options);
      server->runFunction(bootstrap, id, {"REWIND_HANDLER_LIBRARY=" + origin, "REWIND_SEED=" + std::to_string(seed)});
      InvocationExecutor inner = server->executor();
      // The executor owns the server (and through it the process): both end with the runner.
      return [server, inner](const InvocationRequest& r, const InProcessInvocation& p) { return inner(r, p); };
    };
  }
  throw std::invalid_argument("unknown transport '" + name + "' (json, lambda)");
}

}  // namespace rwd::testing
