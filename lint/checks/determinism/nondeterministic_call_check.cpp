// Flags reads of clocks, random sources, UUID generators, the environment,
// thread ids and external state (files, the network, processes, standard
// input) in orchestration code, following calls into functions defined in
// the same translation unit.
#include "checks/determinism/nondeterministic_call_check.hpp"

#include <functional>

#include "clang/Lex/Lexer.h"
#include "core/call_chain.hpp"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

namespace rwd::lint {
namespace {

constexpr const char* kClockFunctions =
    "::std::chrono::system_clock::now;::std::chrono::steady_clock::now;"
    "::std::chrono::high_resolution_clock::now;::std::chrono::utc_clock::now;"
    "::std::chrono::tai_clock::now;::std::chrono::gps_clock::now;"
    "::std::chrono::file_clock::now;::std::filesystem::__file_clock::now;"
    "::time;::gettimeofday;::clock_gettime;::clock;::times;::ftime;::timespec_get;"
    "::localtime;::localtime_r;::__rdtsc;::__rdtscp;::__builtin_ia32_rdtsc;"
    "::__builtin_ia32_rdtscp;::__builtin_readcyclecounter;"
    "::boost::posix_time::second_clock::local_time;"
    "::boost::posix_time::second_clock::universal_time;"
    "::boost::posix_time::microsec_clock::local_time;"
    "::boost::posix_time::microsec_clock::universal_time";
constexpr const char* kRandomFunctions =
    "::rand;::random;::rand_r;::drand48;::erand48;::lrand48;::nrand48;"
    "::mrand48;::jrand48;::arc4random;::arc4random_uniform;::arc4random_buf;"
    "::getrandom;::getentropy;::std::random_device::operator();"
    "::std::random_shuffle";  // its two-argument form draws from rand()
// Names made unique by the system: another one on every run.
constexpr const char* kUniqueNameFunctions =
    "::tmpnam;::tmpnam_r;::tempnam;::mktemp;::mkstemp;::mkstemp64;::mkstemps;"
    "::mkstemps64;::mkostemp;::mkostemp64;::mkostemps;::mkostemps64;::mkdtemp;"
    "::tmpfile;::tmpfile64";
constexpr const char* kUuidFunctions =
    "::uuid_generate;::uuid_generate_random;::uuid_generate_time;"
    "::uuid_generate_time_safe;::boost::uuids::random_generator::operator();"
    "::boost::uuids::basic_random_generator::operator();"
    "::boost::uuids::random_generator_pure::operator();"
    "::boost::uuids::time_generator_v1::operator();"
    "::boost::uuids::time_generator_v7::operator()";
constexpr const char* kEnvironmentFunctions = "::getenv;::secure_getenv";
constexpr const char* kThreadIdFunctions =
    "::std::this_thread::get_id;::pthread_self;::gettid;::getpid;::getppid;::getpgrp;::getpgid;::getsid";
// The machine the invocation runs on: a replay may run on another one (another
// Lambda sandbox, another size).
constexpr const char* kHostFunctions =
    "::std::thread::hardware_concurrency;::std::jthread::hardware_concurrency;"
    "::gethostname;::uname;::sysconf;::get_nprocs;::get_nprocs_conf;::getloadavg;"
    "::sysinfo;::getrusage";
// External state: a replay can see different data. C functions are matched
// only when declared extern "C" (a project's own `::read(Config&)` is not
// the POSIX one).
constexpr const char* kFileFunctions =
    "::fopen;::fopen64;::freopen;::freopen64;::open;::open64;::openat;::openat64;"
    "::read;::pread;::pread64;::readv;::preadv;::fread;::fgets;::fgetc;::getc;"
    "::fscanf;::getline;::getdelim;::fgetwc;::fgetws;::getwc;::getc_unlocked;"
    "::fgetc_unlocked;::fgets_unlocked;::fread_unlocked;::mmap;::mmap64;::ioctl";
constexpr const char* kFileStreamTypes = "::std::basic_ifstream;::std::basic_fstream";
constexpr const char* kFileSystemFunctions =
    "::std::filesystem::exists;::std::filesystem::file_size;"
    "::std::filesystem::last_write_time;::std::filesystem::is_regular_file;"
    "::std::filesystem::is_directory;::std::filesystem::is_symlink;"
    "::std::filesystem::is_empty;::std::filesystem::status;"
    "::std::filesystem::symlink_status;::std::filesystem::canonical;"
    "::std::filesystem::weakly_canonical;::std::filesystem::read_symlink;"
    "::std::filesystem::space;::std::filesystem::equivalent;"
    "::std::filesystem::hard_link_count;::std::filesystem::current_path;"
    "::std::filesystem::temp_directory_path;::stat;::stat64;::lstat;::lstat64;"
    "::fstat;::fstat64;::fstatat;::fstatat64;::statx;::statvfs;::statfs;::access;"
    "::faccessat;::euidaccess;::eaccess;::readlink;::readlinkat;::realpath;"
    "::opendir;::fdopendir;::readdir;::readdir64;::readdir_r;::scandir;::glob;"
    "::getcwd;::get_current_dir_name";
constexpr const char* kDirectoryIteratorTypes =
    "::std::filesystem::directory_iterator;::std::filesystem::recursive_directory_iterator;"
    "::std::filesystem::directory_entry";
constexpr const char* kNetworkFunctions =
    "::socket;::connect;::accept;::accept4;::recv;::recvfrom;::recvmsg;"
    "::recvmmsg;::select;::pselect;::poll;::ppoll;::epoll_wait;::epoll_pwait;"
    "::getaddrinfo;::getnameinfo;::gethostbyname;::gethostbyname2;::gethostbyname_r;"
    "::gethostbyaddr;"
    "::curl_easy_perform;::curl_multi_perform;"
    "::httplib::Client::Get;::httplib::Client::Post;::httplib::Client::Put;"
    "::httplib::Client::Patch;::httplib::Client::Delete;::httplib::Client::Head;"
    "::httplib::Client::Options;::httplib::Client::send;"
    "::httplib::ClientImpl::Get;::httplib::ClientImpl::Post;::httplib::ClientImpl::Put;"
    "::httplib::ClientImpl::Patch;::httplib::ClientImpl::Delete;::httplib::ClientImpl::Head;"
    "::httplib::ClientImpl::Options;::httplib::ClientImpl::send;"
    "::httplib::SSLClient::Get;::httplib::SSLClient::Post;::httplib::SSLClient::Put;"
    "::httplib::SSLClient::Patch;::httplib::SSLClient::Delete;::httplib::SSLClient::Head;"
    "::httplib::SSLClient::Options;::httplib::SSLClient::send";
constexpr const char* kProcessFunctions =
    "::system;::popen;::posix_spawn;::posix_spawnp;::fork;::vfork;::execv;::execve;"
    "::execvp;::execvpe;::execveat;::fexecve;::execl;::execle;::execlp";
constexpr const char* kStandardInputFunctions = "::scanf;::vscanf;::getchar;::getchar_unlocked;::wscanf;::getwchar";
constexpr const char* kStandardInputStreams = "::std::cin;::std::wcin";

// What a call does, as the message says it.
constexpr const char* kReadsFile = "reads a file";
constexpr const char* kReadsFileSystem = "reads the file system";
constexpr const char* kReadsNetwork = "reads the network";
constexpr const char* kRunsProcess = "runs a process";
constexpr const char* kReadsStandardInput = "reads standard input";

// A read of external state: no fix-it (the read itself has to move into a
// step), a message of its own.
bool isExternalRead(llvm::StringRef category) {
  return category == kReadsFile || category == kReadsFileSystem || category == kReadsNetwork ||
         category == kRunsProcess || category == kReadsStandardInput;
}

constexpr const char* kRandomEngines =
    "::std::mersenne_twister_engine;::std::linear_congruential_engine;"
    "::std::subtract_with_carry_engine;::std::discard_block_engine;"
    "::std::independent_bits_engine;::std::shuffle_order_engine";

// The variable an expression names, or null.
const clang::VarDecl* referencedVar(const clang::Expr* expr) {
  const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(expr->IgnoreParenImpCasts());
  return ref != nullptr ? llvm::dyn_cast<clang::VarDecl>(ref->getDecl()) : nullptr;
}

// The object a member call is made on, when it is a plain variable.
const clang::VarDecl* calledObject(const clang::Stmt* stmt) {
  const clang::Expr* object = nullptr;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
    if (op->getNumArgs() > 0) object = op->getArg(0);
  } else if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
    object = member->getImplicitObjectArgument();
  }
  return object != nullptr ? referencedVar(object) : nullptr;
}

}  // namespace

