// Flags reads of clocks, random sources, UUID generators, the environment
// and thread ids in orchestration code, following calls into functions
// defined in the same translation unit.
#include "checks/determinism/nondeterministic_call_check.hpp"

#include "clang/Lex/Lexer.h"
#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringMap.h"

namespace rwd::lint {
namespace {

constexpr const char* kClockFunctions =
    "::std::chrono::system_clock::now;::std::chrono::steady_clock::now;"
    "::std::chrono::high_resolution_clock::now;::std::chrono::utc_clock::now;"
    "::std::chrono::tai_clock::now;::std::chrono::gps_clock::now;"
    "::std::chrono::file_clock::now;::time;::gettimeofday;::clock_gettime;"
    "::clock;::ftime;::timespec_get;::localtime;::localtime_r;"
    "::boost::posix_time::second_clock::local_time;"
    "::boost::posix_time::second_clock::universal_time;"
    "::boost::posix_time::microsec_clock::local_time;"
    "::boost::posix_time::microsec_clock::universal_time";
constexpr const char* kRandomFunctions =
    "::rand;::random;::rand_r;::drand48;::erand48;::lrand48;::nrand48;"
    "::mrand48;::jrand48;::arc4random;::arc4random_uniform;::arc4random_buf;"
    "::getrandom;::getentropy;::std::random_device::operator()";
constexpr const char* kUuidFunctions =
    "::uuid_generate;::uuid_generate_random;::uuid_generate_time;"
    "::uuid_generate_time_safe;::boost::uuids::random_generator::operator();"
    "::boost::uuids::basic_random_generator::operator();"
    "::boost::uuids::random_generator_pure::operator();"
    "::boost::uuids::time_generator_v1::operator();"
    "::boost::uuids::time_generator_v7::operator()";
constexpr const char* kEnvironmentFunctions = "::getenv;::secure_getenv";
constexpr const char* kThreadIdFunctions = "::std::this_thread::get_id;::pthread_self;::gettid;::getpid";
constexpr const char* kRandomEngines =
    "::std::mersenne_twister_engine;::std::linear_congruential_engine;"
    "::std::subtract_with_carry_engine;::std::discard_block_engine;"
    "::std::independent_bits_engine;::std::shuffle_order_engine";

// The object a member call is made on, when it is a plain variable.
const clang::VarDecl* calledObject(const clang::Stmt* stmt) {
  const clang::Expr* object = nullptr;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
    if (op->getNumArgs() > 0) object = op->getArg(0);
  } else if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
    object = member->getImplicitObjectArgument();
  }
  if (object == nullptr) return nullptr;
  const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(object->IgnoreParenImpCasts());
  return ref != nullptr ? llvm::dyn_cast<clang::VarDecl>(ref->getDecl()) : nullptr;
}

}  // namespace

struct NondeterministicCallCheck::Config {
  llvm::StringMap<std::string> functions;  // qualified name -> category
  llvm::StringMap<bool> engines;
};

NondeterministicCallCheck::NondeterministicCallCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  auto add = [&](const std::string& key, const char* fallback, const char* category) {
    for (const std::string& fn : splitList(option(key, fallback))) {
      config->functions[fn.rfind("::", 0) == 0 ? fn : "::" + fn] = category;
    }
  };
  add("ClockFunctions", kClockFunctions, "a clock");
  add("RandomFunctions", kRandomFunctions, "a random source");
  add("UuidFunctions", kUuidFunctions, "a UUID generator");
  add("EnvironmentFunctions", kEnvironmentFunctions, "the environment");
  add("ThreadIdFunctions", kThreadIdFunctions, "a thread or process id");
  add("AdditionalFunctions", "", "a non-deterministic source");
  for (const std::string& engine : splitList(option("RandomEngines", kRandomEngines))) {
    config->engines[engine.rfind("::", 0) == 0 ? engine : "::" + engine] = true;
  }
  config_ = std::move(config);
}

void NondeterministicCallCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  std::shared_ptr<const Config> config = config_;
  CallChainFinder finder(
      model,
      [&model, config](const clang::Stmt* stmt) -> std::optional<CallChainFinder::Verdict> {
        const clang::FunctionDecl* callee = RewindModel::calleeOf(stmt);
        if (callee == nullptr) return std::nullopt;
        const std::string& name = model.qualifiedName(callee);
        auto found = config->functions.find(name);
        if (found != config->functions.end()) {
          return CallChainFinder::Verdict{name.substr(2), found->second};
        }
        // operator() of a random engine that lives for the whole process:
        // its state differs between the first run and a replay.
        const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
        if (method != nullptr && method->getOverloadedOperator() == clang::OO_Call &&
            config->engines.count(model.qualifiedName(method->getParent())) != 0) {
          const clang::VarDecl* var = calledObject(stmt);
          if (var != nullptr && var->hasGlobalStorage()) {
            return CallChainFinder::Verdict{name.substr(2),
                                            "a random engine with static storage ('" + var->getNameAsString() + "')"};
          }
        }
        return std::nullopt;
      },
      /*followIntoRoots=*/false);

  const clang::SourceManager& sm = model.sourceManager();
  const clang::LangOptions& lang = model.astContext().getLangOpts();
  for (const clang::FunctionDecl* root : model.roots()) {
    const clang::ParmVarDecl* ctxParam = model.contextParameter(root);
    // Initialisers of variables declared directly in the root: these get
    // a fix-it wrapping the initialiser in a step.
    llvm::DenseMap<const clang::Stmt*, const clang::VarDecl*> initialisers;
    model.forEachStmt(root->getBody(), [&](const clang::Stmt* stmt) {
      if (const auto* declStmt = llvm::dyn_cast<clang::DeclStmt>(stmt)) {
        if (!declStmt->isSingleDecl()) return;
        const auto* var = llvm::dyn_cast<clang::VarDecl>(declStmt->getSingleDecl());
        if (var != nullptr && var->getInit() != nullptr && var->getDeclContext() == root) {
          initialisers[var->getInit()->IgnoreUnlessSpelledInSource()] = var;
        }
        return;
      }
      std::optional<CallChain> chain = finder.analyze(stmt);
      if (!chain) return;
      std::string message;
      if (chain->notes.empty()) {
        message = "'" + chain->offender + "' reads " + chain->category +
                  " in orchestration code, so its result changes on replay; "
                  "move the call into a step";
      } else {
        message = "'" + model.displayName(RewindModel::calleeOf(stmt)) + "' reads " + chain->category + " through '" +
                  chain->offender +
                  "' in orchestration code, so its result changes on replay; "
                  "move the call into a step";
      }
      LintDiagnostic diag = diagnostic(stmt->getBeginLoc(), std::move(message));
      diag.notes = chain->notes;
      auto var = initialisers.find(stmt);
      if (var != initialisers.end() && ctxParam != nullptr && !ctxParam->getName().empty() &&
          !stmt->getBeginLoc().isMacroID() && !stmt->getEndLoc().isMacroID()) {
        clang::CharSourceRange range = clang::CharSourceRange::getTokenRange(stmt->getSourceRange());
        llvm::StringRef text = clang::Lexer::getSourceText(range, sm, lang);
        std::string access = ctxParam->getType()->isPointerType() ? "->" : ".";
        diag.fixes.push_back(clang::FixItHint::CreateReplacement(range, ctxParam->getName().str() + access + "step(\"" +
                                                                            var->second->getNameAsString() +
                                                                            "\", [&] { return " + text.str() + "; })"));
      }
      sink.report(std::move(diag));
    });
  }
}

}  // namespace rwd::lint
