// NolintIndex: parsed once per file; lookups are linear in the (few) rules.
#include "core/nolint.hpp"

#include <cctype>
#include <utility>

#include "core/glob_list.hpp"

namespace rwd::lint {
namespace {

enum class Kind { kLine, kNextLine, kBegin, kEnd };

struct Directive {
  Kind kind;
  unsigned column = 0;  // 1-based, of "NOLINT"
  std::optional<std::vector<std::string>> checks;
  std::string listText;  // as written, to pair BEGIN with END
};

std::vector<Directive> parseLine(std::string_view line) {
  std::vector<Directive> directives;
  size_t comment = line.find("//");
  size_t block = line.find("/*");
  if (block < comment) comment = block;
  if (comment == std::string_view::npos) return directives;
  size_t pos = comment;
  while ((pos = line.find("NOLINT", pos)) != std::string_view::npos) {
    Directive directive{Kind::kLine, static_cast<unsigned>(pos + 1), std::nullopt, ""};
    pos += 6;
    std::string_view rest = line.substr(pos);
    if (rest.rfind("NEXTLINE", 0) == 0) {
      directive.kind = Kind::kNextLine;
      pos += 8;
    } else if (rest.rfind("BEGIN", 0) == 0) {
      directive.kind = Kind::kBegin;
      pos += 5;
    } else if (rest.rfind("END", 0) == 0) {
      directive.kind = Kind::kEnd;
      pos += 3;
    }
    if (pos < line.size() && (std::isalnum(static_cast<unsigned char>(line[pos])) != 0 || line[pos] == '_')) {
      continue;  // NOLINTFOO is not a directive
    }
    if (pos < line.size() && line[pos] == '(') {
      size_t close = line.find(')', pos);
      if (close == std::string_view::npos) continue;
      directive.listText = std::string(line.substr(pos + 1, close - pos - 1));
      std::vector<std::string> checks;
      std::string current;
      for (char c : directive.listText + ",") {
        if (c == ',') {
          size_t b = current.find_first_not_of(" \t");
          size_t e = current.find_last_not_of(" \t");
          if (b != std::string::npos) checks.push_back(current.substr(b, e - b + 1));
          current.clear();
        } else {
          current += c;
        }
      }
      directive.checks = std::move(checks);
      pos = close + 1;
    }
    directives.push_back(std::move(directive));
  }
  return directives;
}

}  // namespace

NolintIndex::NolintIndex(std::string_view buffer) {
  struct Open {
    unsigned line;
    Directive directive;
  };
  std::vector<Open> open;
  unsigned lineNo = 0;
  size_t start = 0;
  while (start <= buffer.size()) {
    size_t end = buffer.find('\n', start);
    if (end == std::string_view::npos) end = buffer.size();
    ++lineNo;
    for (Directive& d : parseLine(buffer.substr(start, end - start))) {
      switch (d.kind) {
        case Kind::kLine:
          rules_.push_back({lineNo, lineNo, std::move(d.checks)});
          break;
        case Kind::kNextLine:
          rules_.push_back({lineNo + 1, lineNo + 1, std::move(d.checks)});
          break;
        case Kind::kBegin:
          open.push_back({lineNo, std::move(d)});
          break;
        case Kind::kEnd: {
          bool matched = false;
          for (auto it = open.rbegin(); it != open.rend(); ++it) {
            if (it->directive.listText == d.listText) {
              rules_.push_back({it->line, lineNo, std::move(it->directive.checks)});
              open.erase(std::next(it).base());
              matched = true;
              break;
            }
          }
          if (!matched) {
            problems_.push_back(
                {lineNo, d.column, "unmatched 'NOLINTEND' comment without a previous 'NOLINTBEGIN' comment"});
          }
          break;
        }
      }
    }
    if (end == buffer.size()) break;
    start = end + 1;
  }
  // An unmatched BEGIN suppresses nothing (as in clang-tidy) and is an error.
  for (const Open& unclosed : open) {
    problems_.push_back({unclosed.line, unclosed.directive.column,
                         "unmatched 'NOLINTBEGIN' comment without a subsequent 'NOLINTEND' comment"});
  }
}

bool NolintIndex::suppresses(unsigned line, std::string_view check) const {
  for (const Rule& rule : rules_) {
    if (line < rule.firstLine || line > rule.lastLine) continue;
    if (!rule.checks) return true;
    for (const std::string& glob : *rule.checks) {
      if (globMatch(glob, check)) return true;
    }
  }
  return false;
}

}  // namespace rwd::lint