struct NondeterministicCallCheck::Config {
  llvm::StringMap<std::string> functions;  // qualified name -> what it does ("reads a clock")
  llvm::StringMap<bool> engines;
  // Classes whose construction from arguments (not a copy or move), or whose
  // open(), reads external state -> what it does.
  llvm::StringMap<std::string> readerTypes;
  llvm::StringMap<bool> standardInputStreams;  // std::cin...
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
    const clang::VarDecl* var = referencedVar(call->getArg(i));
    if (var == nullptr) continue;
    const clang::CXXRecordDecl* record = var->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (record == nullptr) continue;
    const std::string& type = model.qualifiedName(record);
    if (type == "::std::random_device") return var;
    if (var->hasGlobalStorage() && config.engines.count(type) != 0) return var;
  }
  return nullptr;
}

const clang::CXXRecordDecl* parameterRecord(const clang::FunctionDecl* fn, unsigned index) {
  if (index >= fn->getNumParams()) return nullptr;
  return fn->getParamDecl(index)->getType().getNonReferenceType()->getAsCXXRecordDecl();
}

// A std::filesystem overload that reads nothing: `exists(file_status)`
// inspects a status already read; `last_write_time(p, t)` sets the time and
// `current_path(p)` the working directory (a setter returns nothing).
bool isPureOrSetterOverload(const RewindModel& model, const clang::FunctionDecl* fn) {
  if (fn->getReturnType()->isVoidType() && llvm::StringRef(model.qualifiedName(fn)).startswith("::std::filesystem::")) {
    return true;
  }
  if (const clang::CXXRecordDecl* first = parameterRecord(fn, 0);
      first != nullptr && model.qualifiedName(first) == "::std::filesystem::file_status") {
    return true;
  }
  for (unsigned i = 1; i < fn->getNumParams(); ++i) {
    const clang::CXXRecordDecl* record = parameterRecord(fn, i);
    if (record != nullptr && model.qualifiedName(record) == "::std::chrono::time_point") return true;
  }
  return false;
}

