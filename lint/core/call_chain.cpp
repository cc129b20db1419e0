// CallChainFinder: depth-limited, memoized, cycle-safe call following.
#include "core/call_chain.hpp"

#include <utility>

namespace rwd::lint {
namespace {
constexpr unsigned kMaxDepth = 16;
}  // namespace

struct CallChainFinder::Summary {
  std::optional<CallChain> chain;  // chain as seen from a call into the function
};

CallChainFinder::CallChainFinder(const RewindModel& model, Classifier classifier, bool followIntoRoots)
    : model_(model), classifier_(std::move(classifier)), followIntoRoots_(followIntoRoots) {}

CallChainFinder::~CallChainFinder() = default;

std::optional<CallChain> CallChainFinder::analyze(const clang::Stmt* stmt) { return analyzeAt(stmt, 0); }

std::optional<CallChain> CallChainFinder::analyzeAt(const clang::Stmt* stmt, unsigned depth) {
  if (!llvm::isa<clang::CallExpr, clang::CXXConstructExpr>(stmt)) {
    return std::nullopt;
  }
  if (std::optional<Verdict> verdict = classifier_(stmt)) {
    CallChain chain;
    chain.offender = verdict->offender;
    chain.category = verdict->category;
    chain.offendingCall = stmt;
    return chain;
  }
  const clang::FunctionDecl* callee = model_.followable(RewindModel::calleeOf(stmt), followIntoRoots_);
  if (callee == nullptr || depth >= kMaxDepth) return std::nullopt;
  const Summary* summary = summarize(callee, depth + 1);
  if (summary == nullptr || !summary->chain) return std::nullopt;
  return summary->chain;
}

const CallChainFinder::Summary* CallChainFinder::summarize(const clang::FunctionDecl* fn, unsigned depth) {
  auto found = summaries_.find(fn);
  if (found != summaries_.end()) return found->second.get();
  if (!inProgress_.insert(fn).second) return nullptr;  // recursion
  auto summary = std::make_unique<Summary>();
  model_.forEachStmtIn(fn, [&](const clang::Stmt* stmt) {
    if (summary->chain) return;
    std::optional<CallChain> inner = analyzeAt(stmt, depth);
    if (!inner) return;
    // The hop: `fn` calls the callee at `stmt`.
    std::string calleeName = inner->notes.empty() ? inner->offender : model_.displayName(RewindModel::calleeOf(stmt));
    CallChain chain = std::move(*inner);
    LintNote note;
    note.loc = stmt->getBeginLoc();
    if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
      note.loc = member->getExprLoc();
    }
    note.message = "'" + model_.displayName(fn) + "' calls '" + calleeName + "'";
    chain.notes.insert(chain.notes.begin(), std::move(note));
    summary->chain = std::move(chain);
  });
  inProgress_.erase(fn);
  const Summary* result = summary.get();
  summaries_[fn] = std::move(summary);
  return result;
}

}  // namespace rwd::lint
