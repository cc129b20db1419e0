// runLint: ClangTool + one ASTConsumer that builds the RewindModel once per
// translation unit and runs every enabled check on it.
#include "core/driver.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <tuple>

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Core/Replacement.h"
#include "clang/Tooling/Tooling.h"
#include "core/check.hpp"
#include "core/glob_list.hpp"
#include "core/nolint.hpp"
#include "core/registry.hpp"
#include "core/rewind_model.hpp"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

namespace rwd::lint {
namespace {

// The pseudo-check of NOLINT comment errors (clang-tidy's name for them).
constexpr const char* kNolintCheck = "clang-tidy-nolint";

class ConfigOptionReader : public OptionReader {
 public:
  ConfigOptionReader(const LintConfig& config, std::string check) : config_(config), check_(std::move(check)) {}
  std::optional<std::string> get(std::string_view key) const override {
    auto found = config_.checkOptions.find(check_ + "." + std::string(key));
    if (found == config_.checkOptions.end()) return std::nullopt;
    return found->second;
  }

 private:
  const LintConfig& config_;
  std::string check_;
};

struct EnabledCheck {
  std::unique_ptr<ConfigOptionReader> reader;
  std::unique_ptr<Check> check;
};

std::vector<EnabledCheck> createChecks(const LintConfig& config) {
  std::vector<EnabledCheck> checks;
  GlobList globs(config.checks.value_or(kDefaultChecks));
  for (const CheckInfo& info : allChecks()) {
    if (!globs.contains(info.name)) continue;
    EnabledCheck enabled;
    enabled.reader = std::make_unique<ConfigOptionReader>(config, info.name);
    enabled.check = info.create(info.name, *enabled.reader);
    checks.push_back(std::move(enabled));
  }
  return checks;
}

std::string absolutePath(const clang::SourceManager& sm, llvm::StringRef path) {
  llvm::SmallString<256> abs(path);
  sm.getFileManager().makeAbsolutePath(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  return std::string(abs.str());
}

// Converts Clang-level diagnostics to Findings, applying the header filter,
// NOLINT and warnings-as-errors. One per run; shared across TUs.
class FindingCollector : public DiagnosticSink {
 public:
  FindingCollector(const LintConfig& config, LintResult& result)
      : warningsAsErrors_(config.warningsAsErrors.value_or("")),
        headerFilter_(config.headerFilterRegex.value_or("")),
        hasHeaderFilter_(!config.headerFilterRegex.value_or("").empty()),
        result_(result) {}

  void beginTranslationUnit(const clang::SourceManager& sm, const clang::LangOptions& lang) {
    sm_ = &sm;
    lang_ = &lang;
    nolint_.clear();
  }

  void report(LintDiagnostic diagnostic) override {
    const clang::SourceManager& sm = *sm_;
    clang::SourceLocation loc = sm.getFileLoc(diagnostic.loc);
    if (loc.isInvalid()) return;
    bool inMain = sm.isInMainFile(loc);
    SourcePosition position = positionOf(loc);
    if (!inMain && (!hasHeaderFilter_ || !headerFilter_.match(position.file))) return;
    if (isSuppressed(loc, position.line, diagnostic.check)) {
      ++result_.suppressed;
      return;
    }
    Finding finding;
    finding.check = diagnostic.check;
    finding.position = std::move(position);
    finding.message = diagnostic.message;
    finding.isError = warningsAsErrors_.contains(diagnostic.check);
    for (const LintNote& note : diagnostic.notes) {
      clang::SourceLocation noteLoc = sm.getFileLoc(note.loc);
      if (noteLoc.isInvalid()) continue;
      finding.notes.push_back({positionOf(noteLoc), note.message});
    }
    for (const clang::FixItHint& fix : diagnostic.fixes) {
      clang::tooling::Replacement replacement(sm, fix.RemoveRange, fix.CodeToInsert, *lang_);
      if (replacement.getFilePath().empty()) continue;
      finding.fixes.push_back({absolutePath(sm, replacement.getFilePath()), replacement.getOffset(),
                               replacement.getLength(), replacement.getReplacementText().str()});
    }
    add(std::move(finding));
  }

  // Unmatched NOLINTBEGIN/NOLINTEND in the main file: errors, as in clang-tidy.
  void reportNolintProblems() {
    clang::FileID fid = sm_->getMainFileID();
    for (const NolintIndex::Problem& problem : nolintFor(fid).problems()) {
      clang::SourceLocation loc = sm_->translateLineCol(fid, problem.line, problem.column);
      if (loc.isInvalid()) continue;
      Finding finding;
      finding.check = kNolintCheck;
      finding.position = positionOf(loc);
      finding.message = problem.message;
      finding.isError = true;
      add(std::move(finding));
    }
  }

 private:
  void add(Finding finding) {
    auto key = std::make_tuple(finding.check, finding.position.file, finding.position.offset, finding.message);
    if (seen_.insert(key).second) result_.findings.push_back(std::move(finding));
  }

 public:
 private:
  SourcePosition positionOf(clang::SourceLocation loc) const {
    const clang::SourceManager& sm = *sm_;
    SourcePosition position;
    clang::FileID fid = sm.getFileID(loc);
    if (const clang::FileEntry* entry = sm.getFileEntryForID(fid)) {
      position.file = absolutePath(sm, entry->getName());
    }
    position.offset = sm.getFileOffset(loc);
    position.line = sm.getLineNumber(fid, position.offset);
    position.column = sm.getColumnNumber(fid, position.offset);
    llvm::StringRef buffer = sm.getBufferData(fid);
    size_t lineStart = position.offset - (position.column - 1);
    size_t lineEnd = buffer.find('\n', lineStart);
    if (lineEnd == llvm::StringRef::npos) lineEnd = buffer.size();
    position.lineText = buffer.substr(lineStart, lineEnd - lineStart).rtrim("\r").str();
    return position;
  }

  const NolintIndex& nolintFor(clang::FileID fid) {
    auto found = nolint_.find(fid);
    if (found == nolint_.end()) {
      found = nolint_.try_emplace(fid, std::make_unique<NolintIndex>(std::string_view(sm_->getBufferData(fid)))).first;
    }
    return *found->second;
  }

  bool isSuppressed(clang::SourceLocation loc, unsigned line, const std::string& check) {
    return nolintFor(sm_->getFileID(loc)).suppresses(line, check);
  }

  GlobList warningsAsErrors_;
  llvm::Regex headerFilter_;
  bool hasHeaderFilter_;
  LintResult& result_;
  const clang::SourceManager* sm_ = nullptr;
  const clang::LangOptions* lang_ = nullptr;
  llvm::DenseMap<clang::FileID, std::unique_ptr<NolintIndex>> nolint_;
  std::set<std::tuple<std::string, std::string, unsigned, std::string>> seen_;
};

class LintConsumer : public clang::ASTConsumer {
 public:
  LintConsumer(std::vector<EnabledCheck>& checks, FindingCollector& collector)
      : checks_(checks), collector_(collector) {}

  void HandleTranslationUnit(clang::ASTContext& context) override {
    // A TU with errors has a partial AST that gives wrong answers: skip it
    // (ClangTool::run reports the failure).
    if (context.getDiagnostics().hasErrorOccurred()) return;
    collector_.beginTranslationUnit(context.getSourceManager(), context.getLangOpts());
    // Parent-map queries (ExprMutationAnalyzer uses hasAncestor) build a map
    // of everything in the traversal scope; keep system headers out of it,
    // which is most of a TU. Checks only ask about user code.
    const clang::SourceManager& sm = context.getSourceManager();
    std::vector<clang::Decl*> scope;
    for (clang::Decl* decl : context.getTranslationUnitDecl()->decls()) {
      if (!sm.isInSystemHeader(sm.getExpansionLoc(decl->getLocation()))) scope.push_back(decl);
    }
    context.setTraversalScope(scope);
    RewindModel model(context);
    for (EnabledCheck& enabled : checks_) enabled.check->check(model, collector_);
    collector_.reportNolintProblems();
  }

 private:
  std::vector<EnabledCheck>& checks_;
  FindingCollector& collector_;
};

class LintAction : public clang::ASTFrontendAction {
 public:
  LintAction(std::vector<EnabledCheck>& checks, FindingCollector& collector) : checks_(checks), collector_(collector) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance&, llvm::StringRef) override {
    return std::make_unique<LintConsumer>(checks_, collector_);
  }

 private:
  std::vector<EnabledCheck>& checks_;
  FindingCollector& collector_;
};

// Runs LintAction like FrontendActionFactory would, except that the last
// translation unit skips freeing its AST (what the clang driver does with
// -disable-free): tearing down a large AST costs ~20% of a parse, and the
// process exits right after. Earlier TUs free theirs, so memory stays flat
// over a whole compilation database.
class LintToolAction : public clang::tooling::ToolAction {
 public:
  LintToolAction(std::vector<EnabledCheck>& checks, FindingCollector& collector, std::string lastSource)
      : checks_(checks), collector_(collector), lastSource_(std::move(lastSource)) {}

