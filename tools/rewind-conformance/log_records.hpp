// The log records ExpectedLogs are matched against: what the execution's log sink holds
// (the logger's records and those plugins append through InvocationInfo::writeLog) and
// what the handler and its plugins printed on stdout (std::cout) while it ran, one
// record per line — JSON lines as they are, any other line as {message: line}.
//
//   StdoutCapture capture;                        // std::cout now writes into `capture`
//   const ExecutionResult& r = runner.runPayload(input);
//   std::vector<Value> records = mergeLogRecords(r.getLogs(), capture.release());
//
// A record written to both (JsonLogPlugin writes each line to stdout and to the sink;
// the runner's logStream echoes logger records) counts once.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "rewind/serdes.hpp"
#include "value.hpp"

namespace rwd::conformance {

// Redirects std::cout into a buffer until release() or destruction, then restores it.
// Not thread-safe: std::cout is process-wide; one capture at a time.
class StdoutCapture {
 public:
  StdoutCapture();
  ~StdoutCapture();
  StdoutCapture(const StdoutCapture&) = delete;
  StdoutCapture& operator=(const StdoutCapture&) = delete;

  // Restores std::cout and returns what was written meanwhile (once; later calls: "").
  std::string release();

 private:
  std::ostringstream buffer_;
  std::streambuf* saved_ = nullptr;
};

// The records of one run, in the order they were written: stdout lines in their order,
// with each sink record placed where its stdout copy is, or, when it has none, right
// before the next stdout line that is a later sink record (or at the end).
std::vector<Value> mergeLogRecords(const std::vector<Json>& sink, const std::string& stdoutText);

}  // namespace rwd::conformance
