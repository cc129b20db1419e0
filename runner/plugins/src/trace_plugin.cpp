// TracePlugin: hook notes per invocation, merged into the history-based timeline.
#include "rewind/plugins/trace_plugin.hpp"

#include <fmt/format.h>

#include "rewind/plugins/chrome_trace.hpp"
#include "rewind/plugins/timeline_html.hpp"

namespace rwd {
namespace {

template <class Info>
std::string label(const Info& info) {
  return info.name ? *info.name : "#" + info.stepId;
}

}  // namespace

void TracePlugin::note(std::string text) { notes_[invocation_].push_back(std::move(text)); }

void TracePlugin::onInvocationStart(const InvocationInfo& info) {
  if (info.firstInvocation) notes_.clear();
  invocation_ = info.invocationIndex;
  notes_[invocation_];  // an invocation that only replays still gets an (empty) entry
}

void TracePlugin::onOperationStart(const OperationInfo& op) {
  if (op.isReplay) note(fmt::format("replay {} ({})", label(op), toString(op.status)));
}

void TracePlugin::onOperationEnd(const OperationInfo& op) {
  note(fmt::format("end {} {}", label(op), toString(op.status)));
}

void TracePlugin::onAttemptStart(const AttemptInfo& attempt) {
  note(fmt::format("attempt {} #{}", label(attempt), attempt.attempt));
}

void TracePlugin::onAttemptEnd(const AttemptInfo& attempt) {
  note(fmt::format("attempt {} #{} {}", label(attempt), attempt.attempt,
                   attempt.outcome == AttemptOutcome::Failed ? "FAILED" : "SUCCEEDED"));
}

void TracePlugin::onUserFunctionStart(const UserFunctionInfo& fn) {
  note(
      fmt::format("run body of {}{}", label(fn), fn.replayingChildren ? " (rebuilding its result from children)" : ""));
}

Timeline TracePlugin::timeline(const ExecutionResult& result, std::int64_t tickMicros) const {
  TimelineOptions options;
  options.tickMicros = tickMicros;
  options.invocationNotes = &notes_;
  return buildTimeline(result, options);
}

void TracePlugin::writeTrace(const ExecutionResult& result, std::ostream& out) const {
  writeChromeTrace(timeline(result), out);
}

void TracePlugin::writeTimelineHtml(const ExecutionResult& result, std::ostream& out) const {
  rwd::writeTimelineHtml(timeline(result), out);
}

}  // namespace rwd
