// GlobList: wildcard matching without regexes (check names are short).
#include "core/glob_list.hpp"

namespace rwd::lint {

bool globMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

GlobList::GlobList(std::string_view globs) {
  std::string current;
  auto flush = [&] {
    size_t begin = current.find_first_not_of(" \t\r\n");
    size_t end = current.find_last_not_of(" \t\r\n");
    if (begin != std::string::npos) {
      std::string item = current.substr(begin, end - begin + 1);
      bool positive = item[0] != '-';
      if (!positive) item.erase(0, 1);
      if (!item.empty()) items_.push_back({positive, item});
    }
    current.clear();
  };
  for (char c : globs) {
    if (c == ',' || c == '\n') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
}

bool GlobList::contains(std::string_view name) const {
  bool result = false;
  for (const Item& item : items_) {
    if (globMatch(item.pattern, name)) result = item.positive;
  }
  return result;
}

}  // namespace rwd::lint
