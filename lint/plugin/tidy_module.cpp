// clang-tidy plugin: exposes every rewind-lint check to clang-tidy-16
// (`clang-tidy-16 --load=librewind-lint-tidy.so --checks='rewind-*'`).
// Each check is wrapped in a ClangTidyCheck that matches the translation
// unit once and runs the rewind check over a RewindModel; clang-tidy itself
// provides NOLINT, --export-fixes, --warnings-as-errors and CheckOptions.
#include <memory>
#include <string>

#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "core/check.hpp"
#include "core/registry.hpp"
#include "core/rewind_model.hpp"

namespace rwd::lint {
namespace {

class TidyOptionReader : public OptionReader {
 public:
  explicit TidyOptionReader(const clang::tidy::ClangTidyCheck::OptionsView& options) : options_(options) {}
  std::optional<std::string> get(std::string_view key) const override {
    std::optional<llvm::StringRef> value = options_.get(llvm::StringRef(key.data(), key.size()));
    if (!value) return std::nullopt;
    return value->str();
  }

 private:
  const clang::tidy::ClangTidyCheck::OptionsView& options_;
};

// clang-tidy formats messages with %0-style placeholders: escape '%'.
std::string escapePercent(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

class TidyAdapter : public clang::tidy::ClangTidyCheck {
 public:
  TidyAdapter(llvm::StringRef name, clang::tidy::ClangTidyContext* context, const CheckInfo& info)
      : ClangTidyCheck(name, context), reader_(Options), check_(info.create(name.str(), reader_)) {}

  bool isLanguageVersionSupported(const clang::LangOptions& lang) const override { return lang.CPlusPlus; }

  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& options) override {
    for (const auto& [key, value] : check_->options()) Options.store(options, key, value);
  }

  void registerMatchers(clang::ast_matchers::MatchFinder* finder) override {
    finder->addMatcher(clang::ast_matchers::translationUnitDecl().bind("tu"), this);
  }

  void check(const clang::ast_matchers::MatchFinder::MatchResult& result) override {
    RewindModel model(*result.Context);
    Sink sink(*this);
    check_->check(model, sink);
  }

 private:
  class Sink : public DiagnosticSink {
   public:
    explicit Sink(TidyAdapter& owner) : owner_(owner) {}
    void report(LintDiagnostic diagnostic) override {
      {
        clang::DiagnosticBuilder builder = owner_.diag(diagnostic.loc, escapePercent(diagnostic.message));
        for (const clang::FixItHint& fix : diagnostic.fixes) builder << fix;
      }
      for (const LintNote& note : diagnostic.notes) {
        owner_.diag(note.loc, escapePercent(note.message), clang::DiagnosticIDs::Note);
      }
    }

   private:
    TidyAdapter& owner_;
  };

  TidyOptionReader reader_;
  std::unique_ptr<Check> check_;
};

class RewindTidyModule : public clang::tidy::ClangTidyModule {
 public:
  void addCheckFactories(clang::tidy::ClangTidyCheckFactories& factories) override {
    for (const CheckInfo& info : allChecks()) {
      const CheckInfo* entry = &info;
      factories.registerCheckFactory(info.name, [entry](llvm::StringRef name, clang::tidy::ClangTidyContext* context) {
        return std::make_unique<TidyAdapter>(name, context, *entry);
      });
    }
  }
};

}  // namespace
}  // namespace rwd::lint

// clang-tidy discovers modules through its registry; a plugin has no other
// entry point, so this is the one static registrar rewind-lint has.
static clang::tidy::ClangTidyModuleRegistry::Add<rwd::lint::RewindTidyModule> rewindModule(
    "rewind-module", "Rewind durable-function determinism checks.");