  bool runInvocation(std::shared_ptr<clang::CompilerInvocation> invocation, clang::FileManager* files,
                     std::shared_ptr<clang::PCHContainerOperations> pchOperations,
                     clang::DiagnosticConsumer* diagConsumer) override {
    const auto& inputs = invocation->getFrontendOpts().Inputs;
    bool isLast = inputs.size() == 1 && inputs.front().isFile() && inputs.front().getFile() == lastSource_;
    invocation->getFrontendOpts().DisableFree = isLast;
    clang::CompilerInstance compiler(std::move(pchOperations));
    compiler.setInvocation(std::move(invocation));
    compiler.setFileManager(files);
    compiler.createDiagnostics(diagConsumer, /*ShouldOwnClient=*/false);
    if (!compiler.hasDiagnostics()) return false;
    compiler.createSourceManager(*files);
    LintAction action(checks_, collector_);
    bool success = compiler.ExecuteAction(action);
    files->clearStatCache();
    return success;
  }

 private:
  std::vector<EnabledCheck>& checks_;
  FindingCollector& collector_;
  std::string lastSource_;
};

bool hasResourceDirArg(const clang::tooling::CommandLineArguments& args) {
  return std::any_of(args.begin(), args.end(),
                     [](const std::string& arg) { return arg.rfind("-resource-dir", 0) == 0; });
}

// `-include X` handed to the frontend itself (`-Xclang -include -Xclang X`): the same text is
// included, but the driver no longer looks for a precompiled X.gch / X.pch next to X and
// loads it instead. A build that precompiles headers with g++ (CMake's
// target_precompile_headers, rewind_precompile_headers) leaves GCC's cmake_pch.hxx.gch
// there, which clang cannot read ("input is not a PCH file"): the file would not compile.
clang::tooling::CommandLineArguments includeWithoutPch(const clang::tooling::CommandLineArguments& args,
                                                       llvm::StringRef) {
  clang::tooling::CommandLineArguments out;
  out.reserve(args.size());
  auto forced = [&out](const std::string& header) {
    out.insert(out.end(), {"-Xclang", "-include", "-Xclang", header});
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if ((arg == "-Xclang" || arg == "-Xpreprocessor") && i + 1 < args.size()) {
      out.push_back(arg);
      out.push_back(args[++i]);  // already the frontend's
    } else if ((arg == "-include" || arg == "--include") && i + 1 < args.size()) {
      forced(args[++i]);
    } else if (arg.rfind("--include=", 0) == 0) {
      forced(arg.substr(10));
    } else if (arg.rfind("-include", 0) == 0 && arg.size() > 8 && arg.rfind("-include-", 0) != 0) {
      forced(arg.substr(8));  // -includeX (not -include-pch, -include-directory...)
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

}  // namespace

std::string defaultResourceDir() { return REWIND_LINT_RESOURCE_DIR; }

std::vector<std::string> enabledChecks(const std::string& globs) {
  GlobList list(globs);
  std::vector<std::string> names;
  for (const CheckInfo& info : allChecks()) {
    if (list.contains(info.name)) names.push_back(info.name);
  }
  return names;
}

std::map<std::string, std::string> effectiveOptions(const LintConfig& config) {
  std::map<std::string, std::string> options;
  for (const CheckInfo& info : allChecks()) {
    ConfigOptionReader reader(config, info.name);
    std::unique_ptr<Check> check = info.create(info.name, reader);
    for (const auto& [key, value] : check->options()) {
      options[info.name + "." + key] = value;
    }
  }
  return options;
}

LintResult runLint(const LintRequest& request) {
  LintResult result;
  llvm::raw_string_ostream errors(result.errors);

  std::unique_ptr<clang::tooling::CompilationDatabase> database;
  std::string error;
  if (request.fixedArgs) {
    database = std::make_unique<clang::tooling::FixedCompilationDatabase>(".", *request.fixedArgs);
  } else if (request.buildPath) {
    database = clang::tooling::CompilationDatabase::autoDetectFromDirectory(*request.buildPath, error);
  } else if (!request.sources.empty()) {
    database = clang::tooling::CompilationDatabase::autoDetectFromSource(request.sources.front(), error);
  } else {
    database = clang::tooling::CompilationDatabase::autoDetectFromDirectory(".", error);
  }
  if (database == nullptr) {
    errors << "rewind-lint: error: no compilation database found" << (error.empty() ? "" : ": " + error)
           << " (pass -p <build-dir> or compile flags after '--')\n";
    result.toolError = true;
    return result;
  }
  if (request.buildPath) result.buildDirectory = *request.buildPath;

  std::vector<std::string> sources = request.sources;
  if (sources.empty()) {
    llvm::Regex filter(request.sourceFilter.empty() ? ".*" : request.sourceFilter);
    std::string regexError;
    if (!filter.isValid(regexError)) {
      errors << "rewind-lint: error: invalid --source-filter: " << regexError << "\n";
      result.toolError = true;
      return result;
    }
    llvm::Regex exclude(request.excludeFilter);
    if (!request.excludeFilter.empty() && !exclude.isValid(regexError)) {
      errors << "rewind-lint: error: invalid --exclude-filter: " << regexError << "\n";
      result.toolError = true;
      return result;
    }
    for (const std::string& file : database->getAllFiles()) {
      if (filter.match(file) && (request.excludeFilter.empty() || !exclude.match(file))) {
        sources.push_back(file);
      }
    }
    std::sort(sources.begin(), sources.end());
  }
  for (std::string& source : sources) {
    llvm::SmallString<256> abs(source);
    llvm::sys::fs::make_absolute(abs);
    llvm::sys::path::remove_dots(abs, true);
    source = std::string(abs.str());
    if (!llvm::sys::fs::exists(source)) {
      errors << "rewind-lint: error: no such file: " << source << "\n";
      result.toolError = true;
    }
  }
  if (result.toolError) return result;
  result.processedFiles = sources;
  if (sources.empty()) return result;

  std::vector<EnabledCheck> checks = createChecks(request.config);
  FindingCollector collector(request.config, result);

  clang::tooling::ClangTool tool(*database, sources);
  std::string resourceDir = request.resourceDir.empty() ? defaultResourceDir() : request.resourceDir;
  if (!request.extraArgsBefore.empty()) {
    tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
        request.extraArgsBefore, clang::tooling::ArgumentInsertPosition::BEGIN));
  }
  tool.appendArgumentsAdjuster(includeWithoutPch);
  // Compiler warnings are not rewind-lint's business, and a -Werror meant
  // for g++ must not turn clang-only warnings into a failed parse.
  tool.appendArgumentsAdjuster(
      clang::tooling::getInsertArgumentAdjuster("-w", clang::tooling::ArgumentInsertPosition::END));
  if (!request.extraArgs.empty()) {
    tool.appendArgumentsAdjuster(
        clang::tooling::getInsertArgumentAdjuster(request.extraArgs, clang::tooling::ArgumentInsertPosition::END));
  }
  if (!resourceDir.empty()) {
    tool.appendArgumentsAdjuster([resourceDir](const clang::tooling::CommandLineArguments& args, llvm::StringRef) {
      if (hasResourceDirArg(args) || args.empty()) return args;
      clang::tooling::CommandLineArguments adjusted = args;
      adjusted.insert(adjusted.begin() + 1, "-resource-dir=" + resourceDir);
      return adjusted;
    });
  }
  // Compiler diagnostics go to `errors`, shown by the tool on stderr.
  auto diagOptions = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  clang::TextDiagnosticPrinter printer(errors, diagOptions.get());
  tool.setDiagnosticConsumer(&printer);
  tool.setPrintErrorMessage(false);

  LintToolAction action(checks, collector, sources.back());
  int status = tool.run(&action);
  if (status != 0) {
    result.toolError = true;
    errors << "rewind-lint: error: " << (status == 2 ? "some files were skipped; " : "")
           << "a translation unit failed to compile; no findings reported for it\n";
  }
  std::sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.position.file, a.position.line, a.position.column, a.check) <
           std::tie(b.position.file, b.position.line, b.position.column, b.check);
  });
  errors.flush();
  return result;
}

}  // namespace rwd::lint
