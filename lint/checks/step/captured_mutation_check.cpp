// Flags mutation of captured state inside step-like callbacks, using Clang's
// ExprMutationAnalyzer (assignments, ++/--, non-const member calls, passing
// to non-const references, writes through captured pointers and references).
#include "checks/step/captured_mutation_check.hpp"

#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringSet.h"

namespace rwd::lint {
namespace {

constexpr const char* kIgnoredTypes = "::rwd::DurableContext;::rwd::StepContext;::rwd::Logger";

void collectThisMembers(const clang::Stmt* stmt, std::vector<const clang::MemberExpr*>& out) {
  if (stmt == nullptr) return;
  if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(stmt)) {
    if (llvm::isa<clang::FieldDecl>(member->getMemberDecl()) &&
        llvm::isa<clang::CXXThisExpr>(member->getBase()->IgnoreParenImpCasts())) {
      out.push_back(member);
    }
  }
  for (const clang::Stmt* child : stmt->children()) collectThisMembers(child, out);
}

// Expressions that dereference `var`: *var, var->member, var[i].
void collectDerefs(const clang::Stmt* stmt, const clang::ValueDecl* var, std::vector<const clang::Expr*>& out) {
  if (stmt == nullptr) return;
  auto refersTo = [var](const clang::Expr* expr) {
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(expr->IgnoreParenImpCasts());
    return ref != nullptr && ref->getDecl() == var;
  };
  if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(stmt)) {
    if (unary->getOpcode() == clang::UO_Deref && refersTo(unary->getSubExpr())) {
      out.push_back(unary);
    }
  } else if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(stmt)) {
    if (member->isArrow() && refersTo(member->getBase())) out.push_back(member);
  } else if (const auto* subscript = llvm::dyn_cast<clang::ArraySubscriptExpr>(stmt)) {
    if (refersTo(subscript->getBase())) out.push_back(subscript);
  }
  for (const clang::Stmt* child : stmt->children()) collectDerefs(child, var, out);
}

// Calls that read an element through a non-const accessor: `v[i]`,
// `v.at(i)`, `v.front()`, `v.back()` on `object`. Not operator[] of a map,
// which inserts a missing key.
bool isElementAccess(const RewindModel& model, const clang::Stmt* mutation, const clang::Expr* object) {
  auto same = [object](const clang::Expr* expr) { return expr != nullptr && expr->IgnoreParenImpCasts() == object; };
  const clang::CXXMethodDecl* method = nullptr;
  const clang::Expr* base = nullptr;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(mutation)) {
    if (op->getOperator() != clang::OO_Subscript || op->getNumArgs() == 0) return false;
    method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(op->getDirectCallee());
    base = op->getArg(0);
  } else if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(mutation)) {
    method = call->getMethodDecl();
    if (method == nullptr || method->getIdentifier() == nullptr) return false;
    llvm::StringRef name = method->getName();
    if (name != "at" && name != "front" && name != "back") return false;
    base = call->getImplicitObjectArgument();
  } else {
    return false;
  }
  if (method == nullptr || !same(base) || !method->getReturnType()->isReferenceType()) return false;
  if (method->getOverloadedOperator() == clang::OO_Subscript) {
    const std::string& owner = model.qualifiedName(method->getParent());
    if (owner == "::std::map" || owner == "::std::unordered_map" || owner == "::absl::flat_hash_map" ||
        owner == "::absl::node_hash_map" || owner == "::boost::unordered_map") {
      return false;
    }
  }
  return true;
}

// The first write to `expr` in the analyzed body: a mutation, except an
// element read through a non-const accessor whose result is not itself
// written (assigned to, bound to a non-const reference, mutated).
const clang::Stmt* findWrite(clang::ExprMutationAnalyzer& analyzer, const RewindModel& model, const clang::Expr* expr) {
  const clang::Stmt* mutation = analyzer.findMutation(expr);
  if (mutation == nullptr) return nullptr;
  if (isElementAccess(model, mutation, expr)) {
    return analyzer.findMutation(llvm::cast<clang::Expr>(mutation));
  }
  return mutation;
}

