// What a step body receives: its attempt number and a logger.
#pragma once

#include <string>

#include "rewind/logger.hpp"

namespace rwd {

namespace internal {
class Invocation;
}

// Passed to step bodies, waitForCallback submitters, waitForCondition checks and undos.
// Valid only during the call it is passed to.
class StepContext {
 public:
  int attempt() const noexcept { return attempt_; }
  const Logger& logger() const noexcept { return logger_; }
  const std::string& operationId() const noexcept { return operationId_; }

 private:
  friend class DurableContext;
  StepContext(internal::Invocation* inv, std::string operationId, int attempt)
      : attempt_(attempt), operationId_(operationId), logger_(inv, false, std::move(operationId), attempt) {}
  int attempt_;
  std::string operationId_;
  Logger logger_;
};

}  // namespace rwd
