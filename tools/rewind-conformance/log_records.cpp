// Capturing stdout during a run, and merging its lines with the execution's log sink.
#include "log_records.hpp"

#include <iostream>

namespace rwd::conformance {

StdoutCapture::StdoutCapture() {
  std::cout.flush();
  saved_ = std::cout.rdbuf(buffer_.rdbuf());
}

StdoutCapture::~StdoutCapture() { release(); }

std::string StdoutCapture::release() {
  if (!saved_) return {};
  std::cout.flush();
  std::cout.rdbuf(saved_);
  saved_ = nullptr;
  return buffer_.str();
}

std::vector<Value> mergeLogRecords(const std::vector<Json>& sink, const std::string& stdoutText) {
  std::vector<Value> records;
  std::size_t next = 0;  // the first sink record not placed yet
  std::size_t start = 0;
  while (start < stdoutText.size()) {
    std::size_t end = stdoutText.find('\n', start);
    if (end == std::string::npos) end = stdoutText.size();
    std::string line = stdoutText.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    Json parsed = Json::parse(line, nullptr, false);
    Json record = parsed.is_object() ? std::move(parsed) : Json{{"message", line}};
    std::size_t copy = next;
    while (copy < sink.size() && !(sink[copy] == record)) ++copy;
    if (copy == sink.size()) {
      records.emplace_back(record);  // printed only
      continue;
    }
    // The sink records before its copy were not printed: they were written before it.
    for (; next <= copy; ++next) records.emplace_back(sink[next]);
  }
  for (; next < sink.size(); ++next) records.emplace_back(sink[next]);
  return records;
}

}  // namespace rwd::conformance
