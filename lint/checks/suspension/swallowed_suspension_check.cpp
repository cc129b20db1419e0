// Flags catch handlers in orchestration code that can swallow Rewind's
// suspension signal (catch (...) or the signal types) without rethrowing.
#include "checks/suspension/swallowed_suspension_check.hpp"

#include <functional>

#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"

namespace rwd::lint {
namespace {

constexpr const char* kSignalTypes = "::rwd::internal::Suspension;::rwd::internal::CrashSignal";

bool rethrows(const RewindModel& model, const clang::Stmt* stmt, unsigned depth = 0);

// A function defined here that rethrows the exception being handled and
// lets everything it does not translate escape (a "Lippincott" function:
// `try { throw; } catch (const Known& e) { ... }`): no `catch (...)` of its
// own swallows it.
bool propagatesCurrentException(const RewindModel& model, const clang::FunctionDecl* fn, unsigned depth) {
  const clang::FunctionDecl* def = nullptr;
  if (fn == nullptr || depth > 3 || !fn->hasBody(def) || def == nullptr || model.isInSystemHeader(def->getLocation())) {
    return false;
  }
  bool swallows = false;
  std::function<void(const clang::Stmt*)> walk = [&](const clang::Stmt* stmt) {
    if (stmt == nullptr || swallows || llvm::isa<clang::LambdaExpr>(stmt)) return;
    if (const auto* handler = llvm::dyn_cast<clang::CXXCatchStmt>(stmt)) {
      if (handler->getExceptionDecl() == nullptr && !rethrows(model, handler->getHandlerBlock(), depth + 1)) {
        swallows = true;
        return;
      }
    }
    for (const clang::Stmt* child : stmt->children()) walk(child);
  };
  walk(def->getBody());
  return !swallows && rethrows(model, def->getBody(), depth + 1);
}

// True when the handler rethrows: a bare `throw;`, std::rethrow_exception,
// or a call of a function defined here that rethrows, outside nested lambdas
// (a throw there does not rethrow this exception).
bool rethrows(const RewindModel& model, const clang::Stmt* stmt, unsigned depth) {
  if (stmt == nullptr || llvm::isa<clang::LambdaExpr>(stmt)) return false;
  if (const auto* thr = llvm::dyn_cast<clang::CXXThrowExpr>(stmt)) {
    if (thr->getSubExpr() == nullptr) return true;
  }
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    const clang::FunctionDecl* callee = call->getDirectCallee();
    if (callee != nullptr && model.qualifiedName(callee) == "::std::rethrow_exception") {
      return true;
    }
    if (callee != nullptr && propagatesCurrentException(model, callee, depth)) return true;
  }
  for (const clang::Stmt* child : stmt->children()) {
    if (rethrows(model, child, depth)) return true;
  }
  return false;
}

}  // namespace

struct SwallowedSuspensionCheck::Config {
  std::vector<std::string> signalTypes;
};

SwallowedSuspensionCheck::SwallowedSuspensionCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& type : splitList(option("SignalTypes", kSignalTypes))) {
    config->signalTypes.push_back(type.rfind("::", 0) == 0 ? type : "::" + type);
  }
  config_ = std::move(config);
}

void SwallowedSuspensionCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  std::vector<const clang::CXXRecordDecl*> signals;
  for (const std::string& name : config_->signalTypes) {
    if (const clang::CXXRecordDecl* record = model.findRecord(name)) {
      signals.push_back(record);
    }
  }
  // The signal type the handler catches (the signal itself or a base), or null.
  auto caughtSignal = [&](const clang::CXXCatchStmt* handler) -> const clang::CXXRecordDecl* {
    clang::QualType type = handler->getCaughtType();
    if (type.isNull()) return nullptr;
    type = type.getNonReferenceType();
    const clang::CXXRecordDecl* caught = type->getAsCXXRecordDecl();
    if (caught == nullptr) return nullptr;
    caught = caught->getCanonicalDecl();
    for (const clang::CXXRecordDecl* signal : signals) {
      const clang::CXXRecordDecl* def = signal->getDefinition();
      if (signal->getCanonicalDecl() == caught || (def != nullptr && def->isDerivedFrom(caught))) {
        return signal;
      }
    }
    return nullptr;
  };

  // Does a try block issue durable operations — directly, through a callee
  // defined here, through a callee that is handed the context or is a
  // workflow method defined elsewhere, or through a lambda it calls? Only
  // then can a suspension reach its handlers.
  CallChainFinder finder(
      model,
      [&model](const clang::Stmt* stmt) -> std::optional<CallChainFinder::Verdict> {
        if (std::optional<std::string> op = model.durableOperation(stmt)) {
          return CallChainFinder::Verdict{*op, "durable operation"};
        }
        const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
        if (call == nullptr) return std::nullopt;
        const clang::FunctionDecl* callee = call->getDirectCallee();
        bool defined = model.followable(callee, /*includeRoots=*/true) != nullptr;
        if (!defined) {
          for (const clang::Expr* arg : call->arguments()) {
            if (model.isDurableContextType(arg->getType()))
              return CallChainFinder::Verdict{"call", "durable operation"};
          }
          if (model.workflowField(callee) != nullptr) return CallChainFinder::Verdict{"call", "durable operation"};
        }
        return std::nullopt;
      },
      /*followIntoRoots=*/true);
  llvm::DenseMap<const clang::Stmt*, bool> issuesMemo;
  std::function<bool(const clang::Stmt*)> issuesDurable = [&](const clang::Stmt* body) -> bool {
    auto [it, inserted] = issuesMemo.try_emplace(body, false);
    if (!inserted) return it->second;
    bool found = false;
    model.forEachStmt(body, [&](const clang::Stmt* stmt) {
      if (found) return;
      if (finder.analyze(stmt)) {
        found = true;
        return;
      }
      // A call of a lambda (stored in a variable, or a generic one): its
      // body runs here.
      if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
        const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(op->getDirectCallee());
        if (method != nullptr && method->getParent()->isLambda() && method->getBody() != nullptr &&
            !model.isStepCallback(method)) {
          found = issuesDurable(method->getBody());
        }
      }
    });
    return issuesMemo[body] = found;
  };

  for (const clang::FunctionDecl* fn : model.orchestrationFunctions()) {
    model.forEachStmtIn(fn, [&](const clang::Stmt* stmt) {
      const auto* tryStmt = llvm::dyn_cast<clang::CXXTryStmt>(stmt);
      if (tryStmt == nullptr) return;
      for (unsigned i = 0; i < tryStmt->getNumHandlers(); ++i) {
        const clang::CXXCatchStmt* handler = tryStmt->getHandler(i);
        std::string what;
        if (handler->getExceptionDecl() == nullptr) {
          // catch (...) only swallows a suspension its try block can raise.
          if (!issuesDurable(tryStmt->getTryBlock())) continue;
          what = "'catch (...)'";
        } else if (const clang::CXXRecordDecl* signal = caughtSignal(handler)) {
          what = "catching '" +
                 handler->getCaughtType().getNonReferenceType().getUnqualifiedType().getAsString(
                     model.astContext().getPrintingPolicy()) +
                 "'";
          if (model.qualifiedName(signal) !=
              model.qualifiedName(handler->getCaughtType().getNonReferenceType()->getAsCXXRecordDecl())) {
            what += " (a base of '" + model.displayName(signal) + "')";
          }
        } else {
          continue;
        }
        if (rethrows(model, handler->getHandlerBlock())) continue;
        sink.report(
            diagnostic(handler->getCatchLoc(), what + " in orchestration code swallows Rewind's suspension signal, so "
                                                      "the execution fails when the branch suspends; rethrow with "
                                                      "'throw;' or catch only the exception types you handle"));
      }
    });
  }
}

}  // namespace rwd::lint
