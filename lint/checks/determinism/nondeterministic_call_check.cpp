// Flags reads of clocks, random sources, UUID generators, the environment
// and thread ids in orchestration code, following calls into functions
// defined in the same translation unit.
#include "checks/determinism/nondeterministic_call_check.hpp"

#include <functional>

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

namespace {

// An argument of `stmt` (skipping a member call's object) that names a
// random engine with static storage, or a std::random_device.
const clang::VarDecl* engineArgument(const RewindModel& model, const NondeterministicCallCheck::Config& config,
                                     const clang::Stmt* stmt) {
  const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
  if (call == nullptr) return nullptr;
  unsigned first = llvm::isa<clang::CXXOperatorCallExpr>(call) ? 1 : 0;
  for (unsigned i = first; i < call->getNumArgs(); ++i) {
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(call->getArg(i)->IgnoreParenImpCasts());
    const auto* var = ref != nullptr ? llvm::dyn_cast<clang::VarDecl>(ref->getDecl()) : nullptr;
    if (var == nullptr) continue;
    const clang::CXXRecordDecl* record = var->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (record == nullptr) continue;
    const std::string& type = model.qualifiedName(record);
    if (type == "::std::random_device") return var;
    if (var->hasGlobalStorage() && config.engines.count(type) != 0) return var;
  }
  return nullptr;
}

bool isStdString(const RewindModel& model, clang::QualType type) {
  const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (record == nullptr) return false;
  const std::string& name = model.qualifiedName(record);
  return name == "::std::basic_string" || name == "::std::string";
}

// A type the default JSON serdes of the real API checkpoints as it is.
bool isCheckpointable(const RewindModel& model, clang::QualType type) {
  type = type.getNonReferenceType().getCanonicalType();
  if (type->isEnumeralType()) return false;
  return type->isArithmeticType() || isStdString(model, type);
}

bool isSystemTimePoint(const RewindModel& model, clang::QualType type) {
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      type.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (spec == nullptr || model.qualifiedName(spec) != "::std::chrono::time_point" ||
      spec->getTemplateArgs().size() < 1) {
    return false;
  }
  const clang::CXXRecordDecl* clock = spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  return clock != nullptr && model.qualifiedName(clock) == "::std::chrono::system_clock";
}

bool declaredAuto(const clang::VarDecl* var) {
  const clang::TypeSourceInfo* info = var->getTypeSourceInfo();
  return info != nullptr && info->getType()->getContainedAutoType() != nullptr;
}

bool isNullArgument(const clang::Expr* arg, clang::ASTContext& context) {
  return arg->IgnoreParenImpCasts()->isNullPointerConstant(context, clang::Expr::NPC_ValueDependentIsNotNull) !=
         clang::Expr::NPCK_NotNull;
}

}  // namespace

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
        // std::hash of a pointer: an object's address changes between
        // processes (ASLR, allocation order).
        if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
            method != nullptr && method->getOverloadedOperator() == clang::OO_Call &&
            model.qualifiedName(method->getParent()) == "::std::hash") {
          if (const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(method->getParent());
              spec != nullptr && spec->getTemplateArgs().size() == 1 &&
              spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type &&
              spec->getTemplateArgs()[0].getAsType()->isPointerType()) {
            return CallChainFinder::Verdict{"std::hash::operator()", "an object address"};
          }
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
        // Such an engine (or a random_device) handed to a distribution or an
        // algorithm: `dist(g_engine)`, `std::shuffle(b, e, g_engine)`.
        if (const clang::VarDecl* var = engineArgument(model, *config, stmt)) {
          std::string what = var->hasGlobalStorage()
                                 ? "a random engine with static storage ('" + var->getNameAsString() + "')"
                                 : "a random source ('" + var->getNameAsString() + "')";
          return CallChainFinder::Verdict{name.substr(2), what};
        }
        return std::nullopt;
      },
      /*followIntoRoots=*/false);

  const clang::SourceManager& sm = model.sourceManager();
  const clang::LangOptions& lang = model.astContext().getLangOpts();
  auto sourceText = [&](const clang::Stmt* stmt) {
    return clang::Lexer::getSourceText(clang::CharSourceRange::getTokenRange(stmt->getSourceRange()), sm, lang).str();
  };
  for (const clang::FunctionDecl* root : model.roots()) {
    std::string ctx = model.contextAccess(root);
    // Initialisers of variables declared directly in the root: these get a
    // fix-it that keeps the variable's type compiling against the real API.
    llvm::DenseMap<const clang::Stmt*, const clang::VarDecl*> initialisers;
    model.forEachStmtIn(root, [&](const clang::Stmt* stmt) {
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
        std::string written = model.writtenCallee(stmt);
        message = "'" + (written.empty() ? chain->offender : written) + "' reads " + chain->category +
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
      auto found = initialisers.find(stmt);
      const clang::VarDecl* var = found != initialisers.end() ? found->second : nullptr;
      const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
      // A default member initialiser is outside the constructor: its
      // context parameter is not in scope there.
      clang::SourceRange rootRange = root->getSourceRange();
      bool inRoot = !(stmt->getBeginLoc() < rootRange.getBegin()) && !(rootRange.getEnd() < stmt->getBeginLoc());
      if (!ctx.empty() && inRoot && call != nullptr && !stmt->getBeginLoc().isMacroID() &&
          !stmt->getEndLoc().isMacroID()) {
        std::optional<std::string> fix = fixFor(model, *call, chain->notes.empty(), var, ctx, sourceText);
        if (fix) {
          diag.fixes.push_back(
              clang::FixItHint::CreateReplacement(clang::CharSourceRange::getTokenRange(stmt->getSourceRange()), *fix));
        }
      }
      sink.report(std::move(diag));
    });
  }
}

