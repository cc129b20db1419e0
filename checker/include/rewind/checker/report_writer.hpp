// Writes a checker report to a directory: summary.txt, report.json, and per finding the schedule,
// the reference history and the failing history as JSON, and both runs as Chrome Trace
// Event JSON (finding-<n>-<oracle>-*.json).
//
//   rwd::checker::ReportFiles files = rwd::checker::writeReport(report, "report");
//   for (const auto& f : files.findings) std::cout << f.failingTrace->string() << "\n";  // ui.perfetto.dev
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rewind/checker/crash_checker.hpp"

namespace rwd::checker {

// The files writeReport wrote, per finding in report order.
struct FindingFiles {
  std::filesystem::path finding;           // finding-<n>-<oracle>-finding.json
  std::filesystem::path schedule;          // …-schedule.json
  std::filesystem::path referenceHistory;  // …-reference-history.json
  std::filesystem::path failingHistory;    // …-failing-history.json
  // …-reference-trace.json / …-failing-trace.json: only when the finding carries the
  // traces (CrashChecker::confirm fills them; CheckOptions::confirm is on by default).
  std::optional<std::filesystem::path> referenceTrace;
  std::optional<std::filesystem::path> failingTrace;
};

struct ReportFiles {
  std::filesystem::path summary;
  std::filesystem::path report;  // report.json: the reference outcome, counts and findings
  std::vector<FindingFiles> findings;
};

// Creates `dir` when needed. Throws std::runtime_error naming the path on I/O errors.
ReportFiles writeReport(const CheckReport& report, const std::string& dir);

Json toJson(const Finding& f);
// The whole report: reference outcome (and referenceError), counts, per-oracle verdicts, findings.
Json toJson(const CheckReport& r);

}  // namespace rwd::checker
