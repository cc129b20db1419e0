// Chrome Trace Event JSON from a Timeline.
#include "rewind/plugins/chrome_trace.hpp"

#include <ostream>

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

}  // namespace

Json chromeTraceJson(const Timeline& timeline) {
  Json events = Json::array();
  events.push_back(Json{{"name", "process_name"},
                        {"ph", "M"},
                        {"ts", 0},
                        {"pid", kPid},
                        {"tid", 0},
                        {"args", {{"name", "execution " + timeline.executionArn}}}});
  for (std::size_t i = 0; i < timeline.tracks.size(); ++i) {
    events.push_back(Json{{"name", "thread_name"},
                          {"ph", "M"},
                          {"ts", 0},
                          {"pid", kPid},
                          {"tid", tidOf(i)},
                          {"args", {{"name", timeline.tracks[i].name}}}});
    events.push_back(Json{{"name", "thread_sort_index"},
                          {"ph", "M"},
                          {"ts", 0},
                          {"pid", kPid},
                          {"tid", tidOf(i)},
                          {"args", {{"sort_index", i}}}});
  }
  for (const TimelineSpan& s : timeline.spans) {
    Json e{{"name", s.name},
           {"cat", s.category},
           {"ph", "X"},
           {"ts", s.startMicros},
           {"dur", std::max<std::int64_t>(0, s.endMicros - s.startMicros)},
           {"pid", kPid},
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
                          {"pid", kPid},
                          {"tid", tidOf(m.track)},
                          {"args", m.args}});
  }
  return Json{{"displayTimeUnit", "ms"},
              {"otherData",
               {{"executionArn", timeline.executionArn},
                {"status", timeline.status},
                {"startTimestamp", timeline.startTimestamp},
                {"tickMicros", timeline.tickMicros},
                {"layout",
                 "ts = microseconds of virtual time since startTimestamp + tickMicros per history event before it, so "
                 "that the events of one invocation (one virtual instant) keep their order"}}},
              {"traceEvents", std::move(events)}};
}

void writeChromeTrace(const Timeline& timeline, std::ostream& out) {
  Json doc = chromeTraceJson(timeline);
  out << "{\"displayTimeUnit\":" << dumpLine(doc["displayTimeUnit"])
      << ",\n\"otherData\":" << dumpLine(doc["otherData"]) << ",\n\"traceEvents\":[\n";
  const Json& events = doc["traceEvents"];
  for (std::size_t i = 0; i < events.size(); ++i) out << dumpLine(events[i]) << (i + 1 < events.size() ? ",\n" : "\n");
  out << "]}\n";
}

void writeChromeTrace(const ExecutionResult& result, std::ostream& out, const TimelineOptions& options) {
  writeChromeTrace(buildTimeline(result, options), out);
}

}  // namespace rwd
