// Timeline: an execution laid out as tracks of nested spans, the model behind the
// Chrome trace (chrome_trace.hpp) and the HTML timeline (timeline_html.hpp).
//
// Layout. The virtual clock does not advance inside an invocation, so every event of
// one invocation happens at the same virtual instant. To still show order, each event
// of the execution history gets a *tick*, in history order (an invocation's start gets
// one too, just before its first event), and its layout time is
//
//   layoutMicros = (virtual time - execution start) in µs  +  tickIndex × tickMicros
//
// (kept strictly increasing). With the default tickMicros = 1000, each event of an
// invocation sits 1 ms after the previous one, while a one-hour wait stays one hour
// (plus a few ms) long. The layout depends only on the history, so it is deterministic
// and can be golden-tested.
//
// Tracks, top to bottom: one per invocation ("invocation 1", …), "main" (the execution
// span, with the root operations nested in it) and one per parallel branch or map item
// ("close-out › send-reply"). An operation is a span on its branch's track; a step's
// attempts nest in it, with "retry delay" spans between them; a child context's
// operations nest in the child's span; waits and callbacks span the invocations they
// cross. Spans that would only partly overlap a span on their track (callbacks
// created with createCallback and awaited later) move to an extra lane, a track named
// "<track> (2)".
//
// Usage:
//   rwd::Timeline t = rwd::buildTimeline(runner.run(event));
//   for (const auto& s : t.spans) std::cout << t.tracks[s.track].name << " " << s.name << "\n";
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

struct TimelineTrack {
  enum class Kind { Invocation, Main, Branch };
  std::string name;
  Kind kind = Kind::Main;
};

// One bar. Times are layout times (see above), in µs.
struct TimelineSpan {
  std::size_t track = 0;  // index into Timeline::tracks
  int depth = 0;          // nesting depth within the track (0 = outermost)
  std::string name;
  // "execution", "invocation", "step", "attempt", "retry", "wait", "callback", "context", "invoke".
  std::string category;
  std::string status;  // SUCCEEDED, FAILED, STARTED, … ("PENDING" etc. for invocations)
  std::int64_t startMicros = 0;
  std::int64_t endMicros = 0;
  bool failed = false;  // a failed operation, attempt or invocation
  bool open = false;    // still running when the execution ended (drawn to the end)
  Json args = Json::object();
};

// A point event: a failure, a crash.
struct TimelineMark {
  std::size_t track = 0;
  std::string name;
  std::string category;
  std::int64_t atMicros = 0;
  Json args = Json::object();
};

// The layout time of one tick and the virtual time it stands for.
struct TimelineTick {
  std::int64_t layoutMicros = 0;
  std::int64_t virtualMillis = 0;  // since the execution started
};

struct TimelineOptions {
  std::int64_t tickMicros = 1000;
  // What plugins saw per invocation (1-based index → notes in hook order), added to the
  // invocation spans' args as "hooks". TracePlugin fills this.
  const std::map<int, std::vector<std::string>>* invocationNotes = nullptr;
};

struct Timeline {
  std::string executionArn;
  std::string status;
  std::string startTimestamp;  // ISO-8601 of the execution's start (layout time 0)
  std::int64_t endMicros = 0;  // layout time of the end (open spans end here)
  std::int64_t tickMicros = 0;
  std::vector<TimelineTrack> tracks;
  std::vector<TimelineSpan> spans;  // sorted by track, start, longest first
  std::vector<TimelineMark> marks;
  std::vector<TimelineTick> ticks;
};

// What a Timeline is drawn from: a local run's ExecutionResult, or an execution read back
// from its GetDurableExecutionHistory events (rewind::remote's history_reader.hpp; how
// rewind-server's /ui draws its executions). The spans view vectors the caller keeps.
struct TimelineSource {
  std::string executionArn;
  ExecutionStatus status = ExecutionStatus::Running;
  Payload result;
  std::optional<ErrorObject> error;
  std::span<const Operation> operations;  // the EXECUTION operation excluded
  std::span<const InvocationRecord> invocations;
  std::span<const HistoryEvent> history;
};

TimelineSource timelineSource(const ExecutionResult& result);

Timeline buildTimeline(const TimelineSource& source, const TimelineOptions& options = {});
Timeline buildTimeline(const ExecutionResult& result, const TimelineOptions& options = {});

}  // namespace rwd
