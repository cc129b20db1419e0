// Report files: one JSON document per artefact so that tools can diff them; traces one
// event per line, as rewind-run --trace writes them.
#include "rewind/checker/report_writer.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "rewind/plugins/chrome_trace.hpp"

namespace rwd::checker {

namespace {

void writeFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("[rewind.checker.report_io] cannot write {}", p.string()));
}

std::string pretty(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; }

// A trace the finding carries, written as rewind-run --trace writes it; none: nothing.
std::optional<std::filesystem::path> writeTrace(const std::filesystem::path& p, const Json& trace) {
  if (!trace.is_object()) return std::nullopt;
  std::ostringstream text;
  writeChromeTrace(trace, text);
  writeFile(p, text.str());
  return p;
}

}  // namespace

Json toJson(const Finding& f) {
  Json j{{"oracle", std::string(toString(f.oracle))},
         {"message", f.message},
         {"crash", f.crash},
         {"mode", f.mode},
         {"resume", f.resume},
         {"confirmed", f.confirmed},
         {"reproduced", f.reproduced},
         {"flaky", f.confirmed && !f.reproduced},
         {"schedule", toJson(f.schedule)},
         {"reproduce", toToken(f.schedule)}};
  if (!f.historyDiff.empty()) j["historyDiff"] = f.historyDiff;
  return j;
}

Json toJson(const CheckReport& r) {
  Json j{{"reference", r.reference},
         {"referenceError", r.referenceError ? Json(*r.referenceError) : Json(nullptr)},
         {"crashPoints", r.crashPoints},
         {"runs", r.runs},
         {"schedules", r.schedules},
         {"generatedSchedules", r.generatedSchedules},
         {"resumes", r.resumeKinds},
         {"approximateMergedPoints", r.equivalentCrashPoints},
         {"ok", r.ok()}};
  Json oracles = Json::object();
  for (std::size_t i = 0; i < kOracleCount; ++i)
    oracles[std::string(toString(static_cast<Oracle>(i)))] = Json{{"passed", r.passed[i]}, {"failed", r.failed[i]}};
  j["oracles"] = std::move(oracles);
  j["findings"] = Json::array();
  for (const Finding& f : r.findings) j["findings"].push_back(toJson(f));
  return j;
}

ReportFiles writeReport(const CheckReport& report, const std::string& dir) {
  std::filesystem::path root(dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw std::runtime_error(fmt::format("[rewind.checker.report_io] cannot create {}: {}", dir, ec.message()));
  ReportFiles files;
  files.summary = root / "summary.txt";
  writeFile(files.summary, report.summary());
  files.report = root / "report.json";
  writeFile(files.report, pretty(toJson(report)));
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    const Finding& f = report.findings[i];
    auto base = fmt::format("finding-{}-{}", i + 1, toString(f.oracle));
    FindingFiles out;
    out.finding = root / (base + "-finding.json");
    out.schedule = root / (base + "-schedule.json");
    out.referenceHistory = root / (base + "-reference-history.json");
    out.failingHistory = root / (base + "-failing-history.json");
    writeFile(out.finding, pretty(toJson(f)));
    writeFile(out.schedule, pretty(toJson(f.schedule)));
    writeFile(out.referenceHistory, pretty(f.referenceHistory));
    writeFile(out.failingHistory, pretty(f.failingHistory));
    out.referenceTrace = writeTrace(root / (base + "-reference-trace.json"), f.referenceTrace);
    out.failingTrace = writeTrace(root / (base + "-failing-trace.json"), f.failingTrace);
    files.findings.push_back(std::move(out));
  }
  return files;
}

}  // namespace rwd::checker
