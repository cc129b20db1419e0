// NondeterministicCallCheck: see lint/docs/checks/ for what it flags and why.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/check.hpp"

namespace clang {
class CallExpr;
class Stmt;
class VarDecl;
}  // namespace clang

namespace rwd::lint {

class NondeterministicCallCheck : public Check {
 public:
  NondeterministicCallCheck(const std::string& name, const OptionReader& options);
  void check(const RewindModel& model, DiagnosticSink& sink) override;

  struct Config;

 private:
  // The replacement text for offending call `call` (`direct`: not through a
  // helper), initialiser of `var` (or null), in a root reaching its context
  // as `ctx` ("ctx."); nullopt when no fix would compile against the API.
  std::optional<std::string> fixFor(const RewindModel& model, const clang::CallExpr& call, bool direct,
                                    const clang::VarDecl* var, const std::string& ctx,
                                    const std::function<std::string(const clang::Stmt*)>& sourceText) const;

  std::shared_ptr<const Config> config_;
};

}  // namespace rwd::lint
