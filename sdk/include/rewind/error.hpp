// Error types a durable handler sees and throws, and the wire shape of an error.
// Every failed operation surfaces as one of these, rebuilt from what was checkpointed,
// so a catch clause behaves the same on the first run and on replay.
#pragma once

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

// The wire shape of an error: {ErrorType, ErrorMessage, ErrorData?, StackTrace?}.
struct ErrorObject {
  std::string errorType;
  std::string errorMessage;
  std::optional<std::string> errorData;
  std::optional<std::vector<std::string>> stackTrace;

  friend bool operator==(const ErrorObject&, const ErrorObject&) = default;
};

// What a retry strategy (and a rollback undo) receives about a failure.
// `exception` is the live exception when there is one (first run), null when the
// error was rebuilt from a checkpoint.
struct ErrorInfo {
  std::string type;
  std::string message;
  std::optional<std::string> data;
  std::exception_ptr exception;

  ErrorObject toObject() const { return {type, message, data, std::nullopt}; }
};

// Base of every error Rewind raises or rebuilds. errorType() is the recorded type
// name (for user exceptions, the thrown type's demangled name).
class DurableError : public std::runtime_error {
 public:
  DurableError(std::string type, std::string message, std::optional<std::string> data = std::nullopt)
      : std::runtime_error(message), type_(std::move(type)), message_(std::move(message)), data_(std::move(data)) {}
  const std::string& errorType() const noexcept { return type_; }
  const std::string& message() const noexcept { return message_; }
  const std::optional<std::string>& data() const noexcept { return data_; }
  ErrorObject toObject() const { return {type_, message_, data_, std::nullopt}; }

 private:
  std::string type_;
  std::string message_;
  std::optional<std::string> data_;
};

// Thrown by user code to choose ErrorType, ErrorMessage and ErrorData explicitly.
class Error : public DurableError {
 public:
  Error(std::string type, std::string message, std::optional<std::string> data = std::nullopt)
      : DurableError(std::move(type), std::move(message), std::move(data)) {}
};


// Errors that mark a class of failure; the constructor's `type` keeps the recorded type.
class StepError : public DurableError {
 public:
  explicit StepError(std::string message, std::optional<std::string> type = std::nullopt,
                     std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("StepError"), std::move(message), std::move(data)) {}
  static StepError fromObject(const ErrorObject& e) { return StepError(e.errorMessage, e.errorType, e.errorData); }
};

class StepInterruptedError : public DurableError {
 public:
  explicit StepInterruptedError(std::string message)
      : DurableError("StepInterruptedError", std::move(message)) {}
};

class CallbackError : public DurableError {
 public:
  explicit CallbackError(std::string message, std::optional<std::string> type = std::nullopt,
                         std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("CallbackError"), std::move(message), std::move(data)) {}
  // Rebuilds the right subclass from a recorded error: Callback.Timeout/Heartbeat ->
  // CallbackTimeoutError, the submitter's failure -> CallbackSubmitterError, else external.
  [[noreturn]] static void throwFromObject(const ErrorObject& e);
};

class CallbackTimeoutError : public CallbackError {
 public:
  using CallbackError::CallbackError;
};
class CallbackExternalError : public CallbackError {
 public:
  using CallbackError::CallbackError;
};
class CallbackSubmitterError : public CallbackError {
 public:
  using CallbackError::CallbackError;
};

class InvokeError : public DurableError {
 public:
  explicit InvokeError(std::string message, std::optional<std::string> type = std::nullopt,
                       std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("InvokeError"), std::move(message), std::move(data)) {}
};

class ChildContextError : public DurableError {
 public:
  explicit ChildContextError(std::string message, std::optional<std::string> type = std::nullopt,
                             std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("ChildContextError"), std::move(message),
                     std::move(data)) {}
};

class WaitForConditionError : public DurableError {
 public:
  explicit WaitForConditionError(std::string message, std::optional<std::string> type = std::nullopt,
                                 std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("WaitForConditionError"), std::move(message),
                     std::move(data)) {}
};

class BatchCompletionError : public DurableError {
 public:
  explicit BatchCompletionError(std::string message, std::optional<std::string> type = std::nullopt,
                                std::optional<std::string> data = std::nullopt)
      : DurableError(type ? std::move(*type) : std::string("BatchCompletionError"), std::move(message),
                     std::move(data)) {}
};

// Errors with a stable id (`code()`, e.g. "rewind.replay.mismatch"); tests assert on the id.
class RewindError : public DurableError {
 public:
  RewindError(std::string type, std::string code, const std::string& message)
      : DurableError(std::move(type), "[" + code + "] " + message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// Bad configuration or arguments given to a durable operation; raised before anything is checkpointed.
class ValidationError : public RewindError {
 public:
  ValidationError(std::string code, const std::string& message)
      : RewindError("ValidationError", std::move(code), message) {}
};

// Fails the whole execution; user code cannot catch it into success (later durable calls rethrow it).
class UnrecoverableExecutionError : public RewindError {
 public:
  UnrecoverableExecutionError(std::string code, const std::string& message,
                              std::string type = "UnrecoverableExecutionError")
      : RewindError(std::move(type), std::move(code), message) {}
};

// Replay found different operations than the log holds at the same position.
class NonDeterministicExecutionError : public UnrecoverableExecutionError {
 public:
  NonDeterministicExecutionError(std::string code, const std::string& message)
      : UnrecoverableExecutionError(std::move(code), message, "NonDeterministicExecutionError") {}
};

// A checkpoint the service would reject (validation rules of DESIGN.md section 1).
class InvalidCheckpointError : public UnrecoverableExecutionError {
 public:
  InvalidCheckpointError(std::string code, const std::string& message)
      : UnrecoverableExecutionError(std::move(code), message, "InvalidCheckpointError") {}
};

// Fails only the current invocation; the execution is invoked again.
class UnrecoverableInvocationError : public RewindError {
 public:
  UnrecoverableInvocationError(std::string code, const std::string& message)
      : RewindError("UnrecoverableInvocationError", std::move(code), message) {}
};

// Builds the wire error for the exception currently being handled (call inside a catch):
// a DurableError keeps its recorded type; other exceptions get their demangled dynamic type.
ErrorInfo currentErrorInfo();

// The demangled name of a type_info (e.g. "payments::TransientError"), stable across
// library ABI versions: no inline ABI namespaces or tags (std::__cxx11::,
// [abi:cxx11], nlohmann::json_abi_v3_11_2::), and nlohmann's exceptions by their
// documented names ("nlohmann::json::parse_error").
std::string demangle(const char* mangled);

}  // namespace rwd
