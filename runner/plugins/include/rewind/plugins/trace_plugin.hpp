// TracePlugin: records what the plugin hooks see in each invocation (replayed
// operations, attempts, child-context bodies) and writes the execution's Chrome trace
// or HTML timeline with those notes on the invocation spans ("hooks" in their args).
// The trace's backbone is the history (see timeline.hpp); the notes add what the
// history does not show: which operations an invocation replayed and which bodies
// ran again (a step re-run after a crash, a child rebuilt on replay).
//
//   auto trace = std::make_shared<rwd::TracePlugin>();
//   rwd::LocalDurableTestRunner runner(handler, {.handlerConfig = {.plugins = {trace}}});
//   const auto& result = runner.run(event);
//   std::ofstream out("trace.json");
//   trace->writeTrace(result, out);
//
// Register it in HandlerConfig::plugins (one instance for the whole execution), not
// through a pluginFactory. It forgets earlier notes when a new execution starts.
// Thread-safety: hooks run on the handler's thread one at a time; read the notes after
// the run (or after waitForResult()).
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/plugin.hpp"
#include "rewind/plugins/timeline.hpp"

namespace rwd {

class TracePlugin : public Plugin {
 public:
  std::string pluginName() const override { return "trace"; }

  void onInvocationStart(const InvocationInfo& info) override;
  void onOperationStart(const OperationInfo& op) override;
  void onOperationEnd(const OperationInfo& op) override;
  void onAttemptStart(const AttemptInfo& attempt) override;
  void onAttemptEnd(const AttemptInfo& attempt) override;
  void onUserFunctionStart(const UserFunctionInfo& fn) override;

  // Notes per invocation (1-based), in hook order, e.g. "replay close-out (STARTED)",
  // "attempt analyze #2 FAILED", "run body of close-out".
  const std::map<int, std::vector<std::string>>& invocationNotes() const noexcept { return notes_; }

  Timeline timeline(const ExecutionResult& result, std::int64_t tickMicros = 1000) const;
  void writeTrace(const ExecutionResult& result, std::ostream& out) const;
  void writeTimelineHtml(const ExecutionResult& result, std::ostream& out) const;

 private:
  void note(std::string text);
  std::map<int, std::vector<std::string>> notes_;
  int invocation_ = 0;
};

}  // namespace rwd
