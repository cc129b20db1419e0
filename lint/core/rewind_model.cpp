// RewindModel: one RecursiveASTVisitor pass collects roots and step-like
// callbacks; everything else is computed on demand from the AST.
#include "core/rewind_model.hpp"

#include <algorithm>
#include <deque>

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallVector.h"

namespace rwd::lint {
namespace {

constexpr const char* kContextClass = "::rwd::DurableContext";
constexpr const char* kCallbackHandleClass = "::rwd::CallbackHandle";

bool isStepLikeOperation(llvm::StringRef name) {
  return name == "step" || name == "stepWithRollback" || name == "waitForCallback" || name == "waitForCondition";
}

// DurableContext members that issue no operation.
bool isAccessor(llvm::StringRef name) {
  return name == "logger" || name == "stepIdPrefix" || name == "registeredCompensations";
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

// The single AST walk (template instantiations included). Skips system
// headers and namespace rwd.
class ModelBuilder : public clang::RecursiveASTVisitor<ModelBuilder> {
 public:
  explicit ModelBuilder(RewindModel& model) : model_(model) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

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
    if (!fn->doesThisDeclarationHaveABody() || isLambdaCallOperator(fn)) return true;
    addRootIfContextTaking(fn);
    if (model_.contextParameter(fn) == nullptr && model_.workflowField(fn) != nullptr) {
      workflowMethods_.push_back(fn);
    }
    return true;
  }

  bool VisitLambdaExpr(clang::LambdaExpr* lambda) {
    addRootIfContextTaking(lambda->getCallOperator());
    // A generic lambda (`[](auto& ctx) {...}`) is a root through its
    // instantiations; their bodies are implicit code, walked here.
    if (lambda->isGenericLambda()) {
      if (const clang::FunctionTemplateDecl* pattern = lambda->getDependentCallOperator()) {
        for (clang::FunctionDecl* spec : pattern->specializations()) {
          if (model_.contextParameter(spec) == nullptr || !spec->hasBody()) continue;
          addRootIfContextTaking(spec);
          model_.genericRootPatterns_.insert(lambda->getCallOperator());
          TraverseStmt(spec->getBody());
        }
      }
    }
    return true;
  }

  bool VisitVarDecl(clang::VarDecl* var) {
    if (var->isLocalVarDecl() && var->getInit() != nullptr) {
      if (const clang::LambdaExpr* lambda = storedLambda(var->getInit())) storedLambdas_.push_back({var, lambda});
    }
    return true;
  }

  bool VisitDeclRefExpr(clang::DeclRefExpr* ref) {
    if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()); var != nullptr && var->isLocalVarDecl()) {
      varRefs_[var].push_back(ref);
    }
    return true;
  }