// `fopen(path, "w")`, `open(path, O_WRONLY | O_CREAT)`: opened for writing
// only, so nothing is read. Unknown modes count as reads.
bool opensForWritingOnly(const std::string& name, const clang::CallExpr& call, clang::ASTContext& context) {
  if (name == "::fopen" || name == "::fopen64" || name == "::freopen" || name == "::freopen64") {
    if (call.getNumArgs() < 2) return false;
    const auto* mode = llvm::dyn_cast<clang::StringLiteral>(call.getArg(1)->IgnoreParenImpCasts());
    return mode != nullptr && mode->getCharByteWidth() == 1 && !mode->getString().contains('r') &&
           !mode->getString().contains('+');
  }
  unsigned flagsIndex = 0;
  if (name == "::open" || name == "::open64") {
    flagsIndex = 1;
  } else if (name == "::openat" || name == "::openat64") {
    flagsIndex = 2;
  } else {
    return false;
  }
  clang::Expr::EvalResult flags;
  if (call.getNumArgs() <= flagsIndex || call.getArg(flagsIndex)->isValueDependent() ||
      !call.getArg(flagsIndex)->EvaluateAsInt(flags, context)) {
    return false;
  }
  // Linux: O_ACCMODE is 3, O_WRONLY 1.
  return (flags.Val.getInt().getExtValue() & 3) == 1;
}

// A C file read whose stream is `stdin` (or whose descriptor is 0).
bool readsStandardInputHandle(const RewindModel& model, const std::string& name, const clang::CallExpr& call) {
  for (const clang::Expr* arg : call.arguments()) {
    const clang::VarDecl* var = referencedVar(arg);
    if (var != nullptr && model.qualifiedName(var) == "::stdin") return true;
  }
  if ((name == "::read" || name == "::pread" || name == "::pread64" || name == "::readv" || name == "::preadv") &&
      call.getNumArgs() > 0 && !call.getArg(0)->isValueDependent()) {
    clang::Expr::EvalResult fd;
    return call.getArg(0)->EvaluateAsInt(fd, model.astContext()) && fd.Val.getInt().getExtValue() == 0;
  }
  return false;
}

