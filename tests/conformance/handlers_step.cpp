// Conformance handlers of the step family (requirement ids 1.x).
#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::StepContext;

// 1.1: a single unnamed step returning a greeting.
Json stepBasic(const Json& event, DurableContext& ctx) {
  return ctx.step([&](StepContext&) { return "Hello, " + text(event) + "!"; }, noRetry<std::string>());
}

// 1.2: the same step, named.
Json stepWithName(const Json& event, DurableContext& ctx) {
  return ctx.step(
      "custom_step_name", [&](StepContext&) { return "Hello, " + text(event) + "!"; }, noRetry<std::string>());
}

// 1.4: a step returning a nested object.
Json complexResult(const Json& event, DurableContext& ctx) {
  return ctx.step(
      [&](StepContext&) {
        return Json{{"user", {{"name", event.at("name")}, {"tags", event.at("tags")}}},
                    {"count", event.at("tags").size()}};
      },
      noRetry<Json>());
}

// 1.5: a step returning null.
Json nullResult(const Json&, DurableContext& ctx) {
  return ctx.step([](StepContext&) { return Json(nullptr); }, noRetry<Json>());
}

// 1.7: a step that logs through its step context logger.
Json stepLogger(const Json& event, DurableContext& ctx) {
  return ctx.step(
      [&](StepContext& sc) {
        sc.logger().info("Greeting step started for: " + text(event));
        std::string result = "Hello, " + text(event) + "!";
        sc.logger().info("Greeting step completed with: " + result);
        return result;
      },
      noRetry<std::string>());
}

// 1.8: a step then a wait; the replay skips the completed step.
Json stepThenWait(const Json&, DurableContext& ctx) {
  std::string r = ctx.step([](StepContext&) { return std::string("computed"); }, noRetry<std::string>());
  ctx.wait(2s);
  return r;
}

// 1.10: a permanently failing step caught, then a wait; the replay re-throws the
// recorded error without running the step.
Json replayRethrowsFailure(const Json&, DurableContext& ctx) {
  try {
    ctx.step(
        [](StepContext& sc) -> Json {
          sc.logger().info("step executed");
          fail("permanent");
        },
        noRetry<Json>());
  } catch (const rwd::StepError&) {
  }
  ctx.wait(1s);
  return nullptr;
}

// 1.11: fails on the first attempt, succeeds on the second (retry strategy configured).
Json retryThenSucceed(const Json&, DurableContext& ctx) {
  rwd::StepConfig<std::string> config;
  config.retryStrategy = retryOneSecond();
  return ctx.step(
      [](StepContext& sc) -> std::string {
        if (sc.attempt() == 1) throw TransientError("first attempt fails");
        return "Operation succeeded";
      },
      config);
}

// 1.13: fails twice under the SDK's default retry strategy, then succeeds.
Json defaultRetryStrategy(const Json&, DurableContext& ctx) {
  return ctx.step([](StepContext& sc) -> std::string {
    if (sc.attempt() < 3) throw TransientError("attempt " + std::to_string(sc.attempt()) + " fails");
    return "ok";
  });
}

// 1.14: createRetryStrategy with 2 s initial delay, x3 backoff, no jitter.
Json customRetryStrategy(const Json&, DurableContext& ctx) {
  rwd::StepConfig<std::string> config;
  config.retryStrategy = rwd::createRetryStrategy(
      {.maxAttempts = 5, .initialDelay = 2s, .backoffRate = 3, .jitter = rwd::JitterStrategy::None});
  return ctx.step(
      [](StepContext& sc) -> std::string {
        if (sc.attempt() < 3) throw TransientError("not yet");
        return "ok";
      },
      config);
}

// 1.16: the retry strategy does not retry TransientError.
Json nonRetryableError(const Json&, DurableContext& ctx) {
  rwd::StepConfig<std::string> config;
  config.retryStrategy = [](const rwd::ErrorInfo& error, int attempt) {
    return rwd::RetryDecision{!isError<TransientError>(error) && attempt < 3, 1s};
  };
  return ctx.step([](StepContext&) -> std::string { throw TransientError("transient"); }, config);
}

// 1.17: an at-most-once step that crashes the process; the replay finds it STARTED,
// raises StepInterruptedError, and (no retry strategy) fails.
Json atMostOnceInterrupted(const Json& event, DurableContext& ctx) {
  rwd::StepConfig<std::string> config = noRetry<std::string>();
  config.semantics = rwd::StepSemantics::AtMostOncePerRetry;
  return ctx.step(
      "at_most_once_flaky_step",
      [&](StepContext& sc) -> std::string {
        sc.logger().info("processing " + text(event));
        rwd::testing::simulateProcessCrash();
      },
      config);
}

// 1.19: a step that always fails, without retries.
Json failingStep(const Json&, DurableContext& ctx) {
  return ctx.step([](StepContext&) -> Json { fail("always"); }, noRetry<Json>());
}

// 1.20: a failing step caught by user code, then a second step with the fallback.
Json caughtFailure(const Json&, DurableContext& ctx) {
  std::string v;
  try {
    v = ctx.step([](StepContext&) -> std::string { fail("fails"); }, noRetry<std::string>());
  } catch (const rwd::StepError&) {
    v = "fallback_result";
  }
  return ctx.step([&](StepContext&) { return v; }, noRetry<std::string>());
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("1.1", conformance::stepBasic);
REWIND_HANDLER("1.2", conformance::stepWithName);
REWIND_HANDLER("1.4", conformance::complexResult);
REWIND_HANDLER("1.5", conformance::nullResult);
REWIND_HANDLER("1.7", conformance::stepLogger);
REWIND_HANDLER("1.8", conformance::stepThenWait);
REWIND_HANDLER("1.10", conformance::replayRethrowsFailure);
REWIND_HANDLER("1.11", conformance::retryThenSucceed);
REWIND_HANDLER("1.13", conformance::defaultRetryStrategy);
REWIND_HANDLER("1.14", conformance::customRetryStrategy);
REWIND_HANDLER("1.16", conformance::nonRetryableError);
REWIND_HANDLER("1.17", conformance::atMostOnceInterrupted);
REWIND_HANDLER("1.19", conformance::failingStep);
REWIND_HANDLER("1.20", conformance::caughtFailure);
