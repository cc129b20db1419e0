// Check base class: option bookkeeping and diagnostic construction.
#include "core/check.hpp"

#include <utility>

namespace rwd::lint {

Check::Check(std::string name, const OptionReader& options) : name_(std::move(name)), reader_(options) {}

std::string Check::option(const std::string& key, const std::string& fallback) {
  std::string value = reader_.get(key).value_or(fallback);
  options_[key] = value;
  return value;
}

LintDiagnostic Check::diagnostic(clang::SourceLocation loc, std::string message) const {
  LintDiagnostic diag;
  diag.check = name_;
  diag.loc = loc;
  diag.message = std::move(message);
  return diag;
}

std::vector<std::string> splitList(std::string_view value) {
  std::vector<std::string> items;
  std::string current;
  auto flush = [&] {
    size_t begin = current.find_first_not_of(" \t\n");
    size_t end = current.find_last_not_of(" \t\n");
    if (begin != std::string::npos) {
      items.push_back(current.substr(begin, end - begin + 1));
    }
    current.clear();
  };
  for (char c : value) {
    if (c == ';' || c == ',') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return items;
}

}  // namespace rwd::lint
