// Retry strategies for steps and wait strategies for waitForCondition.
// A strategy is a function (error, attempt) -> decision. Jitter is not drawn by the
// strategy: the decision says which jitter to apply and the runtime draws it from the
// execution's seeded source, so runs reproduce and the checker can vary the seed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rewind/error.hpp"
#include "rewind/time.hpp"

namespace rwd {

enum class JitterStrategy { None, Full, Half };

struct RetryDecision {
  bool shouldRetry = false;
  Duration delay{1};
  JitterStrategy jitter = JitterStrategy::None;
};

// (error, attempt that just failed, 1-based) -> decision.
using RetryStrategy = std::function<RetryDecision(const ErrorInfo&, int attempt)>;

struct RetryStrategyOptions {
  int maxAttempts = 3;
  Duration initialDelay{5};
  Duration maxDelay{300};
  double backoffRate = 2.0;
  JitterStrategy jitter = JitterStrategy::Full;
  // When non-empty, only errors whose type is listed (or whose message matches one of
  // retryableErrors as a substring) are retried.
  std::vector<std::string> retryableErrorTypes{};
  std::vector<std::string> retryableErrors{};
};

// delay = initial * rate^(attempt-1), capped at maxDelay, then jittered by the runtime,
// at least 1 s, whole seconds.
RetryStrategy createRetryStrategy(RetryStrategyOptions options = {});

namespace retryPresets {
// 6 attempts, 5 s initial, 60 s max, x2, full jitter: the SDK default.
RetryStrategy defaultStrategy();
// Never retries.
RetryStrategy none();
}  // namespace retryPresets

struct WaitDecision {
  bool shouldContinue = false;
  Duration delay{1};
  JitterStrategy jitter = JitterStrategy::None;
};

template <class S>
using WaitStrategy = std::function<WaitDecision(const S& state, int attempt)>;

template <class S>
struct WaitStrategyOptions {
  std::function<bool(const S&)> shouldContinuePolling;
  int maxAttempts = 60;
  Duration initialDelay{5};
  Duration maxDelay{300};
  double backoffRate = 1.5;
  JitterStrategy jitter = JitterStrategy::Full;
};

namespace internal {
Duration backoffDelay(int attempt, Duration initial, Duration max, double rate);
[[noreturn]] void throwWaitAttemptsExceeded(int maxAttempts);
}  // namespace internal

// Polls while shouldContinuePolling(state); throws WaitForConditionError after maxAttempts.
template <class S>
WaitStrategy<S> createWaitStrategy(WaitStrategyOptions<S> o) {
  return [o = std::move(o)](const S& state, int attempt) -> WaitDecision {
    if (!o.shouldContinuePolling || !o.shouldContinuePolling(state)) return {false, Duration{0}, JitterStrategy::None};
    if (attempt >= o.maxAttempts) internal::throwWaitAttemptsExceeded(o.maxAttempts);
    return {true, internal::backoffDelay(attempt, o.initialDelay, o.maxDelay, o.backoffRate), o.jitter};
  };
}

}  // namespace rwd
