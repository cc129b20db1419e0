// Flags loops over unordered containers whose body issues durable
// operations: the operation order (and so the positional ids) then depends
// on hash order.
#include "checks/determinism/unordered_iteration_check.hpp"

#include <functional>

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

constexpr const char* kAlgorithms =
    "::std::for_each;::std::for_each_n;::std::transform;::std::accumulate;::std::generate;"
    "::std::ranges::for_each;::std::ranges::for_each_n;::std::ranges::transform";

// What an algorithm call invokes: a function, or a niebloid object
// (`std::ranges::for_each` is a variable whose operator() is called).
const clang::NamedDecl* algorithmOf(const clang::CallExpr* call) {
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(call)) {
    if (op->getOperator() != clang::OO_Call || op->getNumArgs() == 0) return nullptr;
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(op->getArg(0)->IgnoreParenImpCasts());
    return ref != nullptr ? llvm::dyn_cast<clang::VarDecl>(ref->getDecl()) : nullptr;
  }
  if (llvm::isa<clang::CXXMemberCallExpr>(call)) return nullptr;
  return call->getDirectCallee();
}

}  // namespace

struct UnorderedIterationCheck::Config {
  llvm::StringSet<> containers;
  llvm::StringSet<> algorithms;
};

UnorderedIterationCheck::UnorderedIterationCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& type : splitList(option("ContainerTypes", kContainerTypes))) {
    config->containers.insert(type.rfind("::", 0) == 0 ? type : "::" + type);
  }
  for (const std::string& algorithm : splitList(option("Algorithms", kAlgorithms))) {
    config->algorithms.insert(algorithm.rfind("::", 0) == 0 ? algorithm : "::" + algorithm);
  }
  config_ = std::move(config);
}

void UnorderedIterationCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  // The unordered container type of `expr`, or "".
  // A range adaptor over such a container (`m | std::views::keys`,
  // `std::views::filter(m, f)`: a std::ranges view whose template arguments
  // name it) iterates it in the same order.
  std::function<std::string(clang::QualType, unsigned)> unorderedOf = [&](clang::QualType type,
                                                                          unsigned depth) -> std::string {
    if (type.isNull() || type->isDependentType() || depth > 4) return "";
    const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
    if (record == nullptr) return "";
    const std::string& name = model.qualifiedName(record);
    if (config_->containers.contains(name)) return name.substr(2);
    const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(record);
    // An ordered container keyed by pointers is ordered by address, which
    // differs between processes just like a hash.
    if (spec != nullptr && (name == "::std::set" || name == "::std::map" || name == "::std::multiset" ||
                            name == "::std::multimap")) {
      const clang::TemplateArgumentList& args = spec->getTemplateArgs();
      if (args.size() > 0 && args[0].getKind() == clang::TemplateArgument::Type &&
          args[0].getAsType()->isPointerType()) {
        return name.substr(2) + " keyed by pointer";
      }
    }
    if (spec == nullptr || !llvm::StringRef(name).startswith("::std::ranges::")) return "";
    for (const clang::TemplateArgument& arg : spec->getTemplateArgs().asArray()) {
      if (arg.getKind() != clang::TemplateArgument::Type) continue;
      std::string inner = unorderedOf(arg.getAsType(), depth + 1);
      if (!inner.empty()) return inner;
    }
    return "";
  };
  auto unorderedType = [&](const clang::Expr* expr) -> std::string {
    if (expr == nullptr) return "";
    return unorderedOf(expr->getType(), 0);
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
        // Awaiting a callback handle reuses the id it was created with.
        if (!op || *op == "result") return std::nullopt;
        return CallChainFinder::Verdict{*op, "durable operation"};
      },
      /*followIntoRoots=*/true);

  // The unordered container an algorithm argument iterates: `m.begin()`,
  // `std::begin(m)`, or the range `m` itself.
  std::function<std::string(const clang::Expr*)> iteratedContainer = [&](const clang::Expr* arg) -> std::string {
    arg = arg->IgnoreImplicit()->IgnoreParens();
    if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(arg); construct != nullptr) {
      if (construct->getNumArgs() == 1) return iteratedContainer(construct->getArg(0));
    }
    if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(arg)) {
      const clang::CXXMethodDecl* method = member->getMethodDecl();
      if (method != nullptr && method->getIdentifier() != nullptr &&
          (method->getName() == "begin" || method->getName() == "cbegin")) {
        return unorderedType(member->getImplicitObjectArgument());
      }
      return "";
    }
    if (const auto* call = llvm::dyn_cast<clang::CallExpr>(arg)) {
      const clang::FunctionDecl* callee = call->getDirectCallee();
      if (callee != nullptr && call->getNumArgs() == 1 &&
          (model.qualifiedName(callee) == "::std::begin" || model.qualifiedName(callee) == "::std::cbegin")) {
        return unorderedType(call->getArg(0));
      }
      return "";
    }
    return unorderedType(arg);
  };

  // The first durable operation issued under `stmt` (a function argument:
  // a lambda, a stored lambda, a function), and where.
  auto firstDurable = [&](const clang::Stmt* body, const clang::Stmt*& site) -> std::optional<CallChain> {
    std::optional<CallChain> found;
    model.forEachStmt(body, [&](const clang::Stmt* inner) {
      if (found) return;
      found = finder.analyze(inner);
      if (found) {
        site = inner;
        return;
      }
      // A function of a DurableContext created per element (a parallel
      // branch, a child body): the operations it issues are ordered like
      // the loop.
      if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(inner);
          lambda != nullptr && model.isRoot(lambda->getCallOperator())) {
        model.forEachStmt(lambda->getBody(), [&](const clang::Stmt* nested) {
          if (found) return;
          found = finder.analyze(nested);
          if (found) site = nested;
        });
      }
    });
    return found;
  };
  auto functionArgumentBody = [&](const clang::Expr* arg) -> const clang::Stmt* {
    arg = arg->IgnoreImplicit()->IgnoreParens();
    if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(arg); construct != nullptr) {
      if (construct->getNumArgs() == 1) arg = construct->getArg(0)->IgnoreImplicit()->IgnoreParens();
    }
    if (llvm::isa<clang::LambdaExpr>(arg)) return arg;
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(arg);
    if (ref == nullptr) return nullptr;
    if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) {
      if (var->isLocalVarDecl() && var->getInit() != nullptr) {
        if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(var->getInit()->IgnoreImplicit())) {
          return lambda->getBody();
        }
      }
      return nullptr;
    }
    if (const auto* fn = llvm::dyn_cast<clang::FunctionDecl>(ref->getDecl())) {
      const clang::FunctionDecl* def = model.followable(fn, /*includeRoots=*/true);
      return def != nullptr ? def->getBody() : nullptr;
    }
    return nullptr;
  };

  auto report = [&](const clang::Stmt* at, const std::string& what, const clang::Stmt* site, const CallChain& found) {
    bool byAddress = what.find("keyed by pointer") != std::string::npos;
    LintDiagnostic diag =
        diagnostic(at->getBeginLoc(), what + " issues durable operations in " +
                                          (byAddress ? "address order" : "hash order") +
                                          ", which can "
                                          "change between runs and breaks replay; iterate in a "
                                          "deterministic order (std::map, or a sorted copy of the keys)");
    diag.notes.push_back({site->getBeginLoc(), found.notes.empty()
                                                   ? "durable operation '" + found.offender + "' issued here"
                                                   : "'" + model.displayName(RewindModel::calleeOf(site)) +
                                                         "' issues durable operation '" + found.offender + "'"});
    for (const LintNote& note : found.notes) diag.notes.push_back(note);
    sink.report(std::move(diag));
  };

  for (const clang::FunctionDecl* fn : model.orchestrationFunctions()) {
    model.forEachStmtIn(fn, [&](const clang::Stmt* stmt) {
      if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
        const clang::NamedDecl* algorithm = algorithmOf(call);
        if (algorithm == nullptr || !config_->algorithms.contains(model.qualifiedName(algorithm))) return;
        unsigned first = llvm::isa<clang::CXXOperatorCallExpr>(call) ? 1 : 0;
        std::string container;
        for (unsigned i = first; i < call->getNumArgs() && container.empty(); ++i) {
          container = iteratedContainer(call->getArg(i));
        }
        if (container.empty()) return;
        for (unsigned i = first; i < call->getNumArgs(); ++i) {
          const clang::Stmt* body = functionArgumentBody(call->getArg(i));
          if (body == nullptr) continue;
          const clang::Stmt* site = nullptr;
          if (std::optional<CallChain> found = firstDurable(body, site)) {
            report(call, "'" + model.displayName(algorithm) + "' over '" + container + "'", site, *found);
            return;
          }
        }
        return;
      }
      std::string container;
      const clang::Stmt* body = nullptr;
      if (const auto* range = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt)) {
        container = unorderedType(range->getRangeInit());
        body = range->getBody();
      } else if (const auto* loop = llvm::dyn_cast<clang::ForStmt>(stmt)) {
        container = iteratorLoopType(loop);
        body = loop->getBody();
      } else if (const auto* loop = llvm::dyn_cast<clang::WhileStmt>(stmt)) {
        // `while (it != m.end()) { ...; ++it; }`
        model.forEachStmt(loop->getCond(), [&](const clang::Stmt* inner) {
          const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(inner);
          if (!container.empty() || call == nullptr || call->getMethodDecl() == nullptr ||
              call->getMethodDecl()->getIdentifier() == nullptr) {
            return;
          }
          llvm::StringRef method = call->getMethodDecl()->getName();
          if (method == "end" || method == "cend") container = unorderedType(call->getImplicitObjectArgument());
        });
        body = loop->getBody();
      }
      if (container.empty()) return;
      const clang::Stmt* site = nullptr;
      if (std::optional<CallChain> found = firstDurable(body, site)) {
        report(stmt, "loop over '" + container + "'", site, *found);
      }
    });
  }
}

}  // namespace rwd::lint
