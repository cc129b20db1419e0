// Handlers of Rewind's own plugin-hook requirements (ids 91.x, tests/conformance/
// requirements/plugin-hooks/): plain handlers registering no plugin; the requirement
// run loads the hook recorder (hook_recorder_plugin.cpp) with --plugin, and each file's
// ExpectedLogs check what the hooks receive. 91.x lies outside the official numbering.
#include <set>
#include <string>
#include <vector>

#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::StepContext;

// 91.1: a child context `outer` holding a step `flaky` that fails its first attempt and
// succeeds on the retry one second later (attempt infos; the user function's replay).
Json retriedStepInChild(const Json& event, DurableContext& ctx) {
  return ctx.runInChildContext("outer", [&](DurableContext& child) {
    rwd::StepConfig<std::string> config;
    config.retryStrategy = retryOneSecond();
    return child.step(
        "flaky",
        [&](StepContext& sc) -> std::string {
          if (sc.attempt() == 1) throw TransientError("first attempt of " + text(event));
          return "done " + text(event);
        },
        config);
  });
}

// 91.2: a map `items` of three items, the second of which throws; one failure is
// tolerated (onUserFunctionEnd of a batch item reports its error).
Json mapWithAThrowingItem(const Json&, DurableContext& ctx) {
  rwd::MapConfig<Json, Json> config;
  config.maxConcurrency = 1;
  config.completionConfig.toleratedFailureCount = 1;
  auto r = ctx.map(
      "items", std::vector<Json>{"a", "b", "c"},
      [](DurableContext&, const Json& item, std::size_t i, const std::vector<Json>&) -> Json {
        if (i == 1) fail("item " + text(item) + " is broken");
        return "ok-" + text(item);
      },
      config);
  return Json{{"successCount", r.successCount()}, {"failureCount", r.failureCount()}};
}

// 91.3: an at-most-once step `write` whose first attempt crashes the process; the next
// invocation finds it STARTED (StepInterruptedError), retries it a second later, and the
// second attempt returns.
Json crashOnce(const Json& event, DurableContext& ctx) {
  rwd::StepConfig<std::string> config;
  config.semantics = rwd::StepSemantics::AtMostOncePerRetry;
  config.retryStrategy = retryOneSecond();
  return ctx.step(
      "write",
      [&](StepContext& sc) -> std::string {
        if (sc.attempt() == 1) rwd::testing::simulateProcessCrash();
        return "written " + text(event);
      },
      config);
}

// 91.4: a step `first`, a wait `pause` of 2 seconds, a step `second` (onOperationChange
// per checkpoint, across two invocations).
Json stepWaitStep(const Json& event, DurableContext& ctx) {
  std::string a = ctx.step(
      "first", [&](StepContext&) { return "1-" + text(event); }, noRetry<std::string>());
  ctx.wait("pause", 2s);
  return ctx.step(
      "second", [&](StepContext&) { return a + "-2"; }, noRetry<std::string>());
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("91.1", conformance::retriedStepInChild);
REWIND_HANDLER("91.2", conformance::mapWithAThrowingItem);
REWIND_HANDLER("91.3", conformance::crashOnce);
REWIND_HANDLER("91.4", conformance::stepWaitStep);
