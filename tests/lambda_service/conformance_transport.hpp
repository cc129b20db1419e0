// The transports rewind-conformance --transport runs requirements through (compiled into
// the tool when the test tree is built): "json" (the durable API's JSON in process) and
// "lambda" (a bootstrap process behind the Runtime API and the durable API over HTTP on
// 127.0.0.1).
#pragma once

#include <cstdint>
#include <string>

#include "conformance_runner.hpp"

namespace rwd::testing {

// Throws std::invalid_argument for an unknown name. `bootstrap` is the executable the
// lambda transport starts (one process per requirement, _HANDLER = the requirement id).
conformance::TransportFactory makeConformanceTransport(const std::string& name, const conformance::HandlerSet& handlers,
                                                       std::uint64_t seed, const std::string& bootstrap);

}  // namespace rwd::testing
