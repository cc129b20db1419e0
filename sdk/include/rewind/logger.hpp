// The replay-aware logger: JSON-line records carrying the message, level and the
// execution ARN. Silent while the code that logs is replaying, unless the handler's
// configuration asks to log during replay too.
#pragma once

#include <string>
#include <string_view>

namespace rwd {

namespace internal {
class Invocation;
}

enum class LogLevel { Debug, Info, Warn, Error };

class Logger {
 public:
  Logger() = default;
  void debug(std::string_view message) const { log(LogLevel::Debug, message); }
  void info(std::string_view message) const { log(LogLevel::Info, message); }
  void warn(std::string_view message) const { log(LogLevel::Warn, message); }
  void error(std::string_view message) const { log(LogLevel::Error, message); }
  void log(LogLevel level, std::string_view message) const;

 private:
  friend class DurableContext;
  friend class StepContext;
  Logger(internal::Invocation* inv, bool replaying, std::string operationId, int attempt)
      : inv_(inv), replaying_(replaying), operationId_(std::move(operationId)), attempt_(attempt) {}
  internal::Invocation* inv_ = nullptr;
  bool replaying_ = false;
  std::string operationId_;
  int attempt_ = 0;
};

}  // namespace rwd
