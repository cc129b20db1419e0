// RewindModel: one RecursiveASTVisitor pass collects roots and step-like
// callbacks; everything else is computed on demand from the AST.
#include "core/rewind_model.hpp"

#include <algorithm>
#include <deque>

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallVector.h"

namespace rwd::lint {
namespace {

constexpr const char* kContextClass = "::rwd::DurableContext";

bool isStepLikeOperation(llvm::StringRef name) {
  return name == "step" || name == "stepWithRollback" || name == "waitForCallback" || name == "waitForCondition";
}

bool isInRwdNamespace(const clang::Decl* decl) {
  const clang::NamespaceDecl* outermost = nullptr;
  for (const clang::DeclContext* dc = decl->getDeclContext(); dc != nullptr; dc = dc->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(dc)) {
      outermost = ns;
    }
  }
  return outermost != nullptr && outermost->getName() == "rwd";
}

bool isLambdaCallOperator(const clang::FunctionDecl* fn) {
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(fn);
  return method != nullptr && method->getParent()->isLambda();
}

}  // namespace

// The single AST walk. Skips system headers and namespace rwd.
class ModelBuilder : public clang::RecursiveASTVisitor<ModelBuilder> {
 public:
  explicit ModelBuilder(RewindModel& model) : model_(model) {}

  bool TraverseDecl(clang::Decl* decl) {
    if (decl == nullptr) return true;
    if (!llvm::isa<clang::TranslationUnitDecl>(decl)) {
      if (model_.isInSystemHeader(decl->getLocation())) return true;
      if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(decl);
          ns != nullptr && ns->getName() == "rwd" && ns->getParent()->isTranslationUnit()) {
        return true;
      }
    }
    return RecursiveASTVisitor::TraverseDecl(decl);
  }

  bool VisitFunctionDecl(clang::FunctionDecl* fn) {
    if (fn->doesThisDeclarationHaveABody() && !isLambdaCallOperator(fn)) {
      addRootIfContextTaking(fn);
    }
    return true;
  }

  bool VisitLambdaExpr(clang::LambdaExpr* lambda) {
    addRootIfContextTaking(lambda->getCallOperator());
    return true;
  }

  bool VisitCXXMemberCallExpr(clang::CXXMemberCallExpr* call) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (method == nullptr || method->getIdentifier() == nullptr || !isStepLikeOperation(method->getName()) ||
        model_.qualifiedName(method->getParent()) != kContextClass) {
      return true;
    }
    std::string stepName;
    if (call->getNumArgs() > 0) {
      if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(
              call->getArg(0)->IgnoreParenImpCasts()->IgnoreUnlessSpelledInSource())) {
        stepName = literal->getString().str();
      }
    }
    for (const clang::Expr* arg : call->arguments()) {
      collectCallbacks(arg, call, method->getName().str(), stepName);
    }
    return true;
  }

 private:
  void addRootIfContextTaking(const clang::FunctionDecl* fn) {
    if (fn == nullptr || model_.contextParameter(fn) == nullptr) return;
    if (model_.rootSet_.insert(fn).second) model_.roots_.push_back(fn);
  }

  void addCallback(const clang::FunctionDecl* fn, const clang::LambdaExpr* lambda, const clang::CXXMemberCallExpr* call,
                   const std::string& op, const std::string& stepName) {
    if (fn == nullptr || !model_.stepCallbackSet_.insert(fn).second) return;
    model_.stepCallbacks_.push_back({fn, lambda, call, op, stepName});
  }

  // Finds lambdas and named functions in an argument subtree (through
  // std::function construction, braced {run, undo} initialisers, and a
  // local variable initialised with a lambda).
  void collectCallbacks(const clang::Stmt* stmt, const clang::CXXMemberCallExpr* call, const std::string& op,
                        const std::string& stepName) {
    if (stmt == nullptr) return;
    if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(stmt)) {
      addCallback(lambda->getCallOperator(), lambda, call, op, stepName);
      return;
    }
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt)) {
      if (const auto* fn = llvm::dyn_cast<clang::FunctionDecl>(ref->getDecl())) {
        const clang::FunctionDecl* def = nullptr;
        if (fn->hasBody(def)) addCallback(def, nullptr, call, op, stepName);
      } else if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) {
        if (var->isLocalVarDecl() && var->getInit() != nullptr) {
          if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(var->getInit()->IgnoreImplicit())) {
            addCallback(lambda->getCallOperator(), lambda, call, op, stepName);
          }
        }
      }
      return;
    }
    for (const clang::Stmt* child : stmt->children()) {
      collectCallbacks(child, call, op, stepName);
    }
  }

  RewindModel& model_;
};

