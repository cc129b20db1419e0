// Conformance handlers of the callback family (requirement ids 4.x): createCallback.
#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::CallbackConfig;
using rwd::DurableContext;
using rwd::StepContext;

CallbackConfig<std::string> timeouts(std::optional<rwd::Duration> timeout, std::optional<rwd::Duration> heartbeat) {
  CallbackConfig<std::string> config;
  config.timeout = timeout;
  config.heartbeatTimeout = heartbeat;
  return config;
}

// 4.1: a callback named by the input; returns its raw result.
Json callbackBasic(const Json& event, DurableContext& ctx) { return ctx.createCallback(text(event)).result(); }

// 4.2: a callback with a fixed name.
Json callbackNamed(const Json&, DurableContext& ctx) { return ctx.createCallback("approval").result(); }

// 4.4: a 5 s heartbeat timeout that no heartbeat keeps alive (Callback.Heartbeat).
Json heartbeatTimesOut(const Json& event, DurableContext& ctx) {
  return ctx.createCallback(text(event), timeouts(std::nullopt, 5s)).result();
}

// 4.5: a 10 s heartbeat timeout; a heartbeat, then success.
Json heartbeatThenSuccess(const Json& event, DurableContext& ctx) {
  return ctx.createCallback(text(event), timeouts(std::nullopt, 10s)).result();
}

// 4.7: create the callback, run a step, then await the callback.
Json callbackThenStep(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event));
  ctx.step([](StepContext&) { return std::string("work"); }, noRetry<std::string>());
  return cb.result();
}

// 4.8: as 4.7 with a 5 s timeout that expires.
Json callbackTimeoutAfterStep(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event), timeouts(5s, std::nullopt));
  ctx.step([](StepContext&) { return std::string("work"); }, noRetry<std::string>());
  return cb.result();
}

// 4.10: create the callback, wait 5 s, then await it.
Json callbackThenWait(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event));
  ctx.wait(5s);
  return cb.result();
}

// 4.11: a 3 s callback timeout that expires during a 6 s wait.
Json callbackTimesOutDuringWait(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event), timeouts(3s, std::nullopt));
  ctx.wait(6s);
  return cb.result();
}

// 4.13: a callback failure caught, then a 2 s wait.
Json callbackFailureCaught(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event));
  std::string message;
  try {
    message = cb.result();
  } catch (const rwd::CallbackError& e) {
    message = "callback failed: " + e.message();
  }
  ctx.wait(2s);
  return message;
}

// 4.14: a callback timeout caught, then a 2 s wait.
Json callbackTimeoutCaught(const Json& event, DurableContext& ctx) {
  auto cb = ctx.createCallback(text(event), timeouts(3s, std::nullopt));
  std::string message;
  try {
    message = cb.result();
  } catch (const rwd::CallbackError& e) {
    message = "callback timed out: " + e.message();
  }
  ctx.wait(2s);
  return message;
}

// 4.16: a custom serdes that reads the payload as a number.
Json callbackNumericSerdes(const Json& event, DurableContext& ctx) {
  CallbackConfig<Json> config;
  config.serdes.serialize = [](const Json& v) -> rwd::Payload { return v.dump(); };
  config.serdes.deserialize = [](const rwd::Payload& p) -> Json {
    if (!p) return nullptr;
    if (p->find('.') != std::string::npos) return std::stod(*p);
    return std::stoll(*p);
  };
  Json n = ctx.createCallback<Json>(text(event), config).result();
  Json doubled = n.is_number_integer() ? Json(n.get<std::int64_t>() * 2) : Json(n.get<double>() * 2);
  return {{"count", n}, {"doubled", doubled}};
}

// 4.17: callback A awaited, then callback B awaited.
Json twoCallbacksSequential(const Json& event, DurableContext& ctx) {
  std::string a = ctx.createCallback(event.at(0).get<std::string>()).result();
  std::string b = ctx.createCallback(event.at(1).get<std::string>()).result();
  return Json::array({a, b});
}

// 4.19: both callbacks created first, B awaited before A.
Json twoCallbacksOutOfOrder(const Json& event, DurableContext& ctx) {
  auto ca = ctx.createCallback(event.at(0).get<std::string>());
  auto cb = ctx.createCallback(event.at(1).get<std::string>());
  std::string b = cb.result();
  std::string a = ca.result();
  return Json::array({a, b});
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("4.1", conformance::callbackBasic);
REWIND_HANDLER("4.2", conformance::callbackNamed);
REWIND_HANDLER("4.4", conformance::heartbeatTimesOut);
REWIND_HANDLER("4.5", conformance::heartbeatThenSuccess);
REWIND_HANDLER("4.7", conformance::callbackThenStep);
REWIND_HANDLER("4.8", conformance::callbackTimeoutAfterStep);
REWIND_HANDLER("4.10", conformance::callbackThenWait);
REWIND_HANDLER("4.11", conformance::callbackTimesOutDuringWait);
REWIND_HANDLER("4.13", conformance::callbackFailureCaught);
REWIND_HANDLER("4.14", conformance::callbackTimeoutCaught);
REWIND_HANDLER("4.16", conformance::callbackNumericSerdes);
REWIND_HANDLER("4.17", conformance::twoCallbacksSequential);
REWIND_HANDLER("4.19", conformance::twoCallbacksOutOfOrder);
