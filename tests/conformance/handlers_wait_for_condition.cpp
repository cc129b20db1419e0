// Conformance handlers of the waitForCondition family (requirement ids 6.x).
#include <algorithm>

#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::StepContext;
using rwd::WaitForConditionConfig;

using Count = std::int64_t;

// Polls while `keepPolling(state)`, with the SDK's default delays (5 s, x1.5, full jitter).
template <class S>
rwd::WaitStrategy<S> pollWhile(std::function<bool(const S&)> keepPolling) {
  rwd::WaitStrategyOptions<S> options;
  options.shouldContinuePolling = std::move(keepPolling);
  return rwd::createWaitStrategy(options);
}

WaitForConditionConfig<Count> counting(Count initial, std::function<bool(const Count&)> keepPolling) {
  WaitForConditionConfig<Count> config;
  config.initialState = initial;
  config.waitStrategy = pollWhile(std::move(keepPolling));
  return config;
}

Count increment(const Count& s, StepContext&) { return s + 1; }

// 6.1: counts from 0 up to the input (3), one poll per invocation.
Json countUpToInput(const Json& event, DurableContext& ctx) {
  Count target = event.get<Count>();
  return ctx.waitForCondition<Count>(increment, counting(0, [target](const Count& s) { return s < target; }));
}

// 6.2: already satisfied at the first poll: no suspension.
Json satisfiedAtOnce(const Json&, DurableContext& ctx) {
  return ctx.waitForCondition<Count>([](const Count& s, StepContext&) { return s; },
                                     counting(5, [](const Count& s) { return s < 5; }));
}

// 6.4: starts from 5 and counts up to the input (8).
Json countFromInitialState(const Json& event, DurableContext& ctx) {
  Count target = event.get<Count>();
  return ctx.waitForCondition<Count>(increment, counting(5, [target](const Count& s) { return s < target; }));
}

// 6.5: a fixed 2 s delay (no backoff, no jitter).
Json fixedDelay(const Json& event, DurableContext& ctx) {
  Count target = event.get<Count>();
  rwd::WaitStrategyOptions<Count> options;
  options.shouldContinuePolling = [target](const Count& s) { return s < target; };
  options.initialDelay = 2s;
  options.backoffRate = 1;
  options.jitter = rwd::JitterStrategy::None;
  WaitForConditionConfig<Count> config;
  config.initialState = 0;
  config.waitStrategy = rwd::createWaitStrategy(options);
  return ctx.waitForCondition<Count>(increment, config);
}

// 6.7: the check throws; the step fails and so does the execution.
Json checkThrows(const Json&, DurableContext& ctx) {
  return ctx.waitForCondition<Count>([](const Count&, StepContext&) -> Count { fail("check failed"); },
                                     counting(0, [](const Count&) { return true; }));
}

// 6.8: as 6.7, caught by the handler.
Json checkThrowsCaught(const Json&, DurableContext& ctx) {
  try {
    return ctx.waitForCondition<Count>([](const Count&, StepContext&) -> Count { fail("check failed"); },
                                       counting(0, [](const Count&) { return true; }));
  } catch (const std::exception&) {
    return "recovered";
  }
}

// 6.10: the check returns null and polling stops at once.
Json checkReturnsNull(const Json&, DurableContext& ctx) {
  WaitForConditionConfig<Json> config;
  config.initialState = 0;
  config.waitStrategy = pollWhile<Json>([](const Json&) { return false; });
  return ctx.waitForCondition<Json>([](const Json&, StepContext&) { return Json(nullptr); }, config);
}

// 6.11: a custom state serdes ("enc:" + reversed text).
Json customStateSerdes(const Json&, DurableContext& ctx) {
  WaitForConditionConfig<std::string> config;
  config.initialState = "";
  config.waitStrategy = pollWhile<std::string>([](const std::string& s) { return s.size() < 2; });
  config.serdes.serialize = [](const std::string& s) -> rwd::Payload {
    return "enc:" + std::string(s.rbegin(), s.rend());
  };
  config.serdes.deserialize = [](const rwd::Payload& p) {
    std::string t = p.value_or("enc:").substr(4);
    return std::string(t.rbegin(), t.rend());
  };
  return ctx.waitForCondition<std::string>([](const std::string& s, StepContext&) { return s + "x"; }, config);
}

// 6.13: two waitForConditions; the first's result seeds the second.
Json twoConditions(const Json&, DurableContext& ctx) {
  Count a = ctx.waitForCondition<Count>(increment, counting(0, [](const Count& s) { return s < 2; }));
  return ctx.waitForCondition<Count>(increment, counting(a, [](const Count& s) { return s < 4; }));
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("6.1", conformance::countUpToInput);
REWIND_HANDLER("6.2", conformance::satisfiedAtOnce);
REWIND_HANDLER("6.4", conformance::countFromInitialState);
REWIND_HANDLER("6.5", conformance::fixedDelay);
REWIND_HANDLER("6.7", conformance::checkThrows);
REWIND_HANDLER("6.8", conformance::checkThrowsCaught);
REWIND_HANDLER("6.10", conformance::checkReturnsNull);
REWIND_HANDLER("6.11", conformance::customStateSerdes);
REWIND_HANDLER("6.13", conformance::twoConditions);