  bool VisitCallExpr(clang::CallExpr* call) {
    std::optional<std::string> op = model_.durableOperation(call);
    if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(call)) {
      if (const clang::CXXMethodDecl* method = member->getMethodDecl();
          method != nullptr && model_.workflowField(method) != nullptr) {
        methodCalls_[method->getCanonicalDecl()].push_back(call);
      }
    }
    if (!op || !isStepLikeOperation(*op)) return true;
    std::string stepName;
    if (call->getNumArgs() > 0) {
      if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(
              call->getArg(0)->IgnoreParenImpCasts()->IgnoreUnlessSpelledInSource())) {
        stepName = literal->getString().str();
      }
    }
    for (const clang::Expr* arg : call->arguments()) {
      collectCallbacks(arg, call, *op, stepName);
    }
    return true;
  }

  // After the walk: lambdas stored in variables and workflow methods that
  // are used only inside step code become step code themselves; the other
  // workflow methods become roots.
  void finish() {
    llvm::DenseMap<const clang::Stmt*, size_t> inStep;  // DeclRefExpr / call -> step callback index
    size_t walked = 0;
    auto walkNewCallbacks = [&] {
      for (; walked < model_.stepCallbacks_.size(); ++walked) {
        size_t index = walked;
        const clang::Stmt* body = model_.stepCallbacks_[index].function->getBody();
        model_.forEachStmt(body, [&](const clang::Stmt* stmt) {
          if (llvm::isa<clang::DeclRefExpr, clang::CXXMemberCallExpr>(stmt)) inStep.try_emplace(stmt, index);
        });
      }
    };
    // The callback index when every use in `uses` lies in step code (and
    // there is one), else nullopt. Uses inside `self` do not count.
    auto onlyInSteps = [&](const std::vector<const clang::Stmt*>& uses,
                           const clang::Stmt* self) -> std::optional<size_t> {
      std::optional<size_t> first;
      for (const clang::Stmt* use : uses) {
        if (self != nullptr && contains(self, use)) continue;
        auto found = inStep.find(use);
        if (found == inStep.end()) return std::nullopt;
        if (!first) first = found->second;
      }
      return first;
    };
    std::vector<bool> doneLambda(storedLambdas_.size(), false);
    std::vector<bool> doneMethod(workflowMethods_.size(), false);
    for (bool changed = true; changed;) {
      changed = false;
      walkNewCallbacks();
      for (size_t i = 0; i < storedLambdas_.size(); ++i) {
        const auto& [var, lambda] = storedLambdas_[i];
        const clang::FunctionDecl* op = lambda->getCallOperator();
        if (doneLambda[i] || model_.isStepCallback(op) || model_.isRoot(op)) continue;
        std::vector<const clang::Stmt*> uses(varRefs_[var].begin(), varRefs_[var].end());
        if (std::optional<size_t> index = onlyInSteps(uses, lambda->getBody())) {
          StepCallback owner = model_.stepCallbacks_[*index];
          addCallback(op, lambda, owner.call, owner.operation, owner.stepName);
          doneLambda[i] = changed = true;
        }
      }
      for (size_t i = 0; i < workflowMethods_.size(); ++i) {
        const clang::FunctionDecl* method = workflowMethods_[i];
        if (doneMethod[i] || model_.isStepCallback(method)) continue;
        auto calls = methodCalls_.find(method->getCanonicalDecl());
        if (calls == methodCalls_.end()) continue;
        std::vector<const clang::Stmt*> uses(calls->second.begin(), calls->second.end());
        if (std::optional<size_t> index = onlyInSteps(uses, method->getBody())) {
          StepCallback owner = model_.stepCallbacks_[*index];
          addCallback(method, nullptr, owner.call, owner.operation, owner.stepName);
          doneMethod[i] = changed = true;
        }
      }
    }
    for (const clang::FunctionDecl* method : workflowMethods_) {
      if (!model_.isStepCallback(method) && model_.rootSet_.insert(method).second) model_.roots_.push_back(method);
    }
  }

 private:
  static bool contains(const clang::Stmt* outer, const clang::Stmt* inner) {
    clang::SourceRange range = outer->getSourceRange();
    clang::SourceLocation loc = inner->getBeginLoc();
    return range.isValid() && loc.isValid() && !(loc < range.getBegin()) && !(range.getEnd() < loc);
  }

  static const clang::LambdaExpr* storedLambda(const clang::Expr* init) {
    init = init->IgnoreImplicit();
    if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(init)) return lambda;
    // std::function<...> f = [&] {...};
    if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(init); construct != nullptr) {
      if (construct->getNumArgs() == 1) {
        return llvm::dyn_cast<clang::LambdaExpr>(construct->getArg(0)->IgnoreImplicit());
      }
    }
    return nullptr;
  }

  void addRootIfContextTaking(const clang::FunctionDecl* fn) {
    if (fn == nullptr || model_.contextParameter(fn) == nullptr) return;
    if (model_.rootSet_.insert(fn).second) model_.roots_.push_back(fn);
  }

  void addCallback(const clang::FunctionDecl* fn, const clang::LambdaExpr* lambda, const clang::CallExpr* call,
                   const std::string& op, const std::string& stepName) {
    if (fn == nullptr || !model_.stepCallbackSet_.insert(fn).second) return;
    model_.stepCallbacks_.push_back({fn, lambda, call, op, stepName});
  }

  // Finds lambdas and named functions in an argument subtree (through
  // std::function construction, braced {run, undo} initialisers, and a
  // local variable initialised with a lambda).
  void collectCallbacks(const clang::Stmt* stmt, const clang::CallExpr* call, const std::string& op,
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
          if (const clang::LambdaExpr* lambda = storedLambda(var->getInit())) {
            addCallback(lambda->getCallOperator(), lambda, call, op, stepName);
          }
        }
      }
      return;
    }
    // A step body made by a factory defined here (`ctx.step("draw",
    // makeDraw(6))`): the lambdas the factory returns are the step body.
    if (const auto* factoryCall = llvm::dyn_cast<clang::CallExpr>(stmt);
        factoryCall != nullptr && !llvm::isa<clang::CXXMemberCallExpr, clang::CXXOperatorCallExpr>(factoryCall)) {
      const clang::FunctionDecl* factory = factoryCall->getDirectCallee();
      const clang::FunctionDecl* def = nullptr;
      if (factory != nullptr && factory->hasBody(def) && def != nullptr && !model_.isInSystemHeader(def->getLocation()) &&
          model_.contextParameter(def) == nullptr) {
        collectReturnedLambdas(def->getBody(), call, op, stepName);
      }
    }
    for (const clang::Stmt* child : stmt->children()) {
      collectCallbacks(child, call, op, stepName);
    }
  }

  void collectReturnedLambdas(const clang::Stmt* stmt, const clang::CallExpr* call, const std::string& op,
                              const std::string& stepName) {
    if (stmt == nullptr || llvm::isa<clang::LambdaExpr>(stmt)) return;
    if (const auto* ret = llvm::dyn_cast<clang::ReturnStmt>(stmt)) {
      if (ret->getRetValue() != nullptr) {
        if (const clang::LambdaExpr* lambda = storedLambda(ret->getRetValue())) {
          addCallback(lambda->getCallOperator(), lambda, call, op, stepName);
        }
      }
      return;
    }
    for (const clang::Stmt* child : stmt->children()) collectReturnedLambdas(child, call, op, stepName);
  }

  RewindModel& model_;
  std::vector<std::pair<const clang::VarDecl*, const clang::LambdaExpr*>> storedLambdas_;
  llvm::DenseMap<const clang::VarDecl*, std::vector<const clang::DeclRefExpr*>> varRefs_;
  std::vector<const clang::FunctionDecl*> workflowMethods_;
  llvm::DenseMap<const clang::FunctionDecl*, std::vector<const clang::CallExpr*>> methodCalls_;
};

