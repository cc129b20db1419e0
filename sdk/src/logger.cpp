// The replay-aware logger forwards to the invocation's sinks.
#include "rewind/logger.hpp"

#include "invocation.hpp"

namespace rwd {

void Logger::log(LogLevel level, std::string_view message) const {
  if (inv_) inv_->log(level, message, replaying_, operationId_, attempt_);
}

}  // namespace rwd