// `std::cin >> x`, `std::getline(std::cin, s)`, `std::cin.get()`: the
// standard input stream read, or null.
const clang::VarDecl* standardInputStreamRead(const RewindModel& model, const NondeterministicCallCheck::Config& config,
                                              const clang::Stmt* stmt) {
  auto isStandardInput = [&](const clang::VarDecl* var) {
    return var != nullptr && config.standardInputStreams.count(model.qualifiedName(var)) != 0;
  };
  // `std::getline(std::cin, s)`, and the stream handed to a function or a
  // constructor that reads it (`parse(std::cin)`, `std::istream_iterator<int>(std::cin)`).
  auto handedOver = [&](auto arguments) -> const clang::VarDecl* {
    for (const clang::Expr* arg : arguments) {
      if (const clang::VarDecl* var = referencedVar(arg); isStandardInput(var)) return var;
    }
    return nullptr;
  };
  const clang::VarDecl* stream = nullptr;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
    if (op->getOperator() == clang::OO_GreaterGreater && op->getNumArgs() == 2) stream = referencedVar(op->getArg(0));
  } else if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
    const clang::CXXMethodDecl* method = member->getMethodDecl();
    if (method != nullptr && method->getIdentifier() != nullptr &&
        llvm::StringSwitch<bool>(method->getName())
            .Cases("get", "getline", "read", "readsome", "peek", "ignore", true)
            .Default(false)) {
      stream = referencedVar(member->getImplicitObjectArgument());
    }
  } else if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    stream = handedOver(call->arguments());
  } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(stmt)) {
    stream = handedOver(construct->arguments());
  }
  return isStandardInput(stream) ? stream : nullptr;
}

std::string typeName(const RewindModel& model, clang::QualType type) {
  clang::PrintingPolicy policy(model.astContext().getLangOpts());
  policy.SuppressTagKeyword = true;
  policy.SuppressUnwrittenScope = true;
  return type.getLocalUnqualifiedType().getAsString(policy);
}

// The type a construction names, as written where possible (`std::ifstream`,
// not `std::basic_ifstream<char>`).
std::string constructedTypeName(const RewindModel& model, const clang::CXXConstructExpr& construct) {
  clang::QualType type = construct.getType();
  if (const auto* temporary = llvm::dyn_cast<clang::CXXTemporaryObjectExpr>(&construct)) {
    if (const clang::TypeSourceInfo* info = temporary->getTypeSourceInfo()) type = info->getType();
  }
  return typeName(model, type);
}

// A member call named after its object's type as written: `std::ifstream::open`,
// `httplib::SSLClient::Get` (though cpp-httplib declares it in ClientImpl).
std::string memberCallName(const RewindModel& model, const clang::CXXMemberCallExpr& call,
                           const clang::CXXMethodDecl& method) {
  const clang::Expr* object = call.getImplicitObjectArgument();
  if (object == nullptr || method.getIdentifier() == nullptr) return model.displayName(&method);
  clang::QualType type = object->IgnoreParenImpCasts()->getType();
  if (type->isPointerType()) type = type->getPointeeType();
  return typeName(model, type) + "::" + method.getName().str();
}

// Reads of external state: a file, the file system, the network, a
// process, standard input. Nullopt when `stmt` reads none.
std::optional<CallChainFinder::Verdict> externalRead(const RewindModel& model,
                                                     const NondeterministicCallCheck::Config& config,
                                                     const clang::Stmt* stmt) {
  if (const clang::VarDecl* stream = standardInputStreamRead(model, config, stmt)) {
    return CallChainFinder::Verdict{model.displayName(stream), kReadsStandardInput};
  }
  // A stream or iterator constructed from a path, or a stream's open().
  const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(RewindModel::calleeOf(stmt));
  if (method == nullptr) return std::nullopt;
  auto type = config.readerTypes.find(model.qualifiedName(method->getParent()));
  if (type == config.readerTypes.end()) return std::nullopt;
  if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(stmt)) {
    if (construct->getConstructor()->isCopyOrMoveConstructor() || construct->getNumArgs() == 0 ||
        llvm::isa<clang::CXXDefaultArgExpr>(construct->getArg(0))) {
      return std::nullopt;
    }
    return CallChainFinder::Verdict{constructedTypeName(model, *construct), type->second};
  }
  // open(), and a directory_entry's assign/replace_filename/refresh (each reads the entry's status).
  const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt);
  if (member != nullptr && method->getIdentifier() != nullptr &&
      llvm::StringSwitch<bool>(method->getName())
          .Cases("open", "assign", "replace_filename", "refresh", true)
          .Default(false)) {
    return CallChainFinder::Verdict{memberCallName(model, *member, *method), type->second};
  }
  return std::nullopt;
}

