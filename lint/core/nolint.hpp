// NolintIndex: clang-tidy's suppression comments for one file — NOLINT,
// NOLINTNEXTLINE, NOLINTBEGIN/NOLINTEND, each with an optional check list
// "(rewind-step-*,rewind-suspension-swallowed)".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwd::lint {

class NolintIndex {
 public:
  explicit NolintIndex(std::string_view buffer);

  // True when a finding of `check` on 1-based `line` is suppressed.
  bool suppresses(unsigned line, std::string_view check) const;

  // A NOLINTBEGIN without its NOLINTEND (which then suppresses nothing) or
  // a NOLINTEND without its NOLINTBEGIN: an error, as in clang-tidy.
  struct Problem {
    unsigned line;    // 1-based
    unsigned column;  // 1-based, in bytes
    std::string message;
  };
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  struct Rule {
    unsigned firstLine;
    unsigned lastLine;
    std::optional<std::vector<std::string>> checks;  // nullopt: every check
  };
  std::vector<Rule> rules_;
  std::vector<Problem> problems_;
};

}  // namespace rwd::lint
