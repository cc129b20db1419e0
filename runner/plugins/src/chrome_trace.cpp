// Chrome Trace Event JSON from a Timeline.
#include "rewind/plugins/chrome_trace.hpp"

#include <ostream>

#include <fmt/format.h>

namespace rwd {
namespace {

constexpr int kPid = 1;

int tidOf(std::size_t track) { return static_cast<int>(track) + 1; }

// Chrome's reserved color names; Perfetto chooses its own colors by name.
const char* colorOf(const TimelineSpan& s) {
  if (s.failed) return "terrible";
  if (s.category == "retry") return "yellow";
  if (s.open) return "grey";
  return nullptr;
}

std::string dumpLine(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Appends the metadata, span and mark events of one execution, as process `pid` named
// `processName`.
void appendEvents(const Timeline& timeline, int pid, const std::string& processName, Json& events) {
  events.push_back(Json{
      {"name", "process_name"}, {"ph", "M"}, {"ts", 0}, {"pid", pid}, {"tid", 0}, {"args", {{"name", processName}}}});
  for (std::size_t i = 0; i < timeline.tracks.size(); ++i) {
    events.push_back(Json{{"name", "thread_name"},
                          {"ph", "M"},
                          {"ts", 0},
                          {"pid", pid},
                          {"tid", tidOf(i)},
                          {"args", {{"name", timeline.tracks[i].name}}}});
    events.push_back(Json{{"name", "thread_sort_index"},
                          {"ph", "M"},
                          {"ts", 0},
                          {"pid", pid},
                          {"tid", tidOf(i)},
                          {"args", {{"sort_index", i}}}});
  }
  for (const TimelineSpan& s : timeline.spans) {
    Json e{{"name", s.name},
           {"cat", s.category},
           {"ph", "X"},
           {"ts", s.startMicros},
           {"dur", std::max<std::int64_t>(0, s.endMicros - s.startMicros)},
           {"pid", pid},
           {"tid", tidOf(s.track)},
           {"args", s.args}};
    e["args"]["status"] = s.status;
    if (s.open) e["args"]["open"] = true;
    if (const char* c = colorOf(s)) e["cname"] = c;
    events.push_back(std::move(e));
  }
  for (const TimelineMark& m : timeline.marks) {
    events.push_back(Json{{"name", m.name},
                          {"cat", m.category},
                          {"ph", "i"},
                          {"s", "t"},
                          {"ts", m.atMicros},
                          {"pid", pid},
                          {"tid", tidOf(m.track)},
                          {"args", m.args}});
  }
}

constexpr const char* kLayout =
    "ts = microseconds of virtual time since startTimestamp + tickMicros per history event before it, so that the "
    "events of one invocation (one virtual instant) keep their order";

}  // namespace

Json chromeTraceJson(const Timeline& timeline) {
  Json events = Json::array();
  appendEvents(timeline, kPid, "execution " + timeline.executionArn, events);
  return Json{{"displayTimeUnit", "ms"},
              {"otherData",
               {{"executionArn", timeline.executionArn},
                {"status", timeline.status},
                {"startTimestamp", timeline.startTimestamp},
                {"tickMicros", timeline.tickMicros},
                {"layout", kLayout}}},
              {"traceEvents", std::move(events)}};
}

Json chromeTraceJson(const std::vector<Timeline>& executions) {
  if (executions.size() == 1) return chromeTraceJson(executions.front());
  Json events = Json::array();
  Json listed = Json::array();
  for (std::size_t i = 0; i < executions.size(); ++i) {
    const Timeline& t = executions[i];
    const int pid = static_cast<int>(i) + 1;
    // Runs of one test often share an ARN (same seed): the number tells them apart.
    appendEvents(t, pid, fmt::format("execution {} {}", pid, t.executionArn), events);
    listed.push_back(Json{{"pid", pid},
                          {"executionArn", t.executionArn},
                          {"status", t.status},
                          {"startTimestamp", t.startTimestamp},
                          {"tickMicros", t.tickMicros}});
  }
  return Json{{"displayTimeUnit", "ms"},
              {"otherData", {{"executions", std::move(listed)}, {"layout", kLayout}}},
              {"traceEvents", std::move(events)}};
}

void writeChromeTrace(const Json& trace, std::ostream& out) {
  auto field = [&](const char* key) { return trace.contains(key) ? dumpLine(trace[key]) : std::string("null"); };
  out << "{\"displayTimeUnit\":" << field("displayTimeUnit") << ",\n\"otherData\":" << field("otherData")
      << ",\n\"traceEvents\":[\n";
  const Json empty = Json::array();
  const Json& events = trace.contains("traceEvents") ? trace["traceEvents"] : empty;
  for (std::size_t i = 0; i < events.size(); ++i) out << dumpLine(events[i]) << (i + 1 < events.size() ? ",\n" : "\n");
  out << "]}\n";
}

void writeChromeTrace(const Timeline& timeline, std::ostream& out) { writeChromeTrace(chromeTraceJson(timeline), out); }

void writeChromeTrace(const ExecutionResult& result, std::ostream& out, const TimelineOptions& options) {
  writeChromeTrace(buildTimeline(result, options), out);
}

}  // namespace rwd
