// Conformance handlers of the chained-invoke family (requirement ids 5.x) and the
// invoke targets they call.
#include <algorithm>
#include <cctype>

#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::InvokeConfig;
using rwd::StepContext;

// ---- invoke targets (plain functions) ----------------------------------------
Json echo(const Json& payload) { return payload; }
Json failingTarget(const Json&) { fail("target failed"); }
Json sizeTarget(const Json& payload) {
  return {{"length", payload.is_string() ? payload.get_ref<const std::string&>().size() : payload.size()}};
}

// ---- handlers -----------------------------------------------------------------

// 5.1: invoke the echo target with the event.
Json invokeBasic(const Json& event, DurableContext& ctx) { return ctx.invoke("targetFunctionName", event); }

// 5.2: a named invoke (name and payload from the event).
Json invokeNamed(const Json& event, DurableContext& ctx) {
  return ctx.invoke(event.at("name").get<std::string>(), "targetFunctionName", event.at("payload"));
}

// 5.4: invoke with a null payload.
Json invokeNullPayload(const Json&, DurableContext& ctx) { return ctx.invoke("targetFunctionName", Json(nullptr)); }

// 5.5: the target fails; InvokeError fails the execution.
Json invokeFails(const Json&, DurableContext& ctx) { return ctx.invoke("failingTarget", Json(nullptr)); }

// 5.7: a ~200 KiB payload.
Json invokeLargePayload(const Json&, DurableContext& ctx) {
  return ctx.invoke("sizeTarget", Json(std::string(std::size_t{200} * 1024, 'x')));
}

// 5.8: invoke with a tenant id.
Json invokeWithTenant(const Json& event, DurableContext& ctx) {
  InvokeConfig<Json, Json> config;
  config.tenantId = event.at("tenantId").get<std::string>();
  return ctx.invoke("targetFunctionName", event.at("payload"), config);
}

// 5.10: the failing invoke is caught, then a wait; the replay re-throws it from the log.
Json invokeFailureCaught(const Json&, DurableContext& ctx) {
  try {
    ctx.invoke("failingTarget", Json(nullptr));
  } catch (const rwd::InvokeError&) {
  }
  ctx.wait(1s);
  return "handled";
}

// 5.11: a step, then an invoke of its result.
Json stepThenInvoke(const Json&, DurableContext& ctx) {
  std::string r = ctx.step([](StepContext&) { return std::string("step-result"); }, noRetry<std::string>());
  return ctx.invoke("targetFunctionName", Json(r));
}

// 5.13: an invoke inside an unnamed child context.
Json invokeInChild(const Json&, DurableContext& ctx) {
  return ctx.runInChildContext(
      [](DurableContext& child) { return child.invoke("targetFunctionName", Json("from-child")); });
}

// 5.14: two invokes in sequence.
Json twoInvokes(const Json&, DurableContext& ctx) {
  Json a = ctx.invoke("targetFunction1", Json("one"));
  Json b = ctx.invoke("targetFunction2", Json("two"));
  return Json::array({a, b});
}

// 5.16: a result serdes that upper-cases the raw result text.
Json invokeResultSerdes(const Json& event, DurableContext& ctx) {
  InvokeConfig<Json, std::string> config;
  config.resultSerdes.serialize = [](const std::string& v) -> rwd::Payload { return v; };
  config.resultSerdes.deserialize = [](const rwd::Payload& p) {
    std::string s = p.value_or(std::string());
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
  };
  return ctx.invoke<std::string, Json>("targetFunctionName", event, config);
}

}  // namespace
}  // namespace conformance

REWIND_FUNCTION("targetFunctionName", conformance::echo);
REWIND_FUNCTION("targetFunction1", conformance::echo);
REWIND_FUNCTION("targetFunction2", conformance::echo);
REWIND_FUNCTION("failingTarget", conformance::failingTarget);
REWIND_FUNCTION("sizeTarget", conformance::sizeTarget);

REWIND_HANDLER("5.1", conformance::invokeBasic);
REWIND_HANDLER("5.2", conformance::invokeNamed);
REWIND_HANDLER("5.4", conformance::invokeNullPayload);
REWIND_HANDLER("5.5", conformance::invokeFails);
REWIND_HANDLER("5.7", conformance::invokeLargePayload);
REWIND_HANDLER("5.8", conformance::invokeWithTenant);
REWIND_HANDLER("5.10", conformance::invokeFailureCaught);
REWIND_HANDLER("5.11", conformance::stepThenInvoke);
REWIND_HANDLER("5.13", conformance::invokeInChild);
REWIND_HANDLER("5.14", conformance::twoInvokes);
REWIND_HANDLER("5.16", conformance::invokeResultSerdes);
