// Flags loops over unordered containers whose body issues durable
// operations: the operation order (and so the positional ids) then depends
// on hash order.
#include "checks/determinism/unordered_iteration_check.hpp"

#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringSet.h"

namespace rwd::lint {
namespace {

constexpr const char* kContainerTypes =
    "::std::unordered_map;::std::unordered_set;::std::unordered_multimap;"
    "::std::unordered_multiset;::absl::flat_hash_map;::absl::flat_hash_set;"
    "::absl::node_hash_map;::absl::node_hash_set;::boost::unordered_map;"
    "::boost::unordered_set;::boost::unordered_flat_map;::boost::unordered_flat_set";

}  // namespace

struct UnorderedIterationCheck::Config {
  llvm::StringSet<> containers;
};

UnorderedIterationCheck::UnorderedIterationCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& type : splitList(option("ContainerTypes", kContainerTypes))) {
    config->containers.insert(type.rfind("::", 0) == 0 ? type : "::" + type);
  }
  config_ = std::move(config);
}

void UnorderedIterationCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  // The unordered container type of `expr`, or "".
  auto unorderedType = [&](const clang::Expr* expr) -> std::string {
    if (expr == nullptr) return "";
    clang::QualType type = expr->getType();
    if (type.isNull() || type->isDependentType()) return "";
    const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
    if (record == nullptr) return "";
    const std::string& name = model.qualifiedName(record);
    return config_->containers.contains(name) ? name.substr(2) : "";
  };
  // Iterator loops: `for (auto it = m.begin(); ...)`.
  auto iteratorLoopType = [&](const clang::ForStmt* loop) -> std::string {
    std::string found;
    model.forEachStmt(loop->getInit(), [&](const clang::Stmt* stmt) {
      const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt);
      if (!found.empty() || call == nullptr || call->getMethodDecl() == nullptr) return;
      llvm::StringRef method = call->getMethodDecl()->getName();
      if (method == "begin" || method == "cbegin") {
        found = unorderedType(call->getImplicitObjectArgument());
      }
    });
    return found;
  };

  CallChainFinder finder(
      model,
      [&model](const clang::Stmt* stmt) -> std::optional<CallChainFinder::Verdict> {
        std::optional<std::string> op = model.durableOperation(stmt);
        if (!op) return std::nullopt;
        return CallChainFinder::Verdict{*op, "durable operation"};
      },
      /*followIntoRoots=*/true);

  for (const clang::FunctionDecl* fn : model.orchestrationFunctions()) {
    model.forEachStmt(fn->getBody(), [&](const clang::Stmt* stmt) {
      std::string container;
      const clang::Stmt* body = nullptr;
      if (const auto* range = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt)) {
        container = unorderedType(range->getRangeInit());
        body = range->getBody();
      } else if (const auto* loop = llvm::dyn_cast<clang::ForStmt>(stmt)) {
        container = iteratorLoopType(loop);
        body = loop->getBody();
      }
      if (container.empty()) return;
      std::optional<CallChain> found;
      const clang::Stmt* site = nullptr;
      model.forEachStmt(body, [&](const clang::Stmt* inner) {
        if (found) return;
        found = finder.analyze(inner);
        if (found) site = inner;
      });
      if (!found) return;
      LintDiagnostic diag =
          diagnostic(stmt->getBeginLoc(), "loop over '" + container +
                                              "' issues durable operations in hash order, which can change "
                                              "between runs and breaks replay; iterate in a deterministic order "
                                              "(std::map, or a sorted copy of the keys)");
      diag.notes.push_back({site->getBeginLoc(), found->notes.empty()
                                                     ? "durable operation '" + found->offender + "' issued here"
                                                     : "'" + model.displayName(RewindModel::calleeOf(site)) +
                                                           "' issues durable operation '" + found->offender + "'"});
      for (const LintNote& note : found->notes) diag.notes.push_back(note);
      sink.report(std::move(diag));
    });
  }
}

}  // namespace rwd::lint