std::optional<std::string> NondeterministicCallCheck::fixFor(
    const RewindModel& model, const clang::CallExpr& call, bool direct, const clang::VarDecl* var,
    const std::string& ctx, const std::function<std::string(const clang::Stmt*)>& sourceText) const {
  const clang::FunctionDecl* callee = call.getDirectCallee();
  const std::string name = callee != nullptr ? model.qualifiedName(callee) : "";
  std::string opName = var != nullptr ? "\"" + var->getNameAsString() + "\"" : "";
  clang::QualType type = call.getType();
  if (direct) {
    // Clocks: the replay-safe ctx.now() (one checkpointed step; rwd::TimePoint,
    // a system-clock time point in milliseconds).
    bool systemClock = isSystemTimePoint(model, type) && llvm::StringRef(name).endswith("::now");
    bool steadyAuto = name == "::std::chrono::steady_clock::now" && var != nullptr && declaredAuto(var);
    if (systemClock) {
      // A variable of a coarser declared type would not take milliseconds.
      if (var == nullptr || declaredAuto(var) || isSystemTimePoint(model, var->getType())) {
        return ctx + "now(" + opName + ")";
      }
      return std::nullopt;
    }
    if (steadyAuto) return ctx + "now(" + opName + ")";
    if ((name == "::time" || name == "::std::time") && call.getNumArgs() == 1 &&
        isNullArgument(call.getArg(0), model.astContext())) {
      return "std::chrono::system_clock::to_time_t(" + ctx + "now(" + opName + "))";
    }
    // getenv: a step returns the value as a std::string, never a char*.
    if (name == "::getenv" || name == "::secure_getenv") {
      if (var == nullptr || !isStdString(model, var->getType())) return std::nullopt;
      return ctx + "step(" + opName + ", [&] { const char* value = " + sourceText(&call) +
             "; return std::string(value != nullptr ? value : \"\"); })";
    }
  }
  // Anything else the default serdes checkpoints: wrap the initialiser in a step.
  if (var == nullptr || !isCheckpointable(model, type)) return std::nullopt;
  return ctx + "step(" + opName + ", [&] { return " + sourceText(&call) + "; })";
}

}  // namespace rwd::lint
