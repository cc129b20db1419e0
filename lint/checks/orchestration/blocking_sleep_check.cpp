// Flags blocking sleeps in orchestration code: a durable handler waits with
// ctx.wait(), which suspends instead of holding the invocation.
#include "checks/orchestration/blocking_sleep_check.hpp"

#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringSet.h"

namespace rwd::lint {
namespace {

constexpr const char* kSleepFunctions =
    "::std::this_thread::sleep_for;::std::this_thread::sleep_until;::sleep;"
    "::usleep;::nanosleep;::clock_nanosleep;::boost::this_thread::sleep_for;"
    "::boost::this_thread::sleep_until;::boost::this_thread::sleep";
constexpr const char* kFixableSleep = "::std::this_thread::sleep_for";

// Calls written directly in `fn`'s body, not inside a nested lambda.
void collectDirectCalls(const clang::Stmt* stmt, llvm::DenseSet<const clang::Stmt*>& out) {
  if (stmt == nullptr || llvm::isa<clang::LambdaExpr>(stmt)) return;
  if (llvm::isa<clang::CallExpr>(stmt)) out.insert(stmt);
  for (const clang::Stmt* child : stmt->children()) collectDirectCalls(child, out);
}

}  // namespace

struct BlockingSleepCheck::Config {
  llvm::StringSet<> functions;
};

BlockingSleepCheck::BlockingSleepCheck(const std::string& name, const OptionReader& options) : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& fn : splitList(option("SleepFunctions", kSleepFunctions))) {
    config->functions.insert(fn.rfind("::", 0) == 0 ? fn : "::" + fn);
  }
  config_ = std::move(config);
}

void BlockingSleepCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  std::shared_ptr<const Config> config = config_;
  CallChainFinder finder(
      model,
      [&model, config](const clang::Stmt* stmt) -> std::optional<CallChainFinder::Verdict> {
        const clang::FunctionDecl* callee = RewindModel::calleeOf(stmt);
        if (callee == nullptr) return std::nullopt;
        const std::string& name = model.qualifiedName(callee);
        if (!config->functions.contains(name)) return std::nullopt;
        return CallChainFinder::Verdict{name.substr(2), "sleep"};
      },
      /*followIntoRoots=*/false);

  for (const clang::FunctionDecl* root : model.roots()) {
    const clang::ParmVarDecl* ctxParam = model.contextParameter(root);
    llvm::DenseSet<const clang::Stmt*> direct;
    collectDirectCalls(root->getBody(), direct);
    model.forEachStmt(root->getBody(), [&](const clang::Stmt* stmt) {
      std::optional<CallChain> chain = finder.analyze(stmt);
      if (!chain) return;
      std::string message;
      if (chain->notes.empty()) {
        message = "'" + chain->offender +
                  "' blocks the handler in orchestration code and runs again on "
                  "every replay; use a durable wait (ctx.wait) instead";
      } else {
        message = "'" + model.displayName(RewindModel::calleeOf(stmt)) + "' blocks the handler through '" +
                  chain->offender +
                  "' in orchestration code and runs again on every replay; use a "
                  "durable wait (ctx.wait) instead";
      }
      LintDiagnostic diag = diagnostic(stmt->getBeginLoc(), std::move(message));
      diag.notes = chain->notes;
      const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
      if (call != nullptr && chain->notes.empty() && direct.contains(stmt) && ctxParam != nullptr &&
          !ctxParam->getName().empty() && model.qualifiedName(call->getDirectCallee()) == kFixableSleep &&
          call->getNumArgs() == 1 && !call->getBeginLoc().isMacroID()) {
        std::string access = ctxParam->getType()->isPointerType() ? "->" : ".";
        diag.fixes.push_back(clang::FixItHint::CreateReplacement(
            clang::CharSourceRange::getTokenRange(call->getCallee()->getSourceRange()),
            ctxParam->getName().str() + access + "wait"));
      }
      sink.report(std::move(diag));
    });
  }
}

}  // namespace rwd::lint