// A call matched by name to an external-state list (`action`), after the
// rules that keep look-alikes out; nullopt for a look-alike.
std::optional<CallChainFinder::Verdict> externalCall(const RewindModel& model, const std::string& name,
                                                     const std::string& action, const clang::FunctionDecl* callee,
                                                     const clang::Stmt* stmt) {
  // A global name is the C library's only when declared extern "C".
  if (name.find("::", 2) == std::string::npos && !callee->isExternC()) return std::nullopt;
  if (action == kReadsFileSystem && isPureOrSetterOverload(model, callee)) return std::nullopt;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    if (opensForWritingOnly(name, *call, model.astContext())) return std::nullopt;
    if (action == kReadsFile && readsStandardInputHandle(model, name, *call)) {
      return CallChainFinder::Verdict{name.substr(2), kReadsStandardInput};
    }
  }
  const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt);
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
  if (member != nullptr && method != nullptr) {
    return CallChainFinder::Verdict{memberCallName(model, *member, *method), action};
  }
  return CallChainFinder::Verdict{name.substr(2), action};
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

// An argument the call can write through: a pointer to non-const that is
// not null, or one bound to a non-const lvalue reference parameter.
bool writesThroughAnArgument(const clang::CallExpr& call, clang::ASTContext& context) {
  const clang::FunctionDecl* callee = call.getDirectCallee();
  unsigned first = llvm::isa<clang::CXXOperatorCallExpr>(call) ? 1 : 0;
  for (unsigned i = first; i < call.getNumArgs(); ++i) {
    const clang::Expr* arg = call.getArg(i);
    clang::QualType type = arg->getType();
    if (type->isPointerType() && !type->getPointeeType().isConstQualified() && !isNullArgument(arg, context)) {
      return true;
    }
    unsigned param = i - first;
    if (callee != nullptr && param < callee->getNumParams()) {
      clang::QualType declared = callee->getParamDecl(param)->getType();
      if (declared->isLValueReferenceType() && !declared.getNonReferenceType().isConstQualified()) return true;
    }
  }
  return false;
}

}  // namespace