RewindModel::RewindModel(clang::ASTContext& context) : context_(context) {
  ModelBuilder builder(*this);
  builder.TraverseDecl(context.getTranslationUnitDecl());
  builder.finish();
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

const clang::FieldDecl* RewindModel::contextField(const clang::CXXRecordDecl* record) const {
  if (record == nullptr) return nullptr;
  record = record->getDefinition();
  if (record == nullptr || record->isLambda()) return nullptr;
  auto found = contextFields_.find(record);
  if (found != contextFields_.end()) return found->second;
  const clang::FieldDecl* field = nullptr;
  if (!isInRwdNamespace(record)) {
    for (const clang::FieldDecl* candidate : record->fields()) {
      clang::QualType type = candidate->getType();
      if ((type->isReferenceType() || type->isPointerType()) && isDurableContextType(type)) {
        field = candidate;
        break;
      }
    }
  }
  return contextFields_[record] = field;
}

const clang::FieldDecl* RewindModel::workflowField(const clang::FunctionDecl* fn) const {
  const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(fn);
  if (method == nullptr || method->isStatic() ||
      llvm::isa<clang::CXXConstructorDecl, clang::CXXDestructorDecl>(method) || method->getParent()->isLambda()) {
    return nullptr;
  }
  return contextField(method->getParent());
}

std::string RewindModel::contextAccess(const clang::FunctionDecl* fn) const {
  if (const clang::ParmVarDecl* param = contextParameter(fn)) {
    if (param->getName().empty()) return "";
    return param->getName().str() + (param->getType()->isPointerType() ? "->" : ".");
  }
  if (const clang::FieldDecl* field = workflowField(fn)) {
    if (field->getName().empty()) return "";
    return field->getName().str() + (field->getType()->isPointerType() ? "->" : ".");
  }
  return "";
}

bool RewindModel::isSeparateLambda(const clang::LambdaExpr* lambda) const {
  const clang::FunctionDecl* op = lambda->getCallOperator();
  return isStepCallback(op) || isRoot(op) || genericRootPatterns_.contains(op);
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
  if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(expr)) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (method == nullptr || method->getIdentifier() == nullptr || isAccessor(method->getName())) {
      return std::nullopt;
    }
    const std::string& owner = qualifiedName(method->getParent());
    // Awaiting a callback created with createCallback suspends like a wait.
    if (owner == kCallbackHandleClass && method->getName() == "result") return std::string("result");
    if (owner != kContextClass) return std::nullopt;
    return method->getName().str();
  }
  // A dependent call inside a template: `ctx.step(name, fn)` whose arguments
  // depend on a template parameter is an unresolved member call.
  const auto* call = llvm::dyn_cast<clang::CallExpr>(expr);
  if (call == nullptr || llvm::isa<clang::CXXOperatorCallExpr>(call) || call->getCallee() == nullptr) {
    return std::nullopt;
  }
  const clang::Expr* callee = call->getCallee()->IgnoreParenImpCasts();
  clang::DeclarationName member;
  clang::QualType baseType;
  if (const auto* unresolved = llvm::dyn_cast<clang::UnresolvedMemberExpr>(callee)) {
    member = unresolved->getMemberName();
    baseType = unresolved->getBaseType();
  } else if (const auto* dependent = llvm::dyn_cast<clang::CXXDependentScopeMemberExpr>(callee)) {
    member = dependent->getMember();
    baseType = dependent->getBaseType();
  } else {
    return std::nullopt;
  }
  if (!member.isIdentifier() || isAccessor(member.getAsString()) || baseType.isNull() || baseType->isDependentType() ||
      !isDurableContextType(baseType)) {
    return std::nullopt;
  }
  return member.getAsString();
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

