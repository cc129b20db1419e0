// Flags durable operations called inside step-like callbacks (directly or
// through functions defined in the same translation unit).
#include "checks/step/nested_operation_check.hpp"

#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"

namespace rwd::lint {

struct NestedOperationCheck::Config {};

NestedOperationCheck::NestedOperationCheck(const std::string& name, const OptionReader& options)
    : Check(name, options), config_(std::make_shared<Config>()) {}

void NestedOperationCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  CallChainFinder finder(
      model,
      [&model](const clang::Stmt* stmt) -> std::optional<CallChainFinder::Verdict> {
        if (std::optional<std::string> op = model.durableOperation(stmt)) {
          return CallChainFinder::Verdict{*op, "durable operation"};
        }
        // The context handed to a function defined elsewhere: it can only
        // be there to issue durable operations.
        const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
        if (call == nullptr || llvm::isa<clang::CXXOperatorCallExpr>(call)) return std::nullopt;
        const clang::FunctionDecl* callee = call->getDirectCallee();
        if (callee == nullptr || model.followable(callee, /*includeRoots=*/true) != nullptr ||
            model.isInSystemHeader(callee->getLocation())) {
          return std::nullopt;
        }
        for (const clang::Expr* arg : call->arguments()) {
          if (model.isDurableContextType(arg->getType())) {
            return CallChainFinder::Verdict{model.displayName(callee), "durable operation"};
          }
        }
        return std::nullopt;
      },
      /*followIntoRoots=*/true);

  for (const StepCallback& callback : model.stepCallbacks()) {
    std::string where =
        "a " + callback.operation + (callback.stepName.empty() ? "" : " '" + callback.stepName + "'") + " callback";
    model.forEachStmt(callback.function->getBody(), [&](const clang::Stmt* stmt) {
      std::optional<CallChain> chain = finder.analyze(stmt);
      if (!chain) return;
      std::string message;
      clang::SourceLocation loc = stmt->getBeginLoc();
      if (chain->notes.empty()) {
        message = "durable operation '" + chain->offender + "' called inside " + where +
                  "; a step cannot contain durable operations: move it out of the "
                  "step, or group the operations with runInChildContext";
      } else {
        message = "'" + model.displayName(RewindModel::calleeOf(stmt)) + "' calls durable operation '" +
                  chain->offender + "' inside " + where +
                  "; a step cannot contain durable operations: move it out of the "
                  "step, or group the operations with runInChildContext";
      }
      LintDiagnostic diag = diagnostic(loc, std::move(message));
      diag.notes = chain->notes;
      sink.report(std::move(diag));
    });
  }
}

}  // namespace rwd::lint
