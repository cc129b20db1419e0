// Conformance handlers of the child-context family (requirement ids 3.x).
#include <algorithm>
#include <cctype>

#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::ChildContextConfig;
using rwd::DurableContext;
using rwd::StepContext;

// 3.1: an unnamed child context with one step returning the input.
Json childBasic(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext(
      [&](DurableContext& child) { return child.step([&](StepContext&) { return event; }, noRetry<Json>()); });
}

// 3.2: a child context named by input.name whose step returns input.value.
Json childNamed(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext(event.at("name").get<std::string>(), [&](DurableContext& child) {
    return child.step([&](StepContext&) { return event.at("value"); }, noRetry<Json>());
  });
}

// 3.4: the inner step fails without retry; the child fails and so does the execution.
Json childFails(const Json&, DurableContext& ctx) {
  return ctx.runInChildContext("failing-child", [](DurableContext& child) {
    return child.step([](StepContext&) -> Json { fail("inner"); }, noRetry<Json>());
  });
}

// 3.5: the child's failure is caught; a recovery step returns the input.
Json childFailureCaught(const Json& event, DurableContext& ctx) {
  try {
    ctx.runInChildContext(
        [](DurableContext& child) { return child.step([](StepContext&) -> Json { fail("inner"); }, noRetry<Json>()); });
  } catch (const std::exception&) {
  }
  return ctx.step([&](StepContext&) { return event; }, noRetry<Json>());
}

// 3.7: the inner step fails once and is retried.
Json childStepRetries(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext("retrying-child", [&](DurableContext& child) {
    rwd::StepConfig<Json> config;
    config.retryStrategy = retryOneSecond();
    return child.step(
        [&](StepContext& sc) -> Json {
          if (sc.attempt() == 1) throw TransientError("first");
          return event;
        },
        config);
  });
}

// 3.8: the inner step always fails; 2 attempts, then the child fails.
Json childRetriesExhausted(const Json&, DurableContext& ctx) {
  return ctx.runInChildContext("exhausting-child", [](DurableContext& child) {
    rwd::StepConfig<Json> config;
    config.retryStrategy =
        rwd::createRetryStrategy({.maxAttempts = 2, .initialDelay = 1s, .jitter = rwd::JitterStrategy::None});
    return child.step([](StepContext&) -> Json { fail("always"); }, config);
  });
}

// 3.10: a step and a wait inside the child.
Json childStepAndWait(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext("step-and-wait", [&](DurableContext& child) {
    Json r = child.step([&](StepContext&) { return event; }, noRetry<Json>());
    child.wait(1s);
    return r;
  });
}

// 3.11: the child's result exceeds 256 KiB (ReplayChildren); replay logging is on, so
// the re-run of the body on replay shows in the logs.
Json childLargeResult(const Json& event, DurableContext& ctx) {
  std::string big = ctx.runInChildContext("large-child", [&](DurableContext& child) {
    child.logger().info("child body input " + text(event));
    std::string small = child.step([&](StepContext&) { return text(event); }, noRetry<std::string>());
    std::string out;
    std::size_t copies = std::size_t{300} * 1024 / small.size() + 1;
    out.reserve(small.size() * copies);
    for (std::size_t i = 0; i < copies; ++i) out += small;
    return out;
  });
  ctx.wait(1s);
  return big.size();
}

// 3.13: a child holding only a wait, then a step outside it.
Json childOnlyWait(const Json& event, DurableContext& ctx) {
  ctx.runInChildContext("waiting-child", [&](DurableContext& child) {
    child.wait(1s);
    return event;
  });
  return ctx.step([&](StepContext&) { return event; }, noRetry<Json>());
}

// 3.14: a child serdes that writes the result upper-cased (raw text, not JSON).
Json childCustomSerdes(const Json& event, DurableContext& ctx) {
  ChildContextConfig<std::string> config;
  config.serdes.serialize = [](const std::string& v) -> rwd::Payload {
    std::string upper = v;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return upper;
  };
  config.serdes.deserialize = [](const rwd::Payload& p) { return p.value_or(std::string()); };
  return ctx.runInChildContext(
      "serdes-child",
      [&](DurableContext& child) {
        return child.step([&](StepContext&) { return text(event); }, noRetry<std::string>());
      },
      config);
}

// 3.16: a child returning null without any durable operation.
Json childReturnsNull(const Json&, DurableContext& ctx) {
  return ctx.runInChildContext("null-child", [](DurableContext&) { return Json(nullptr); });
}

// 3.17: a child that only logs (replay logging on), then a wait; the completed child
// is not re-run on replay, so the log appears once.
Json childLogsOnce(const Json& event, DurableContext& ctx) {
  Json r = ctx.runInChildContext("logging-child", [&](DurableContext& child) {
    child.logger().info("child logs " + text(event));
    return event;
  });
  ctx.wait(1s);
  return r;
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("3.1", conformance::childBasic);
REWIND_HANDLER("3.2", conformance::childNamed);
REWIND_HANDLER("3.4", conformance::childFails);
REWIND_HANDLER("3.5", conformance::childFailureCaught);
REWIND_HANDLER("3.7", conformance::childStepRetries);
REWIND_HANDLER("3.8", conformance::childRetriesExhausted);
REWIND_HANDLER("3.10", conformance::childStepAndWait);
REWIND_HANDLER("3.11", conformance::childLargeResult, rwd::HandlerConfig{.logDuringReplay = true});
REWIND_HANDLER("3.13", conformance::childOnlyWait);
REWIND_HANDLER("3.14", conformance::childCustomSerdes);
REWIND_HANDLER("3.16", conformance::childReturnsNull);
REWIND_HANDLER("3.17", conformance::childLogsOnce, rwd::HandlerConfig{.logDuringReplay = true});
