// CallChainFinder: follows calls into functions defined in the same TU to
// find an offending call (a clock read, a sleep, a durable operation), and
// describes the chain as notes ("'makeId' calls 'std::random_device::operator()'").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/check.hpp"
#include "core/rewind_model.hpp"

namespace rwd::lint {

// One offending call reached from a call site, directly or through callees.
struct CallChain {
  std::string offender;  // display name of the offending callee
  std::string category;  // classifier's category ("wall clock"...)
  const clang::Stmt* offendingCall = nullptr;
  std::vector<LintNote> notes;  // one per hop, outermost first; empty if direct
};

// Memoized per translation unit; not thread-safe.
class CallChainFinder {
 public:
  struct Verdict {
    std::string offender;
    std::string category;
  };
  // Says whether a call/construct expression is itself offending.
  using Classifier = std::function<std::optional<Verdict>(const clang::Stmt*)>;

  CallChainFinder(const RewindModel& model, Classifier classifier, bool followIntoRoots);
  ~CallChainFinder();

  // `stmt` is any statement; non-calls yield nullopt.
  std::optional<CallChain> analyze(const clang::Stmt* stmt);

 private:
  struct Summary;
  const Summary* summarize(const clang::FunctionDecl* fn, unsigned depth);
  std::optional<CallChain> analyzeAt(const clang::Stmt* stmt, unsigned depth);

  const RewindModel& model_;
  Classifier classifier_;
  bool followIntoRoots_;
  llvm::DenseMap<const clang::FunctionDecl*, std::unique_ptr<Summary>> summaries_;
  llvm::DenseSet<const clang::FunctionDecl*> inProgress_;
};

}  // namespace rwd::lint
