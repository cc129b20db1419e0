// RewindModel: what rewind-lint knows about Rewind's API in one translation
// unit — orchestration roots, step-like callbacks, durable operations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace rwd::lint {

// A callback that runs as (part of) a step: a step body, a stepWithRollback
// run or undo, a waitForCallback submitter, a waitForCondition check.
struct StepCallback {
  const clang::FunctionDecl* function = nullptr;  // lambda operator() or function
  const clang::LambdaExpr* lambda = nullptr;      // null for a named function
  const clang::CallExpr* call = nullptr;          // the durable call taking it (or calling it)
  std::string operation;                          // "step", "waitForCallback"...
  std::string stepName;                           // literal name, or ""
};

// Built once per translation unit by one AST walk; read-only afterwards
// (the lazily computed caches are not thread-safe).
//
// Orchestration code is the body of every function or lambda with a
// `rwd::DurableContext&` (or pointer) parameter, and of every method of a
// *workflow class* (a class holding a `DurableContext&`/`*` member) — the
// *roots* — plus functions defined in this translation unit that roots call.
// Step-like callbacks are never orchestration code; neither is a lambda
// stored in a variable and called only inside step bodies, nor a workflow
// method called only inside step bodies (both count as step code). Template
// instantiations (function templates, generic lambdas) are analysed like
// ordinary code; in uninstantiated templates, dependent calls on a
// `DurableContext` are recognised by name. Code inside namespace `rwd` is
// Rewind's own implementation and is never analysed. System headers are
// skipped.
class RewindModel {
 public:
  explicit RewindModel(clang::ASTContext& context);

  clang::ASTContext& astContext() const { return context_; }
  const clang::SourceManager& sourceManager() const { return context_.getSourceManager(); }

  const std::vector<const clang::FunctionDecl*>& roots() const { return roots_; }
  const std::vector<StepCallback>& stepCallbacks() const { return stepCallbacks_; }
  // Roots plus every function they reach through calls in this TU.
  const std::vector<const clang::FunctionDecl*>& orchestrationFunctions() const;

  bool isRoot(const clang::FunctionDecl* fn) const;
  bool isStepCallback(const clang::FunctionDecl* fn) const;
  // The root's DurableContext parameter, or null.
  const clang::ParmVarDecl* contextParameter(const clang::FunctionDecl* fn) const;
  // The DurableContext reference/pointer member of a workflow class, or null.
  const clang::FieldDecl* contextField(const clang::CXXRecordDecl* record) const;
  // How code in root `fn` reaches its context ("ctx." / "ctx->" / "ctx_."),
  // or "" when it cannot (an unnamed parameter).
  std::string contextAccess(const clang::FunctionDecl* fn) const;
  // The context member that makes `fn` a workflow method, or null.
  const clang::FieldDecl* workflowField(const clang::FunctionDecl* fn) const;

  // The method name when `expr` calls a durable operation on a
  // DurableContext (anything but logger()) or awaits a callback
  // (`CallbackHandle::result`, "result"), else nullopt. Also recognises
  // dependent calls (`ctx.step(name, [&] {...})` with dependent arguments
  // inside a template) whose object is a DurableContext.
  std::optional<std::string> durableOperation(const clang::Stmt* expr) const;

  // "::std::chrono::system_clock::now": inline and anonymous namespaces
  // dropped, template arguments dropped. Cached.
  const std::string& qualifiedName(const clang::NamedDecl* decl) const;
  // Qualified name without the leading "::", for messages.
  std::string displayName(const clang::NamedDecl* decl) const;
  // The callee of a plain call as written in the source, without spaces
  // (`high_resolution_clock::now` stays that, though it is an alias of
  // system_clock); "" for member/operator calls and macros.
  std::string writtenCallee(const clang::Stmt* call) const;

  // The callee's definition when calls into it should be followed: defined
  // in this TU outside system headers and namespace rwd, not a lambda (their
  // bodies are walked where they are written), not a step callback; roots
  // only when `includeRoots`.
  const clang::FunctionDecl* followable(const clang::FunctionDecl* callee, bool includeRoots) const;

  // The function a call or construction expression invokes, or null.
  static const clang::FunctionDecl* calleeOf(const clang::Stmt* expr);

  // Visits `body` and everything under it, descending into nested lambdas
  // except step callbacks and roots (those are analysed on their own).
  // `body` itself is always visited.
  void forEachStmt(const clang::Stmt* body, llvm::function_ref<void(const clang::Stmt*)> visit) const;
  // forEachStmt over a function: a constructor's member and base
  // initialisers (default member initialisers included), then its body.
  void forEachStmtIn(const clang::FunctionDecl* fn, llvm::function_ref<void(const clang::Stmt*)> visit) const;

  bool isDurableContextType(clang::QualType type) const;
  // The lambda's body is analysed on its own (a step callback or a root,
  // including a generic lambda whose instantiations are roots).
  bool isSeparateLambda(const clang::LambdaExpr* lambda) const;
  bool isInSystemHeader(clang::SourceLocation loc) const;

  // The class named `name` ("::rwd::internal::Suspension") if declared in
  // this TU, else null. Looked up by name, not found by the AST walk.
  const clang::CXXRecordDecl* findRecord(const std::string& name) const;

 private:
  friend class ModelBuilder;

  clang::ASTContext& context_;
  std::vector<const clang::FunctionDecl*> roots_;
  llvm::DenseSet<const clang::FunctionDecl*> rootSet_;
  std::vector<StepCallback> stepCallbacks_;
  llvm::DenseSet<const clang::FunctionDecl*> stepCallbackSet_;
  llvm::DenseSet<const clang::FunctionDecl*> genericRootPatterns_;
  mutable llvm::DenseMap<const clang::CXXRecordDecl*, const clang::FieldDecl*> contextFields_;

  mutable llvm::DenseMap<const clang::NamedDecl*, std::string> names_;
  mutable std::optional<std::vector<const clang::FunctionDecl*>> orchestration_;
};

}  // namespace rwd::lint
