// Finding: one reported problem in plain data (no Clang types), as the
// renderers (text, SARIF, export-fixes YAML) and the tests consume it.
#pragma once

#include <string>
#include <vector>

namespace rwd::lint {

struct SourcePosition {
  std::string file;      // absolute, normalised
  unsigned line = 0;     // 1-based
  unsigned column = 0;   // 1-based, in bytes
  unsigned offset = 0;   // byte offset in the file
  std::string lineText;  // the whole source line, without newline
};

struct Replacement {
  std::string file;
  unsigned offset = 0;
  unsigned length = 0;
  std::string text;
};

struct FindingNote {
  SourcePosition position;
  std::string message;
};

struct Finding {
  std::string check;
  SourcePosition position;
  std::string message;
  std::vector<FindingNote> notes;
  std::vector<Replacement> fixes;
  bool isError = false;  // promoted by --warnings-as-errors
};

}  // namespace rwd::lint
