// Chrome Trace Event JSON of an execution: the format Perfetto UI (ui.perfetto.dev)
// and chrome://tracing open. The layout is the Timeline's (timeline.hpp): one track
// (thread) per invocation, "main" and one per parallel branch or map item; operations
// are complete ("X") events on the virtual clock, attempts nested in their steps,
// "retry delay" spans between attempts; failures and crashes are instant ("i") events;
// args carry ids, statuses, results and errors. Deterministic for a given history.
//
//   const auto& result = runner.run(event);
//   std::ofstream out("trace.json");
//   rwd::writeChromeTrace(result, out);   // then open trace.json in ui.perfetto.dev
//
// Every event has ph, ts, pid and tid (metadata events too, with ts 0); durations are
// never negative.
#pragma once

#include <iosfwd>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/plugins/timeline.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// The trace as a JSON document {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
Json chromeTraceJson(const Timeline& timeline);

// Several executions in one trace (a test that ran more than one): execution i is process
// i+1, named "execution <i+1> <ARN>"; otherData lists them as "executions". One execution
// gives exactly chromeTraceJson(timeline).
Json chromeTraceJson(const std::vector<Timeline>& executions);

// Writes the trace, one event per line (diff-friendly; golden files use it).
void writeChromeTrace(const Timeline& timeline, std::ostream& out);
// Writes a document chromeTraceJson() made (kept, e.g., in a checker finding) the same way.
void writeChromeTrace(const Json& trace, std::ostream& out);
void writeChromeTrace(const ExecutionResult& result, std::ostream& out, const TimelineOptions& options = {});

}  // namespace rwd
