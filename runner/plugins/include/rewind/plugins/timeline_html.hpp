// A self-contained HTML page drawing an execution's timeline: one row per track of
// the Timeline (timeline.hpp), operations as bars with their names, colored by kind and
// status, attempts and retry delays nested in their steps, failures marked. No network,
// no external script or style: the data is inlined as JSON and drawn into an inline
// SVG by an inline script. The horizontal axis keeps the order of events and compresses
// idle virtual time (each gap is labeled with its length, e.g. "1h"); a checkbox (or
// opening the page with #linear) switches to linear virtual time.
//
//   rwd::writeTimelineHtml(runner.run(event), out);   // rewind-run --timeline FILE.html
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "rewind/local_runner.hpp"
#include "rewind/plugins/timeline.hpp"

namespace rwd {

// `text` made safe inside HTML element content and quoted attribute values (& < > " ').
std::string escapeHtml(std::string_view text);

void writeTimelineHtml(const Timeline& timeline, std::ostream& out, const std::string& title = "");
void writeTimelineHtml(const ExecutionResult& result, std::ostream& out, const TimelineOptions& options = {},
                       const std::string& title = "");

}  // namespace rwd
