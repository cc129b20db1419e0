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
          if (reported.contains(field) || isIgnored(field->getType())) continue;
          if (const clang::Stmt* mutation = analyzer.findMutation(member)) {
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
      if (const clang::Stmt* mutation = analyzer.findMutation(var)) {
        report(mutation, name, var);
      } else if (var->getType().getNonReferenceType()->isPointerType()) {
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
