// Small workflows shared by the plugin tests.
#pragma once

#include <memory>
#include <string>

#include "rewind/local_runner.hpp"

namespace rwd::plugins_test {

using namespace std::chrono_literals;

// A step that fails once and is retried, a wait, a callback and a parallel of two:
// four invocations (the retry delay, the wait and the callback each end one).
inline RawHandler smallWorkflow() {
  auto failures = std::make_shared<int>(1);
  return makeHandler([failures](const Json&, DurableContext& ctx) {
    auto loaded = ctx.step("load",
                           [failures] {
                             if (*failures > 0) {
                               --*failures;
                               throw Error("demo.Flaky", "the store blinked");
                             }
                             return std::string("data");
                           },
                           {.retryStrategy = createRetryStrategy({.maxAttempts = 3, .jitter = JitterStrategy::None})});
    ctx.wait("pause", 1min);
    auto approval = ctx.createCallback<std::string>("approval", {.timeout = 1h});
    auto verdict = approval.result();
    auto both = ctx.parallel<std::string>(
        "fan-out",
        {{"left", [](DurableContext& b) { return b.step("write-left", [] { return std::string("L"); }); }},
         {"right", [](DurableContext& b) { return b.step("write-right", [] { return std::string("R"); }); }}});
    return loaded + "/" + verdict + "/" + both.getResults()[0] + both.getResults()[1];
  });
}

inline RunnerOptions smallWorkflowOptions(PluginList plugins = {}) {
  RunnerOptions o;
  o.handlerConfig.plugins = std::move(plugins);
  return o;
}

inline void answerApproval(LocalDurableTestRunner& runner) {
  runner.onCallback("approval", CallbackResponse::success("ok").after(10min));
}

}  // namespace rwd::plugins_test
