// Handlers of Rewind's own plugin requirements (ids 90.x, tests/conformance/requirements/
// plugin/): files in the official suite's format whose ExpectedLogs match the records
// plugins write. 90.x lies outside the official numbering (families 1-9).
#include <iostream>
#include <memory>

#include "conformance_handlers.hpp"
#include "rewind/plugins/json_log_plugin.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;
using rwd::StepContext;

// 90.1: JsonLogPlugin (one JSON line per hook on stdout, and in the execution's log sink)
// watching a step, a wait that ends the first invocation, and a second step.
Json chargeThenNotify(const Json& event, DurableContext& ctx) {
  std::string receipt = ctx.step(
      "charge", [&](StepContext&) { return "receipt-" + text(event); }, noRetry<std::string>());
  ctx.wait("settle", 5s);
  return ctx.step(
      "notify", [&](StepContext&) { return "notified " + receipt; }, noRetry<std::string>());
}

rwd::HandlerConfig withJsonLog() {
  rwd::HandlerConfig config;
  config.pluginFactory = [] { return rwd::PluginList{std::make_shared<rwd::JsonLogPlugin>()}; };
  return config;
}

// A plugin as a user might write one for the suite: it prints its records on stdout
// (JSON lines, and one plain line per invocation) and nothing to the log sink.
class StdoutProbePlugin : public rwd::Plugin {
 public:
  std::string pluginName() const override { return "stdout-probe"; }

  void onAttemptEnd(const rwd::AttemptInfo& a) override {
    Json rec{{"probe", "attempt-end"},
             {"id", a.id},
             {"attempt", a.attempt},
             {"outcome", a.outcome == rwd::AttemptOutcome::Failed ? "FAILED" : "SUCCEEDED"}};
    if (a.name) rec["name"] = *a.name;
    std::cout << rec.dump() << '\n';
  }
  void onOperationEnd(const rwd::OperationInfo& op) override {
    Json rec{{"probe", "operation-end"}, {"id", op.id}, {"status", std::string(rwd::toString(op.status))}};
    if (op.name) rec["name"] = *op.name;
    std::cout << rec.dump() << '\n';
  }
  void onInvocationEnd(const rwd::InvocationEndInfo& info) override {
    std::cout << "probe: invocation ended " << rwd::toString(info.status) << '\n';
  }
};

// 90.2: StdoutProbePlugin watching a step that logs through its step logger, fails its
// first attempt and succeeds on the retry one second later.
Json reserveWithRetry(const Json& event, DurableContext& ctx) {
  rwd::StepConfig<std::string> config;
  config.retryStrategy = retryOneSecond();
  return ctx.step(
      "reserve",
      [&](StepContext& sc) -> std::string {
        sc.logger().info("reserving " + text(event) + ", attempt " + std::to_string(sc.attempt()));
        if (sc.attempt() == 1) throw TransientError("first attempt fails");
        return "reserved " + text(event);
      },
      config);
}

rwd::HandlerConfig withStdoutProbe() {
  rwd::HandlerConfig config;
  config.plugins = {std::make_shared<StdoutProbePlugin>()};
  return config;
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("90.1", conformance::chargeThenNotify, conformance::withJsonLog());
REWIND_HANDLER("90.2", conformance::reserveWithRetry, conformance::withStdoutProbe());