// Every reference to `var` under `stmt`.
void collectRefs(const clang::Stmt* stmt, const clang::ValueDecl* var, std::vector<const clang::DeclRefExpr*>& out) {
  if (stmt == nullptr) return;
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt); ref != nullptr && ref->getDecl() == var) {
    out.push_back(ref);
  }
  for (const clang::Stmt* child : stmt->children()) collectRefs(child, var, out);
}

bool isConstObject(clang::QualType type) {
  type = type.getNonReferenceType();
  return type.isConstQualified() && !type->isPointerType();
}

}  // namespace

struct CapturedMutationCheck::Config {
  llvm::StringSet<> ignoredTypes;
};

CapturedMutationCheck::CapturedMutationCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& type : splitList(option("IgnoredTypes", kIgnoredTypes))) {
    config->ignoredTypes.insert(type.rfind("::", 0) == 0 ? type : "::" + type);
  }
  config_ = std::move(config);
}

void CapturedMutationCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  auto isIgnored = [&](clang::QualType type) {
    type = type.getNonReferenceType();
    if (type->isPointerType()) type = type->getPointeeType();
    const clang::CXXRecordDecl* record = type->getAsCXXRecordDecl();
    return record != nullptr && config_->ignoredTypes.contains(model.qualifiedName(record));
  };
  for (const StepCallback& callback : model.stepCallbacks()) {
    if (callback.lambda == nullptr || callback.lambda->getBody() == nullptr) continue;
    // A template's pattern: its instantiations are analysed instead (the
    // analyzer treats every dependent call as a mutation).
    if (callback.function->isDependentContext()) continue;
    const clang::Stmt& body = *callback.lambda->getBody();
    clang::ExprMutationAnalyzer analyzer(body, model.astContext());
    std::string where =
        "a " + callback.operation + (callback.stepName.empty() ? "" : " '" + callback.stepName + "'") + " callback";
    auto report = [&](const clang::Stmt* mutation, const std::string& what, const clang::NamedDecl* decl) {
      LintDiagnostic diag = diagnostic(mutation->getBeginLoc(),
                                       what + " is mutated inside " + where +
                                           "; the callback runs again on retry and not at all on replay, so "
                                           "the change is repeated or lost: return the value from the step instead");
      if (decl != nullptr) {
        diag.notes.push_back({decl->getLocation(), "'" + decl->getNameAsString() + "' is declared here"});
      }
      sink.report(std::move(diag));
    };
    for (const clang::LambdaCapture& capture : callback.lambda->captures()) {
      if (capture.capturesThis()) {
        std::vector<const clang::MemberExpr*> members;
        collectThisMembers(&body, members);
        llvm::DenseSet<const clang::ValueDecl*> reported;
        for (const clang::MemberExpr* member : members) {
          const clang::ValueDecl* field = member->getMemberDecl();
          if (reported.contains(field) || isIgnored(field->getType()) || isConstObject(field->getType())) continue;
          if (const clang::Stmt* mutation = findWrite(analyzer, model, member)) {
            reported.insert(field);
            report(mutation, "member '" + field->getNameAsString() + "' of captured 'this'", field);
          }
        }
        continue;
      }
      if (!capture.capturesVariable()) continue;
      const clang::ValueDecl* var = capture.getCapturedVar();
      if (var == nullptr || isIgnored(var->getType())) continue;
      std::string name = "captured '" + var->getNameAsString() + "'";
      // A const object captured by reference cannot be mutated through it.
      const clang::Stmt* mutation = nullptr;
      if (!isConstObject(var->getType())) {
        std::vector<const clang::DeclRefExpr*> refs;
        collectRefs(&body, var, refs);
        for (const clang::DeclRefExpr* ref : refs) {
          if ((mutation = findWrite(analyzer, model, ref)) != nullptr) break;
        }
      }
      if (mutation != nullptr) {
        report(mutation, name, var);
        continue;
      }
      clang::QualType type = var->getType().getNonReferenceType();
      if (type->isPointerType() && !type->getPointeeType().isConstQualified()) {
        // Writes through the pointer: is `*p` / `p->m` / `p[i]` mutated?
        std::vector<const clang::Expr*> derefs;
        collectDerefs(&body, var, derefs);
        for (const clang::Expr* deref : derefs) {
          if (const clang::Stmt* write = analyzer.findMutation(deref)) {
            report(write, "the object pointed to by " + name, var);
            break;
          }
        }
      }
    }
  }
}

}  // namespace rwd::lint