RewindModel::RewindModel(clang::ASTContext& context) : context_(context) {
  ModelBuilder builder(*this);
  builder.TraverseDecl(context.getTranslationUnitDecl());
  // Roots that are also step callbacks (cannot happen with the real API,
  // but keep the two sets disjoint).
  roots_.erase(std::remove_if(roots_.begin(), roots_.end(),
                              [&](const clang::FunctionDecl* fn) { return stepCallbackSet_.contains(fn); }),
               roots_.end());
  for (const StepCallback& callback : stepCallbacks_) {
    rootSet_.erase(callback.function);
  }
}

bool RewindModel::isRoot(const clang::FunctionDecl* fn) const { return rootSet_.contains(fn); }

bool RewindModel::isStepCallback(const clang::FunctionDecl* fn) const { return stepCallbackSet_.contains(fn); }

bool RewindModel::isInSystemHeader(clang::SourceLocation loc) const {
  const clang::SourceManager& sm = sourceManager();
  return loc.isValid() && sm.isInSystemHeader(sm.getExpansionLoc(loc));
}

bool RewindModel::isDurableContextType(clang::QualType type) const {
  if (type.isNull()) return false;
  type = type.getNonReferenceType();
  if (type->isPointerType()) type = type->getPointeeType();
  const clang::CXXRecordDecl* record = type->getAsCXXRecordDecl();
  return record != nullptr && qualifiedName(record) == kContextClass;
}

const clang::ParmVarDecl* RewindModel::contextParameter(const clang::FunctionDecl* fn) const {
  if (fn == nullptr || isInRwdNamespace(fn)) return nullptr;
  for (const clang::ParmVarDecl* param : fn->parameters()) {
    clang::QualType type = param->getType();
    if ((type->isReferenceType() || type->isPointerType()) && isDurableContextType(type)) {
      return param;
    }
  }
  return nullptr;
}

const clang::FunctionDecl* RewindModel::calleeOf(const clang::Stmt* expr) {
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(expr)) {
    return call->getDirectCallee();
  }
  if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(expr)) {
    return construct->getConstructor();
  }
  return nullptr;
}

std::optional<std::string> RewindModel::durableOperation(const clang::Stmt* expr) const {
  const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(expr);
  if (call == nullptr) return std::nullopt;
  const clang::CXXMethodDecl* method = call->getMethodDecl();
  if (method == nullptr || method->getIdentifier() == nullptr || method->getName() == "logger" ||
      qualifiedName(method->getParent()) != kContextClass) {
    return std::nullopt;
  }
  return method->getName().str();
}

const std::string& RewindModel::qualifiedName(const clang::NamedDecl* decl) const {
  decl = llvm::cast<clang::NamedDecl>(decl->getCanonicalDecl());
  auto found = names_.find(decl);
  if (found != names_.end()) return found->second;
  llvm::SmallVector<std::string, 6> parts;
  if (llvm::isa<clang::CXXConstructorDecl>(decl)) {
    parts.push_back(llvm::cast<clang::CXXConstructorDecl>(decl)->getParent()->getNameAsString());
  } else {
    parts.push_back(decl->getNameAsString());
  }
  for (const clang::DeclContext* dc = decl->getDeclContext(); dc != nullptr; dc = dc->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(dc)) {
      if (ns->isInline() || ns->isAnonymousNamespace()) continue;
      parts.push_back(ns->getName().str());
    } else if (const auto* record = llvm::dyn_cast<clang::RecordDecl>(dc)) {
      parts.push_back(record->getIdentifier() != nullptr ? record->getName().str() : "(anonymous)");
    } else if (const auto* fn = llvm::dyn_cast<clang::FunctionDecl>(dc)) {
      parts.push_back(fn->getNameAsString());
    }
  }
  std::string name;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    name += "::";
    name += *it;
  }
  return names_[decl] = std::move(name);
}

