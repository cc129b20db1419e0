// Flags blocking sleeps in orchestration code: a durable handler waits with
// ctx.wait(), which suspends instead of holding the invocation.
#include "checks/orchestration/blocking_sleep_check.hpp"

#include "clang/Lex/Lexer.h"
#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringSet.h"

namespace rwd::lint {
namespace {

constexpr const char* kSleepFunctions =
    "::std::this_thread::sleep_for;::std::this_thread::sleep_until;::sleep;"
    "::usleep;::nanosleep;::clock_nanosleep;::boost::this_thread::sleep_for;"
    "::boost::this_thread::sleep_until;::boost::this_thread::sleep";

// Calls that are whole statements written directly in `fn`'s body, not
// inside a nested lambda: only those can become a `ctx.wait(...)` statement.
void collectStatementCalls(const clang::Stmt* stmt, llvm::DenseSet<const clang::Stmt*>& out) {
  if (stmt == nullptr || llvm::isa<clang::LambdaExpr>(stmt)) return;
  if (const auto* compound = llvm::dyn_cast<clang::CompoundStmt>(stmt)) {
    for (const clang::Stmt* child : compound->body()) {
      const clang::Stmt* inner = child;
      if (const auto* cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(inner)) inner = cleanups->getSubExpr();
      if (llvm::isa<clang::CallExpr>(inner)) out.insert(inner);
    }
  }
  for (const clang::Stmt* child : stmt->children()) collectStatementCalls(child, out);
}

// True when `type` is a std::chrono::duration of whole seconds (seconds,
// minutes, hours...), which converts to rwd::Duration implicitly.
bool isWholeSecondsDuration(const RewindModel& model, clang::QualType type) {
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      type.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (spec == nullptr || model.qualifiedName(spec) != "::std::chrono::duration" || spec->getTemplateArgs().size() < 2) {
    return false;
  }
  const auto* ratio = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      spec->getTemplateArgs()[1].getAsType()->getAsCXXRecordDecl());
  if (ratio == nullptr || ratio->getTemplateArgs().size() < 2) return false;
  const clang::TemplateArgument& num = ratio->getTemplateArgs()[0];
  const clang::TemplateArgument& den = ratio->getTemplateArgs()[1];
  if (num.getKind() != clang::TemplateArgument::Integral || den.getKind() != clang::TemplateArgument::Integral) {
    return false;
  }
  return den.getAsIntegral() == 1 && num.getAsIntegral() >= 1;
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

  const clang::SourceManager& sm = model.sourceManager();
  const clang::LangOptions& lang = model.astContext().getLangOpts();
  for (const clang::FunctionDecl* root : model.roots()) {
    std::string ctx = model.contextAccess(root);
    llvm::DenseSet<const clang::Stmt*> statements;
    collectStatementCalls(root->getBody(), statements);
    model.forEachStmtIn(root, [&](const clang::Stmt* stmt) {
      std::optional<CallChain> chain = finder.analyze(stmt);
      if (!chain) return;
      std::string message;
      if (chain->notes.empty()) {
        std::string written = model.writtenCallee(stmt);
        message = "'" + (written.empty() ? chain->offender : written) +
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
      if (call != nullptr && chain->notes.empty() && statements.contains(stmt) && !ctx.empty() &&
          call->getNumArgs() == 1 && !call->getBeginLoc().isMacroID() && !call->getEndLoc().isMacroID()) {
        // Waits are whole seconds (rwd::Duration): a finer duration is
        // rounded up explicitly rather than passed as it is.
        const std::string& name = model.qualifiedName(call->getDirectCallee());
        const clang::Expr* arg = call->getArg(0);
        std::string argText =
            clang::Lexer::getSourceText(clang::CharSourceRange::getTokenRange(arg->getSourceRange()), sm, lang).str();
        std::string replacement;
        if (name == "::std::this_thread::sleep_for") {
          replacement = isWholeSecondsDuration(model, arg->getType())
                            ? ctx + "wait(" + argText + ")"
                            : ctx + "wait(std::chrono::ceil<std::chrono::seconds>(" + argText + "))";
        } else if (name == "::sleep") {
          replacement = ctx + "wait(std::chrono::seconds(" + argText + "))";
        } else if (name == "::usleep") {
          replacement =
              ctx + "wait(std::chrono::ceil<std::chrono::seconds>(std::chrono::microseconds(" + argText + ")))";
        }
        if (!replacement.empty()) {
          diag.fixes.push_back(clang::FixItHint::CreateReplacement(
              clang::CharSourceRange::getTokenRange(call->getSourceRange()), replacement));
        }
      }
      sink.report(std::move(diag));
    });
  }
}

}  // namespace rwd::lint
