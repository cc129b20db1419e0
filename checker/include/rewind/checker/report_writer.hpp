// Writes a checker report to a directory: summary.txt, and per finding the schedule,
// the reference history and the failing history as JSON (finding-<n>-*.json).
#pragma once

#include <string>

#include "rewind/checker/crash_checker.hpp"

namespace rwd::checker {

// Creates `dir` when needed. Throws std::runtime_error naming the path on I/O errors.
void writeReport(const CheckReport& report, const std::string& dir);

Json toJson(const Finding& f);

}  // namespace rwd::checker