std::string RewindModel::writtenCallee(const clang::Stmt* stmt) const {
  const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
  if (call == nullptr || llvm::isa<clang::CXXOperatorCallExpr, clang::CXXMemberCallExpr>(call)) return "";
  const auto* ref = llvm::dyn_cast_or_null<clang::DeclRefExpr>(call->getCallee()->IgnoreParenImpCasts());
  if (ref == nullptr || ref->getBeginLoc().isMacroID() || ref->getEndLoc().isMacroID()) return "";
  clang::SourceLocation end = ref->getLocation();  // the name, without template arguments
  llvm::StringRef text = clang::Lexer::getSourceText(clang::CharSourceRange::getTokenRange(ref->getBeginLoc(), end),
                                                     sourceManager(), context_.getLangOpts());
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

const clang::FunctionDecl* RewindModel::followable(const clang::FunctionDecl* callee, bool includeRoots) const {
  if (callee == nullptr) return nullptr;
  const clang::FunctionDecl* def = nullptr;
  if (!callee->hasBody(def) || def == nullptr) return nullptr;
  // A named function passed as a step body (`ctx.step("at", &nowMillis)`)
  // is still followed where it is called directly; a workflow method that
  // became step code (called only inside steps) is analysed on its own.
  if (isInSystemHeader(def->getLocation()) || isInRwdNamespace(def) || isLambdaCallOperator(def) ||
      (isStepCallback(def) && workflowField(def) != nullptr)) {
    return nullptr;
  }
  if (!includeRoots && (isRoot(def) || contextParameter(def) != nullptr || workflowField(def) != nullptr)) {
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
    if (!isSeparateLambda(lambda)) forEachStmt(lambda->getBody(), visit);
    return;
  }
  for (const clang::Stmt* child : body->children()) forEachStmt(child, visit);
}

void RewindModel::forEachStmtIn(const clang::FunctionDecl* fn,
                                llvm::function_ref<void(const clang::Stmt*)> visit) const {
  if (fn == nullptr) return;
  if (const auto* ctor = llvm::dyn_cast<clang::CXXConstructorDecl>(fn)) {
    for (const clang::CXXCtorInitializer* init : ctor->inits()) {
      const clang::Expr* expr = init->getInit();
      if (expr == nullptr) continue;
      if (const auto* defaulted = llvm::dyn_cast<clang::CXXDefaultInitExpr>(expr)) {
        const clang::FieldDecl* field = defaulted->getField();
        if (field != nullptr && isInSystemHeader(field->getLocation())) continue;
        expr = defaulted->getExpr();
      }
      if (expr != nullptr) forEachStmt(expr, visit);
    }
  }
  forEachStmt(fn->getBody(), visit);
}

const std::vector<const clang::FunctionDecl*>& RewindModel::orchestrationFunctions() const {
  if (orchestration_) return *orchestration_;
  std::vector<const clang::FunctionDecl*> result(roots_.begin(), roots_.end());
  llvm::DenseSet<const clang::FunctionDecl*> seen(roots_.begin(), roots_.end());
  std::deque<const clang::FunctionDecl*> queue(roots_.begin(), roots_.end());
  while (!queue.empty()) {
    const clang::FunctionDecl* fn = queue.front();
    queue.pop_front();
    forEachStmtIn(fn, [&](const clang::Stmt* stmt) {
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