std::string RewindModel::displayName(const clang::NamedDecl* decl) const {
  const clang::FunctionDecl* fn = llvm::dyn_cast<clang::FunctionDecl>(decl);
  if (fn != nullptr && isLambdaCallOperator(fn)) return "lambda";
  return qualifiedName(decl).substr(2);
}

const clang::FunctionDecl* RewindModel::followable(const clang::FunctionDecl* callee, bool includeRoots) const {
  if (callee == nullptr) return nullptr;
  const clang::FunctionDecl* def = nullptr;
  if (!callee->hasBody(def) || def == nullptr) return nullptr;
  if (isInSystemHeader(def->getLocation()) || isInRwdNamespace(def) || isLambdaCallOperator(def) ||
      isStepCallback(def)) {
    return nullptr;
  }
  if (!includeRoots && (isRoot(def) || contextParameter(def) != nullptr)) {
    return nullptr;
  }
  return def;
}

void RewindModel::forEachStmt(const clang::Stmt* body, llvm::function_ref<void(const clang::Stmt*)> visit) const {
  if (body == nullptr) return;
  visit(body);
  if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(body)) {
    for (const clang::Expr* init : lambda->capture_inits()) {
      forEachStmt(init, visit);
    }
    const clang::FunctionDecl* op = lambda->getCallOperator();
    if (!isStepCallback(op) && !isRoot(op)) forEachStmt(lambda->getBody(), visit);
    return;
  }
  for (const clang::Stmt* child : body->children()) forEachStmt(child, visit);
}

const std::vector<const clang::FunctionDecl*>& RewindModel::orchestrationFunctions() const {
  if (orchestration_) return *orchestration_;
  std::vector<const clang::FunctionDecl*> result(roots_.begin(), roots_.end());
  llvm::DenseSet<const clang::FunctionDecl*> seen(roots_.begin(), roots_.end());
  std::deque<const clang::FunctionDecl*> queue(roots_.begin(), roots_.end());
  while (!queue.empty()) {
    const clang::FunctionDecl* fn = queue.front();
    queue.pop_front();
    forEachStmt(fn->getBody(), [&](const clang::Stmt* stmt) {
      const clang::FunctionDecl* callee = followable(calleeOf(stmt), true);
      if (callee != nullptr && seen.insert(callee).second) {
        result.push_back(callee);
        queue.push_back(callee);
      }
    });
  }
  orchestration_ = std::move(result);
  return *orchestration_;
}

const clang::CXXRecordDecl* RewindModel::findRecord(const std::string& name) const {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  llvm::StringRef(name).split(parts, "::", -1, false);
  const clang::DeclContext* dc = context_.getTranslationUnitDecl();
  for (size_t i = 0; i < parts.size(); ++i) {
    clang::IdentifierInfo& id = context_.Idents.get(parts[i]);
    const clang::NamedDecl* next = nullptr;
    for (const clang::NamedDecl* decl : dc->lookup(&id)) {
      if (llvm::isa<clang::NamespaceDecl, clang::CXXRecordDecl>(decl)) {
        next = decl;
        break;
      }
    }
    if (next == nullptr) return nullptr;
    if (i + 1 == parts.size()) {
      const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(next);
      return record != nullptr && record->getDefinition() != nullptr ? record->getDefinition() : record;
    }
    dc = llvm::dyn_cast<clang::DeclContext>(next);
    if (dc == nullptr) return nullptr;
  }
  return nullptr;
}

}  // namespace rwd::lint
