// Check: the base class of every rewind-lint check, and the diagnostic types
// a check emits. Checks run over a RewindModel built once per translation unit.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

namespace rwd::lint {

class RewindModel;

// Reads a check's options by local key ("Functions"); the tool backs it with
// the config file, the clang-tidy plugin with clang-tidy's CheckOptions.
class OptionReader {
 public:
  virtual ~OptionReader() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
};

struct LintNote {
  clang::SourceLocation loc;
  std::string message;
};

// One finding as a check reports it, still in Clang's source coordinates.
struct LintDiagnostic {
  std::string check;
  clang::SourceLocation loc;
  std::string message;
  std::vector<LintNote> notes;
  std::vector<clang::FixItHint> fixes;
};

// Receives findings. Thread-compatible; one sink per translation unit run.
class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void report(LintDiagnostic diagnostic) = 0;
};

// A check: one class per concern, constructed with its options, run once per
// translation unit over the shared model (one AST walk serves all checks,
// which is what keeps rewind-lint within 1.3x of -fsyntax-only).
class Check {
 public:
  Check(std::string name, const OptionReader& options);
  virtual ~Check() = default;
  Check(const Check&) = delete;
  Check& operator=(const Check&) = delete;

  const std::string& name() const { return name_; }

  // Effective option values keyed by local name, for --dump-config.
  const std::map<std::string, std::string>& options() const { return options_; }

  virtual void check(const RewindModel& model, DiagnosticSink& sink) = 0;

 protected:
  // Reads option `key`, remembering the effective value for options().
  std::string option(const std::string& key, const std::string& fallback);
  LintDiagnostic diagnostic(clang::SourceLocation loc, std::string message) const;

 private:
  std::string name_;
  const OptionReader& reader_;
  std::map<std::string, std::string> options_;
};

// Splits a ';'- or ','-separated option value into trimmed, non-empty items.
std::vector<std::string> splitList(std::string_view value);

}  // namespace rwd::lint
