// Retry and wait strategies: exponential backoff with a cap; jitter is drawn by the
// runtime from the execution's seeded source (see Invocation::jitteredDelay).
#include "rewind/retry.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace rwd {
namespace internal {

Duration backoffDelay(int attempt, Duration initial, Duration max, double rate) {
  double d = static_cast<double>(initial.count()) * std::pow(rate, std::max(0, attempt - 1));
  d = std::min(d, static_cast<double>(max.count()));
  return Duration{static_cast<Duration::rep>(std::llround(d))};
}

void throwWaitAttemptsExceeded(int maxAttempts) {
  throw WaitForConditionError(fmt::format("waitForCondition exceeded {} attempts", maxAttempts));
}

}  // namespace internal

RetryStrategy createRetryStrategy(RetryStrategyOptions o) {
  return [o = std::move(o)](const ErrorInfo& error, int attempt) -> RetryDecision {
    if (attempt >= o.maxAttempts) return {false, Duration{0}, JitterStrategy::None};
    if (!o.retryableErrorTypes.empty() || !o.retryableErrors.empty()) {
      bool match = std::find(o.retryableErrorTypes.begin(), o.retryableErrorTypes.end(), error.type) !=
                   o.retryableErrorTypes.end();
      for (const auto& m : o.retryableErrors) match = match || error.message.find(m) != std::string::npos;
      if (!match) return {false, Duration{0}, JitterStrategy::None};
    }
    return {true, internal::backoffDelay(attempt, o.initialDelay, o.maxDelay, o.backoffRate), o.jitter};
  };
}

namespace retryPresets {
RetryStrategy defaultStrategy() {
  static const RetryStrategy s = createRetryStrategy(
      {.maxAttempts = 6, .initialDelay = Duration{5}, .maxDelay = Duration{60}, .backoffRate = 2.0,
       .jitter = JitterStrategy::Full});
  return s;
}
RetryStrategy none() {
  return [](const ErrorInfo&, int) { return RetryDecision{false, Duration{0}, JitterStrategy::None}; };
}
}  // namespace retryPresets

}  // namespace rwd
