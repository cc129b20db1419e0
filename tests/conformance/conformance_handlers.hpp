// Shared pieces of the C++ conformance handlers: the user error types the handlers
// throw, and the retry configurations the requirement files call for.
//
// Each handler is ported from the requirement's prose *and* its expected history
// (DESIGN.md section 2): operations whose events carry a Name are named, and a step
// whose history shows a single attempt gets retryPresets::none().
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"

namespace conformance {

using rwd::Json;
using namespace std::chrono_literals;

// A failure the handler means to be retried.
class TransientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failure that is final.
class PermanentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& message = "boom") { throw PermanentError(message); }

// True when the failure was an exception of type E (its recorded ErrorType).
template <class E>
bool isError(const rwd::ErrorInfo& error) {
  return error.type == rwd::demangle(typeid(E).name());
}

// "A retry strategy configured": up to 3 attempts, 1 s apart.
inline rwd::RetryStrategy retryOneSecond() {
  return [](const rwd::ErrorInfo&, int attempt) { return rwd::RetryDecision{attempt < 3, 1s}; };
}

// A step config without retries (one attempt in the history).
template <class T>
rwd::StepConfig<T> noRetry() {
  rwd::StepConfig<T> config;
  config.retryStrategy = rwd::retryPresets::none();
  return config;
}

// Python's str() of a JSON event, as the reference handlers format it with f"{event}".
std::string pyStr(const Json& value);

// The event as a string (the requirement's Input is a name or a payload).
inline std::string text(const Json& event) { return event.is_string() ? event.get<std::string>() : pyStr(event); }

}  // namespace conformance
