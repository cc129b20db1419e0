// GlobList: clang-tidy's check filter syntax ("rewind-*,-rewind-step-*"):
// comma-separated globs, '-' negates, the last matching glob decides.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rwd::lint {

class GlobList {
 public:
  explicit GlobList(std::string_view globs);
  bool contains(std::string_view name) const;

 private:
  struct Item {
    bool positive;
    std::string pattern;
  };
  std::vector<Item> items_;
};

// Matches `text` against `pattern`, where '*' matches any run of characters.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace rwd::lint
