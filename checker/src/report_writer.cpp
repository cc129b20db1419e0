// Report files: one JSON document per artefact so that tools can diff them.
#include "rewind/checker/report_writer.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rwd::checker {

namespace {

void writeFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("[rewind.checker.report_io] cannot write {}", p.string()));
}

}  // namespace

Json toJson(const Finding& f) {
  return Json{{"oracle", std::string(toString(f.oracle))},
              {"message", f.message},
              {"mode", f.mode},
              {"reproduced", f.reproduced},
              {"schedule", toJson(f.schedule)},
              {"reproduce", toToken(f.schedule)}};
}

void writeReport(const CheckReport& report, const std::string& dir) {
  std::filesystem::path root(dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw std::runtime_error(fmt::format("[rewind.checker.report_io] cannot create {}: {}", dir, ec.message()));
  writeFile(root / "summary.txt", report.summary());
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    const Finding& f = report.findings[i];
    auto base = fmt::format("finding-{}-{}", i + 1, toString(f.oracle));
    writeFile(root / (base + "-finding.json"), toJson(f).dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
    writeFile(root / (base + "-schedule.json"),
              toJson(f.schedule).dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
    writeFile(root / (base + "-reference-history.json"),
              f.referenceHistory.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
    writeFile(root / (base + "-failing-history.json"),
              f.failingHistory.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  }
}

}  // namespace rwd::checker
