// Conformance handlers of the waitForCallback family (requirement ids 7.x).
#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::StepContext;
using rwd::WaitForCallbackConfig;

// The submitter of most requirements: sends nothing anywhere.
void noopSubmitter(const std::string&, StepContext&) {}

WaitForCallbackConfig<std::string> timeouts(std::optional<rwd::Duration> timeout,
                                            std::optional<rwd::Duration> heartbeat) {
  WaitForCallbackConfig<std::string> config;
  config.timeout = timeout;
  config.heartbeatTimeout = heartbeat;
  return config;
}

// 7.1: waitForCallback named by the input, answered with success.
Json waitForCallbackBasic(const Json& event, DurableContext& ctx) {
  return ctx.waitForCallback(text(event), noopSubmitter);
}

// 7.2: a fixed name.
Json waitForCallbackNamed(const Json&, DurableContext& ctx) { return ctx.waitForCallback("approval", noopSubmitter); }

// 7.4: answered with failure: the context fails with the callback's error.
Json waitForCallbackFailure(const Json& event, DurableContext& ctx) {
  return ctx.waitForCallback(text(event), noopSubmitter);
}

// 7.5: a 3 s timeout that expires.
Json waitForCallbackTimeout(const Json& event, DurableContext& ctx) {
  return ctx.waitForCallback(text(event), noopSubmitter, timeouts(3s, std::nullopt));
}

// 7.7: a submitter that always fails, retried once (2 attempts, 1 s, no jitter).
Json submitterFails(const Json& event, DurableContext& ctx) {
  WaitForCallbackConfig<std::string> config;
  config.retryStrategy =
      rwd::createRetryStrategy({.maxAttempts = 2, .initialDelay = 1s, .jitter = rwd::JitterStrategy::None});
  return ctx.waitForCallback(
      text(event), [](const std::string&, StepContext&) { throw TransientError("submit failed"); }, config);
}

// 7.8: waitForCallback inside a child context named "wrapper".
Json waitForCallbackInChild(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext(
      "wrapper", [&](DurableContext& child) { return child.waitForCallback(text(event), noopSubmitter); });
}

// 7.10: a wait and a step before the waitForCallback.
Json waitForCallbackAfterWork(const Json& event, DurableContext& ctx) {
  ctx.wait(1s);
  ctx.step([](StepContext&) { return Json{{"fixed", "data"}}; }, noRetry<Json>());
  return ctx.waitForCallback(text(event), noopSubmitter);
}

// 7.11: a JSON serdes; returns the payload's "status".
Json waitForCallbackObjectSerdes(const Json& event, DurableContext& ctx) {
  WaitForCallbackConfig<Json> config;
  config.serdes.serialize = [](const Json& v) -> rwd::Payload { return v.dump(); };
  config.serdes.deserialize = [](const rwd::Payload& p) -> Json { return p ? Json::parse(*p) : Json(nullptr); };
  return ctx.waitForCallback<Json>(text(event), noopSubmitter, config).at("status");
}

// 7.13: a 10 s heartbeat timeout; a heartbeat, then success.
Json waitForCallbackHeartbeat(const Json& event, DurableContext& ctx) {
  return ctx.waitForCallback(text(event), noopSubmitter, timeouts(std::nullopt, 10s));
}

// 7.14: a timeout caught by user code.
Json waitForCallbackTimeoutCaught(const Json& event, DurableContext& ctx) {
  try {
    return ctx.waitForCallback(text(event), noopSubmitter, timeouts(3s, std::nullopt));
  } catch (const rwd::CallbackError&) {
    return "timed-out-handled";
  }
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("7.1", conformance::waitForCallbackBasic);
REWIND_HANDLER("7.2", conformance::waitForCallbackNamed);
REWIND_HANDLER("7.4", conformance::waitForCallbackFailure);
REWIND_HANDLER("7.5", conformance::waitForCallbackTimeout);
REWIND_HANDLER("7.7", conformance::submitterFails);
REWIND_HANDLER("7.8", conformance::waitForCallbackInChild);
REWIND_HANDLER("7.10", conformance::waitForCallbackAfterWork);
REWIND_HANDLER("7.11", conformance::waitForCallbackObjectSerdes);
REWIND_HANDLER("7.13", conformance::waitForCallbackHeartbeat);
REWIND_HANDLER("7.14", conformance::waitForCallbackTimeoutCaught);
