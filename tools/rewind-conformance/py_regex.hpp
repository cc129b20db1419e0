// A Python `re`-compatible regular expression (as the conformance files write them),
// compiled with PCRE2: inline flags such as (?i), named groups, Unicode classes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace rwd::conformance {

// Compiled once, searched many times. Matches like Python's re.search on a str:
// anywhere in the subject, UTF-8, Unicode-aware \w \d \s.
//
//   PyRegex re(R"((?i)^step-\d+$)");
//   re.search("STEP-12");  // true
//
// Thread-safety: search() may be called from several threads on one object.
class PyRegex {
 public:
  // Throws std::invalid_argument naming the pattern and PCRE2's complaint.
  explicit PyRegex(std::string_view pattern);
  ~PyRegex();
  PyRegex(PyRegex&&) noexcept;
  PyRegex& operator=(PyRegex&&) noexcept;
  PyRegex(const PyRegex&) = delete;
  PyRegex& operator=(const PyRegex&) = delete;

  // True when the pattern matches somewhere in `subject`. A subject that is not valid
  // UTF-8 never matches.
  bool search(std::string_view subject) const;
  // True when the pattern matches the whole of `subject` (Python's re.fullmatch).
  bool fullMatch(std::string_view subject) const;
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  struct Code;
  bool run(std::string_view subject, bool anchoredWhole) const;
  std::string pattern_;
  std::unique_ptr<Code> code_;
};

// Rewrites the few Python escapes PCRE2 reads differently (`\Z`: end of subject).
std::string pythonToPcre2(std::string_view pattern);

}  // namespace rwd::conformance