NondeterministicCallCheck::NondeterministicCallCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  auto qualified = [](const std::string& name) { return name.rfind("::", 0) == 0 ? name : "::" + name; };
  auto add = [&](const std::string& key, const char* fallback, const char* category) {
    for (const std::string& fn : splitList(option(key, fallback))) {
      config->functions[qualified(fn)] = category;
    }
  };
  add("ClockFunctions", kClockFunctions, "reads a clock");
  add("RandomFunctions", kRandomFunctions, "reads a random source");
  add("UuidFunctions", kUuidFunctions, "reads a UUID generator");
  add("EnvironmentFunctions", kEnvironmentFunctions, "reads the environment");
  add("ThreadIdFunctions", kThreadIdFunctions, "reads a thread or process id");
  add("UniqueNameFunctions", kUniqueNameFunctions, "makes a unique name");
  add("HostFunctions", kHostFunctions, "reads the host");
  add("FileFunctions", kFileFunctions, kReadsFile);
  add("FileSystemFunctions", kFileSystemFunctions, kReadsFileSystem);
  add("NetworkFunctions", kNetworkFunctions, kReadsNetwork);
  add("ProcessFunctions", kProcessFunctions, kRunsProcess);
  add("StandardInputFunctions", kStandardInputFunctions, kReadsStandardInput);
  add("AdditionalFunctions", "", "reads a non-deterministic source");
  for (const std::string& engine : splitList(option("RandomEngines", kRandomEngines))) {
    config->engines[qualified(engine)] = true;
  }
  for (const std::string& type : splitList(option("FileStreamTypes", kFileStreamTypes))) {
    config->readerTypes[qualified(type)] = kReadsFile;
  }
  for (const std::string& type : splitList(option("DirectoryIteratorTypes", kDirectoryIteratorTypes))) {
    config->readerTypes[qualified(type)] = kReadsFileSystem;
  }
  for (const std::string& stream : splitList(option("StandardInputStreams", kStandardInputStreams))) {
    config->standardInputStreams[qualified(stream)] = true;
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
        // std::random_shuffle(first, last, generator) draws from the caller's generator.
        if (found != config->functions.end() && name == "::std::random_shuffle") {
          const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
          if (call == nullptr || call->getNumArgs() != 2) found = config->functions.end();
        }
        if (found != config->functions.end()) {
          if (isExternalRead(found->second)) {
            return externalCall(model, name, found->second, callee, stmt);
          }
          return CallChainFinder::Verdict{name.substr(2), found->second};
        }
        if (std::optional<CallChainFinder::Verdict> read = externalRead(model, *config, stmt)) return read;
        // std::hash of a pointer: an object's address changes between
        // processes (ASLR, allocation order).
        if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
            method != nullptr && method->getOverloadedOperator() == clang::OO_Call &&
            model.qualifiedName(method->getParent()) == "::std::hash") {
          if (const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(method->getParent());
              spec != nullptr && spec->getTemplateArgs().size() == 1 &&
              spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type &&
              spec->getTemplateArgs()[0].getAsType()->isPointerType()) {
            return CallChainFinder::Verdict{"std::hash::operator()", "reads an object address"};
          }
        }
        // operator() of a random engine that lives for the whole process:
        // its state differs between the first run and a replay.
        const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
        if (method != nullptr && method->getOverloadedOperator() == clang::OO_Call &&
            config->engines.count(model.qualifiedName(method->getParent())) != 0) {
          const clang::VarDecl* var = calledObject(stmt);
          if (var != nullptr && var->hasGlobalStorage()) {
            return CallChainFinder::Verdict{
                name.substr(2), "reads a random engine with static storage ('" + var->getNameAsString() + "')"};
          }
        }
        // Such an engine (or a random_device) handed to a distribution or an
        // algorithm: `dist(g_engine)`, `std::shuffle(b, e, g_engine)`.
        if (const clang::VarDecl* var = engineArgument(model, *config, stmt)) {
          std::string what = var->hasGlobalStorage()
                                 ? "reads a random engine with static storage ('" + var->getNameAsString() + "')"
                                 : "reads a random source ('" + var->getNameAsString() + "')";
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
      // External state: the read itself belongs in a step, and a process
      // also runs again.
      bool external = isExternalRead(chain->category);
      std::string consequence = !external ? "so its result changes on replay; move the call into a step"
                                : chain->category == kRunsProcess
                                    ? "so it runs again on every replay and can return a different result; "
                                      "move it into a step"
                                    : "so a replay can see different data; move it into a step";
      std::string message;
      if (chain->notes.empty()) {
        std::string written = model.writtenCallee(stmt);
        message = "'" + (written.empty() ? chain->offender : written) + "' " + chain->category +
                  " in orchestration code, " + consequence;
      } else {
        message = "'" + model.displayName(RewindModel::calleeOf(stmt)) + "' " + chain->category + " through '" +
                  chain->offender + "' in orchestration code, " + consequence;
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
      if (!external && !ctx.empty() && inRoot && call != nullptr && !stmt->getBeginLoc().isMacroID() &&
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
  // Anything else the default serdes checkpoints: wrap the initialiser in a step,
  // unless the call also writes through an argument (`gethostname(buf, n)`,
  // `gettimeofday(&tv, nullptr)`): a replay would return the checkpointed value
  // and leave what the argument points to unwritten.
  if (var == nullptr || !isCheckpointable(model, type) || writesThroughAnArgument(call, model.astContext())) {
    return std::nullopt;
  }
  return ctx + "step(" + opName + ", [&] { return " + sourceText(&call) + "; })";
}

}  // namespace rwd::lint
