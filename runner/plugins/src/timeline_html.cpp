// The HTML timeline: a fixed page (style + script) with the Timeline inlined as JSON.
#include "rewind/plugins/timeline_html.hpp"

#include <ostream>

namespace rwd {
namespace {

// Everything before the data. The page draws with the data only; nothing is fetched.
constexpr const char* kHead = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="rewind">
<title>)HTML";

constexpr const char* kStyleAndData = R"HTML(</title>
<style>
  body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 16px; color: #263238; background: #fff; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  #summary { color: #546e7a; margin-bottom: 8px; }
  #summary .status { font-weight: 600; }
  #summary .SUCCEEDED { color: #2e7d32; } #summary .FAILED, #summary .TIMED_OUT { color: #c62828; }
  #controls { margin: 6px 0 10px; color: #455a64; }
  #legend span { display: inline-block; margin-right: 12px; }
  #legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; border: 1px solid #78909c; vertical-align: -1px; }
  svg text { font-size: 11px; dominant-baseline: alphabetic; }
  .track-label { fill: #37474f; }
  .axis-label { fill: #607d8b; font-size: 10px; }
  .gap-label { fill: #8d6e63; font-size: 10px; }
  .span text { fill: #102027; pointer-events: none; }
</style>
</head>
<body>
<h1 id="title"></h1>
<div id="summary"></div>
<div id="controls"><label><input type="checkbox" id="linear"> linear virtual time (as in the Chrome trace)</label></div>
<div id="legend"></div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="execution timeline"></svg>
<script type="application/json" id="timeline-data">)HTML";

constexpr const char* kScript = R"HTML(</script>
<script>
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("timeline-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const LABEL_W = 230, ROW_H = 18, ROW_PAD = 6, AXIS_H = 30, MIN_TICK = 22, RIGHT = 24;
  const COLORS = {
    execution: "#cfd8dc", invocation: "#90caf9", context: "#b3e5fc", step: "#66bb6a", attempt: "#a5d6a7",
    retry: "#ffe082", wait: "#bdbdbd", callback: "#ce93d8", invoke: "#ffcc80", failed: "#ef5350"
  };

  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function human(ms) {
    if (ms < 1000) return ms + "ms";
    let s = Math.round(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const parts = [];
    if (d) parts.push(d + "d");
    if (h) parts.push(h + "h");
    if (m && !d) parts.push(m + "m");
    if (s && !d && !h) parts.push(s + "s");
    return parts.join(" ") || "0s";
  }

  // Positions of the ticks on an abstract axis: compressed (order, log of idle time) or linear.
  function positions(linear) {
    const t = data.ticks, pos = [];
    for (let j = 0; j < t.length; ++j) {
      if (linear) { pos.push(t[j][0]); continue; }
      if (j === 0) { pos.push(0); continue; }
      const gap = t[j][1] - t[j - 1][1];
      pos.push(pos[j - 1] + MIN_TICK + (gap > 0 ? 35 * Math.log10(1 + gap / 1000) : 0));
    }
    const end = t.length === 0 ? 1 : linear ? data.endMicros : pos[pos.length - 1] + MIN_TICK;
    return { pos: pos, end: end };
  }

  function mapper(linear, width) {
    const t = data.ticks, p = positions(linear);
    const k = width / Math.max(p.end, 1e-9);
    function at(micros) {
      if (t.length === 0) return LABEL_W;
      if (micros <= t[0][0]) return LABEL_W + p.pos[0] * k;
      let lo = 0, hi = t.length - 1;
      if (micros >= t[hi][0]) {
        const span = data.endMicros - t[hi][0];
        const f = span > 0 ? Math.min(1, (micros - t[hi][0]) / span) : 0;
        return LABEL_W + (p.pos[hi] + f * (p.end - p.pos[hi])) * k;
      }
      while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (t[mid][0] <= micros) lo = mid; else hi = mid; }
      const f = (micros - t[lo][0]) / (t[hi][0] - t[lo][0]);
      return LABEL_W + (p.pos[lo] + f * (p.pos[hi] - p.pos[lo])) * k;
    }
    function virtualMs(micros) {
      if (t.length === 0) return 0;
      let j = 0;
      while (j + 1 < t.length && t[j + 1][0] <= micros) ++j;
      return t[j][1];
    }
    return { at: at, virtualMs: virtualMs, pos: p.pos, k: k };
  }

  function colorOf(s) {
    if (s.failed) return COLORS.failed;
    if (s.category === "invocation" && s.status === "SUCCEEDED") return "#81c784";
    return COLORS[s.category] || "#e0e0e0";
  }

  function header() {
    document.getElementById("title").textContent = data.title || "Rewind execution timeline";
    const sum = document.getElementById("summary");
    const st = document.createElement("span");
    st.className = "status " + data.status;
    st.textContent = data.status;
    sum.appendChild(st);
    const invocations = data.tracks.filter(function (t) { return t.kind === "invocation"; }).length;
    sum.appendChild(document.createTextNode(" · " + invocations + " invocation" + (invocations === 1 ? "" : "s") +
      " · started " + data.startTimestamp + " (virtual) · " + data.executionArn));
    const legend = document.getElementById("legend");
    ["execution", "invocation", "context", "step", "attempt", "retry", "wait", "callback", "invoke", "failed"].forEach(function (c) {
      const s = document.createElement("span");
      const i = document.createElement("i");
      i.style.background = COLORS[c];
      s.appendChild(i);
      s.appendChild(document.createTextNode(c === "retry" ? "retry delay" : c));
      legend.appendChild(s);
    });
    const open = document.createElement("span");
    open.textContent = "dashed outline: still running when the execution ended";
    legend.appendChild(open);
  }

  function render() {
    const linear = document.getElementById("linear").checked;
    const svg = document.getElementById("timeline");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const width = Math.max(600, (document.documentElement.clientWidth || 1200) - 40 - LABEL_W - RIGHT);
    const m = mapper(linear, width);
    const defs = el("defs", {}, svg);
    const pat = el("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
    el("rect", { width: 6, height: 6, fill: COLORS.retry }, pat);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#ffb300", "stroke-width": 2 }, pat);

    // A step's only attempt, spanning the step exactly, is left out: it says nothing more.
    const outer = {};
    data.spans.forEach(function (s) { if (s.category !== "attempt") outer[s.track + ":" + s.start + ":" + s.end] = true; });
    const shown = data.spans.filter(function (s) {
      return !(s.category === "attempt" && !s.failed && outer[s.track + ":" + s.start + ":" + s.end]);
    });
    const depth = data.tracks.map(function () { return 0; });
    shown.forEach(function (s) { depth[s.track] = Math.max(depth[s.track], s.depth); });
    const top = [];
    let y = AXIS_H;
    data.tracks.forEach(function (t, i) { top.push(y); y += (depth[i] + 1) * ROW_H + ROW_PAD; });
    const height = y + 8;
    svg.setAttribute("width", LABEL_W + width + RIGHT);
    svg.setAttribute("height", height);

    // Rows and their labels.
    data.tracks.forEach(function (t, i) {
      const h = (depth[i] + 1) * ROW_H + ROW_PAD;
      el("rect", { x: 0, y: top[i] - ROW_PAD / 2, width: LABEL_W + width + RIGHT, height: h,
                   fill: t.kind === "invocation" ? "#f5f9ff" : i % 2 ? "#fafafa" : "#ffffff" }, svg);
      const label = el("text", { x: 6, y: top[i] + ROW_H - 5, class: "track-label", "data-track": t.name }, svg, t.name);
      if (t.kind !== "invocation") label.setAttribute("font-weight", "600");
    });

    // Idle virtual time: shaded gaps with their length; virtual offsets on the axis.
    let lastLabel = -1e9;
    for (let j = 1; j < data.ticks.length; ++j) {
      const gap = data.ticks[j][1] - data.ticks[j - 1][1];
      if (gap < 1000) continue;
      const x0 = m.at(data.ticks[j - 1][0]), x1 = m.at(data.ticks[j][0]);
      el("rect", { x: x0, y: AXIS_H - 4, width: Math.max(1, x1 - x0), height: height - AXIS_H, fill: "#fff8e1", opacity: 0.6 }, svg);
      if (!linear) el("text", { x: (x0 + x1) / 2, y: AXIS_H - 6, "text-anchor": "middle", class: "gap-label" }, svg, "⋯ " + human(gap) + " ⋯");
      if (x1 - lastLabel > 70) {
        el("text", { x: x1 + 2, y: 12, class: "axis-label" }, svg, "+" + human(data.ticks[j][1]));
        el("line", { x1: x1, y1: 14, x2: x1, y2: height, stroke: "#eceff1" }, svg);
        lastLabel = x1;
      }
    }
    el("text", { x: LABEL_W, y: 12, class: "axis-label" }, svg, "+0s");

    // Bars; a label too long for its bar runs on into the free space after it.
    const room = new Map();
    const byRow = {};
    shown.forEach(function (s) { (byRow[s.track + ":" + s.depth] = byRow[s.track + ":" + s.depth] || []).push(s); });
    Object.keys(byRow).forEach(function (k) {
      const row = byRow[k].slice().sort(function (a, b) { return a.start - b.start; });
      row.forEach(function (s, i) {
        const next = i + 1 < row.length ? m.at(row[i + 1].start) : LABEL_W + width + RIGHT;
        room.set(s, next - m.at(s.start) - 3);
      });
    });
    shown.forEach(function (s) {
      const x0 = m.at(s.start), x1 = Math.max(m.at(s.end), x0 + 2);
      const yy = top[s.track] + s.depth * ROW_H, h = ROW_H - 3;
      const g = el("g", { class: "span " + s.category, "data-name": s.name, "data-status": s.status,
                          "data-category": s.category, "data-track": data.tracks[s.track].name }, svg);
      el("rect", { x: x0, y: yy, width: x1 - x0, height: h, rx: 2,
                   fill: s.category === "retry" && !s.failed ? "url(#hatch)" : colorOf(s),
                   stroke: s.failed ? "#b71c1c" : "#546e7a", "stroke-width": s.failed ? 1.2 : 0.5,
                   "stroke-dasharray": s.open ? "4 2" : "none", "fill-opacity": s.open ? 0.6 : 1 }, g);
      const clip = el("svg", { x: x0, y: yy, width: Math.max(x1 - x0, room.get(s)), height: h }, g);
      el("text", { x: 3, y: h - 4 }, clip, s.name + (s.status === "SUCCEEDED" ? "" : " · " + s.status));
      const details = [s.name + " — " + s.category + " " + s.status,
                       "virtual +" + human(m.virtualMs(s.start)) + (s.open ? " → (running)" : " → +" + human(m.virtualMs(s.end)))];
      for (const k in s.args) details.push(k + ": " + (typeof s.args[k] === "string" ? s.args[k] : JSON.stringify(s.args[k])));
      el("title", {}, g, details.join("\n"));
    });

    // Failures and crashes.
    data.marks.forEach(function (mk) {
      const x = m.at(mk.at), yy = top[mk.track];
      const g = el("g", { class: "mark " + mk.category, "data-name": mk.name }, svg);
      el("path", { d: "M" + x + " " + (yy - 3) + " l5 6 l-5 6 l-5 -6 z", fill: "#c62828", stroke: "#fff", "stroke-width": 0.8 }, g);
      el("title", {}, g, mk.name + (mk.args.error ? "\n" + mk.args.error.ErrorType + ": " + mk.args.error.ErrorMessage : ""));
    });
  }

  header();
  if (location.hash === "#linear") document.getElementById("linear").checked = true;
  render();
  document.getElementById("linear").addEventListener("change", render);
  window.addEventListener("resize", render);
})();
</script>
</body>
</html>
)HTML";

// JSON safe inside <script>: '<', '>' and '&' only occur inside strings, where \u escapes
// mean the same, so "</script>" in a name cannot end the element.
std::string scriptSafeJson(const Json& j) {
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* kindName(TimelineTrack::Kind k) {
  switch (k) {
    case TimelineTrack::Kind::Invocation:
      return "invocation";
    case TimelineTrack::Kind::Main:
      return "main";
    case TimelineTrack::Kind::Branch:
      return "branch";
  }
  return "branch";
}

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void writeTimelineHtml(const Timeline& timeline, std::ostream& out, const std::string& title) {
  Json tracks = Json::array();
  for (const auto& t : timeline.tracks) tracks.push_back(Json{{"name", t.name}, {"kind", kindName(t.kind)}});
  Json spans = Json::array();
  for (const auto& s : timeline.spans)
    spans.push_back(Json{{"track", s.track},
                         {"depth", s.depth},
                         {"name", s.name},
                         {"category", s.category},
                         {"status", s.status},
                         {"start", s.startMicros},
                         {"end", s.endMicros},
                         {"failed", s.failed},
                         {"open", s.open},
                         {"args", s.args}});
  Json marks = Json::array();
  for (const auto& m : timeline.marks)
    marks.push_back(
        Json{{"track", m.track}, {"name", m.name}, {"category", m.category}, {"at", m.atMicros}, {"args", m.args}});
  Json ticks = Json::array();
  for (const auto& t : timeline.ticks) ticks.push_back(Json::array({t.layoutMicros, t.virtualMillis}));
  Json data{{"title", title.empty() ? "Rewind execution timeline" : title},
            {"executionArn", timeline.executionArn},
            {"status", timeline.status},
            {"startTimestamp", timeline.startTimestamp},
            {"endMicros", timeline.endMicros},
            {"tickMicros", timeline.tickMicros},
            {"tracks", std::move(tracks)},
            {"spans", std::move(spans)},
            {"marks", std::move(marks)},
            {"ticks", std::move(ticks)}};
  out << kHead << escapeHtml(title.empty() ? "Rewind execution timeline" : title) << kStyleAndData
      << scriptSafeJson(data) << kScript;
}

void writeTimelineHtml(const ExecutionResult& result, std::ostream& out, const TimelineOptions& options,
                       const std::string& title) {
  writeTimelineHtml(buildTimeline(result, options), out, title);
}

}  // namespace rwd
