// Flags mutation of captured state inside step-like callbacks, using Clang's
// ExprMutationAnalyzer (assignments, ++/--, non-const member calls, passing
// to non-const references, writes through captured pointers and references).
#include "checks/step/captured_mutation_check.hpp"

#include <functional>

#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "core/rewind_model.hpp"
#include "llvm/ADT/StringSet.h"

namespace rwd::lint {
namespace {

constexpr const char* kIgnoredTypes = "::rwd::DurableContext;::rwd::StepContext;::rwd::Logger";

// Expressions that dereference `var`: *var, var->member, var[i], and for
// smart pointers and std::reference_wrapper *var, var->member, var.get().
void collectDerefs(const clang::Stmt* stmt, const clang::ValueDecl* var, std::vector<const clang::Expr*>& out) {
  if (stmt == nullptr) return;
  auto refersTo = [var](const clang::Expr* expr) {
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(expr->IgnoreParenImpCasts());
    return ref != nullptr && ref->getDecl() == var;
  };
  auto smartArrow = [&](const clang::Expr* expr) {
    const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr->IgnoreParenImpCasts());
    return op != nullptr && op->getOperator() == clang::OO_Arrow && op->getNumArgs() >= 1 && refersTo(op->getArg(0));
  };
  if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(stmt)) {
    if (unary->getOpcode() == clang::UO_Deref && refersTo(unary->getSubExpr())) {
      out.push_back(unary);
    }
  } else if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(stmt)) {
    if (member->isArrow() && (refersTo(member->getBase()) || smartArrow(member->getBase()))) out.push_back(member);
  } else if (const auto* subscript = llvm::dyn_cast<clang::ArraySubscriptExpr>(stmt)) {
    if (refersTo(subscript->getBase())) out.push_back(subscript);
  } else if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
    if (op->getOperator() == clang::OO_Star && op->getNumArgs() == 1 && refersTo(op->getArg(0))) out.push_back(op);
  } else if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (method != nullptr && method->getIdentifier() != nullptr && method->getName() == "get" &&
        call->getImplicitObjectArgument() != nullptr && refersTo(call->getImplicitObjectArgument()) &&
        method->getReturnType()->isReferenceType()) {
      out.push_back(call);
    }
  }
  for (const clang::Stmt* child : stmt->children()) collectDerefs(child, var, out);
}

// std::shared_ptr, std::unique_ptr, std::reference_wrapper (or any class
// with operator->): writes through them change an object outside the callback.
bool isPointerLike(const RewindModel& model, clang::QualType type) {
  const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (record == nullptr || !record->hasDefinition()) return false;
  const std::string& name = model.qualifiedName(record);
  if (name == "::std::shared_ptr" || name == "::std::unique_ptr" || name == "::std::reference_wrapper") return true;
  for (const clang::CXXMethodDecl* method : record->methods()) {
    if (method->getOverloadedOperator() == clang::OO_Arrow) return true;
  }
  return false;
}

// References to variables with static storage declared outside `body`
// (and outside system headers and namespace std), in `body`.
void collectGlobalRefs(const RewindModel& model, const clang::Stmt* body, std::vector<const clang::DeclRefExpr*>& out) {
  clang::SourceRange range = body->getSourceRange();
  std::function<void(const clang::Stmt*)> walk = [&](const clang::Stmt* stmt) {
    if (stmt == nullptr) return;
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt)) {
      const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
      if (var != nullptr && var->hasGlobalStorage() && !model.isInSystemHeader(var->getLocation())) {
        clang::SourceLocation loc = var->getLocation();
        bool inside = range.isValid() && loc.isValid() && !(loc < range.getBegin()) && !(range.getEnd() < loc);
        if (!inside) out.push_back(ref);
      }
    }
    for (const clang::Stmt* child : stmt->children()) walk(child);
  };
  walk(body);
}

// Locks taken inside a step on a captured mutex are not handler state.
bool isSynchronisation(const RewindModel& model, clang::QualType type) {
  const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (record == nullptr) return false;
  static const llvm::StringSet<> kNames = {
      "::std::mutex", "::std::recursive_mutex", "::std::timed_mutex", "::std::recursive_timed_mutex",
      "::std::shared_mutex", "::std::shared_timed_mutex", "::std::once_flag", "::std::condition_variable",
      "::std::condition_variable_any"};
  return kNames.contains(model.qualifiedName(record));
}

// Mutexes, once flags, condition variables, random engines and streams are
// meant to be used from step code: locking or drawing is not state the
// handler reads back.
bool isSynchronisationOrEngine(const RewindModel& model, clang::QualType type) {
  if (isSynchronisation(model, type)) return true;
  const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (record == nullptr) return false;
  static const llvm::StringSet<> kNames = {
      "::std::mersenne_twister_engine", "::std::linear_congruential_engine", "::std::subtract_with_carry_engine",
      "::std::discard_block_engine",    "::std::independent_bits_engine",    "::std::shuffle_order_engine",
      "::std::random_device",           "::std::basic_ostream",              "::std::basic_ofstream",
      "::std::basic_fstream"};
  return kNames.contains(model.qualifiedName(record));
}

// `object` is `expr`, or a member of it reached with `.` (`cart.items`).
bool reaches(const clang::Expr* object, const clang::Expr* expr) {
  object = object->IgnoreParenImpCasts();
  while (true) {
    if (object == expr) return true;
    const auto* member = llvm::dyn_cast<clang::MemberExpr>(object);
    if (member == nullptr || member->isArrow()) return false;
    object = member->getBase()->IgnoreParenImpCasts();
  }
}

// Calls that read an element through a non-const accessor: `v[i]`,
// `v.at(i)`, `v.front()`, `v.back()` on `object`. Not operator[] of a map,
// which inserts a missing key.
bool isElementAccess(const RewindModel& model, const clang::Stmt* mutation, const clang::Expr* object) {
  // The accessor is called on `object` or on a member of it (`order.lines.front()`).
  auto same = [object](const clang::Expr* expr) { return expr != nullptr && reaches(expr, object); };
  const clang::CXXMethodDecl* method = nullptr;
  const clang::Expr* base = nullptr;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(mutation)) {
    bool deref = op->getOperator() == clang::OO_Star && op->getNumArgs() == 1;  // *optional
    if ((op->getOperator() != clang::OO_Subscript && !deref) || op->getNumArgs() == 0) return false;
    method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(op->getDirectCallee());
    base = op->getArg(0);
  } else if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(mutation)) {
    method = call->getMethodDecl();
    if (method == nullptr || method->getIdentifier() == nullptr) return false;
    llvm::StringRef name = method->getName();
    if (name != "at" && name != "front" && name != "back" && name != "value") return false;
    base = call->getImplicitObjectArgument();
  } else {
    return false;
  }
  if (method == nullptr || !same(base) || !method->getReturnType()->isReferenceType()) return false;
  if (method->getOverloadedOperator() == clang::OO_Subscript) {
    const std::string& owner = model.qualifiedName(method->getParent());
    if (owner == "::std::map" || owner == "::std::unordered_map" || owner == "::absl::flat_hash_map" ||
        owner == "::absl::node_hash_map" || owner == "::boost::unordered_map") {
      return false;
    }
  }
  return true;
}

// Methods of standard containers and strings that hand out an iterator or
// a pointer: calling the non-const overload is a read unless the result is
// handed to an algorithm that writes through it (std::sort(v.begin(), ...)).
bool isIteratorAccessor(llvm::StringRef name) {
  return name == "begin" || name == "end" || name == "cbegin" || name == "cend" || name == "rbegin" ||
         name == "rend" || name == "crbegin" || name == "crend" || name == "find" || name == "lower_bound" ||
         name == "upper_bound" || name == "equal_range" || name == "data" || name == "c_str";
}

// Algorithms that write through every iterator they are given.
bool isMutatingAlgorithm(llvm::StringRef name) {
  static const llvm::StringSet<> kNames = {
      "::std::sort", "::std::stable_sort", "::std::partial_sort", "::std::nth_element", "::std::reverse",
      "::std::rotate", "::std::shuffle", "::std::random_shuffle", "::std::fill", "::std::fill_n",
      "::std::generate", "::std::generate_n", "::std::iota", "::std::remove", "::std::remove_if",
      "::std::unique", "::std::replace", "::std::replace_if", "::std::partition", "::std::stable_partition",
      "::std::swap_ranges", "::std::iter_swap", "::std::next_permutation", "::std::prev_permutation",
      "::std::make_heap", "::std::push_heap", "::std::pop_heap", "::std::sort_heap", "::std::inplace_merge",
      "::std::reverse_copy"};
  return kNames.contains(name);
}

// Algorithms that read their first two iterators and write through the rest.
bool isCopyingAlgorithm(llvm::StringRef name) {
  static const llvm::StringSet<> kNames = {
      "::std::copy", "::std::copy_n", "::std::copy_if", "::std::copy_backward", "::std::move",
      "::std::move_backward", "::std::transform", "::std::replace_copy", "::std::replace_copy_if",
      "::std::remove_copy", "::std::remove_copy_if", "::std::unique_copy", "::std::rotate_copy",
      "::std::partial_sort_copy"};
  return kNames.contains(name);
}

// Names a method of an opaque class (declared, defined in another
// translation unit) is assumed to mutate its object with.
bool hasMutatorName(llvm::StringRef name) {
  // Not "insert", "remove", "put", "update": service and database clients
  // use those names for calls whose effects are the step's purpose.
  static const char* const kPrefixes[] = {"set",   "add",    "push",      "append",    "emplace", "pop",
                                          "clear", "reset",  "increment", "decrement", "resize",  "swap"};
  std::string lower = name.lower();
  for (const char* prefix : kPrefixes) {
    llvm::StringRef ref(lower);
    if (ref.startswith(prefix)) {
      // "settle", "address", "popular" are not mutators: the prefix must end
      // the name or be followed by an upper-case letter or '_'.
      size_t n = llvm::StringRef(prefix).size();
      if (name.size() == n || name[n] == '_' || (name[n] >= 'A' && name[n] <= 'Z')) return true;
    }
  }
  return false;
}

bool isStdDecl(const RewindModel& model, const clang::NamedDecl* decl) {
  return llvm::StringRef(model.qualifiedName(decl)).startswith("::std::");
}

// The expression a value flows into, skipping implicit nodes and copies.
const clang::Stmt* consumerOf(clang::ASTContext& context, const clang::Stmt* stmt, const clang::Stmt*& child) {
  child = stmt;
  for (int hops = 0; hops < 8; ++hops) {
    auto parents = context.getParents(*child);
    if (parents.empty()) return nullptr;
    const clang::Stmt* parent = parents[0].get<clang::Stmt>();
    if (parent == nullptr) return nullptr;
    if (llvm::isa<clang::ImplicitCastExpr, clang::MaterializeTemporaryExpr, clang::CXXBindTemporaryExpr,
                  clang::ParenExpr, clang::ExprWithCleanups>(parent)) {
      child = parent;
      continue;
    }
    if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(parent);
        construct != nullptr && construct->getConstructor() != nullptr &&
        (construct->getConstructor()->isCopyOrMoveConstructor()) && construct->getNumArgs() >= 1) {
      child = parent;
      continue;
    }
    return parent;
  }
  return nullptr;
}

class MutationFinder {
 public:
  MutationFinder(const RewindModel& model) : model_(model) {}

  // The first write to `expr` in `analyzer`'s body, or null: a mutation as
  // ExprMutationAnalyzer sees it, except an element read through a
  // non-const accessor whose result is not itself written, an iterator
  // handed out by a non-const accessor and only read, and a non-const
  // method of a user class that does not change its object.
  const clang::Stmt* findWrite(clang::ExprMutationAnalyzer& analyzer, const clang::Expr* expr, unsigned depth = 0) {
    const clang::Stmt* mutation = analyzer.findMutation(expr);
    if (mutation == nullptr) return nullptr;
    if (isElementAccess(model_, mutation, expr)) {
      return analyzer.findMutation(llvm::cast<clang::Expr>(mutation));
    }
    if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(mutation)) {
      const clang::CXXMethodDecl* method = call->getMethodDecl();
      const clang::Expr* object = call->getImplicitObjectArgument();
      if (method != nullptr && object != nullptr && reaches(object, expr)) {
        if (isStdDecl(model_, method->getParent())) {
          if (method->getIdentifier() != nullptr && isIteratorAccessor(method->getName()) &&
              !iteratorWrittenThrough(analyzer, call)) {
            return nullptr;
          }
          return mutation;
        }
        if (!method->getParent()->isLambda() && !methodMutates(method, depth + 1)) return nullptr;
      }
    }
    return mutation;
  }

  // A member call made through a pointer (`p->add(x)`): does it change the
  // pointed-to object?
  bool callThroughPointerMutates(const clang::CXXMemberCallExpr* call) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (method == nullptr || method->isConst() || method->isStatic()) return false;
    if (isStdDecl(model_, method->getParent())) {
      if (method->getIdentifier() == nullptr) return true;
      llvm::StringRef name = method->getName();
      return !(isIteratorAccessor(name) || name == "at" || name == "front" || name == "back");
    }
    return methodMutates(method, 1);
  }

  // Does the non-const method change its object? Defined here: it writes a
  // member or calls such a method on `this`; declared only: by its name.
  bool methodMutates(const clang::CXXMethodDecl* method, unsigned depth) {
    if (method->isConst() || method->isStatic()) return false;
    if (method->isOverloadedOperator()) return true;
    const clang::FunctionDecl* def = nullptr;
    if (!method->hasBody(def) || def == nullptr || def->getBody() == nullptr) {
      return method->getIdentifier() != nullptr && hasMutatorName(method->getName());
    }
    if (depth > 6) return true;
    auto found = memo_.find(def);
    if (found != memo_.end()) return found->second;
    memo_[def] = false;  // recursion: assume not
    bool result = bodyMutatesThis(def->getBody(), depth);
    memo_[def] = result;
    return result;
  }

  // A member of `this` written, or a mutating method called on `this`, in `body`.
  // Returns the mutating statement (or null) and the method called, if any.
  const clang::Stmt* thisWrite(const clang::Stmt* body, unsigned depth, const clang::ValueDecl** field,
                               const clang::CXXMethodDecl** through) {
    clang::ExprMutationAnalyzer analyzer(*body, model_.astContext());
    std::vector<const clang::MemberExpr*> members;
    std::vector<const clang::CXXMemberCallExpr*> calls;
    collectThis(body, members, calls);
    for (const clang::MemberExpr* member : members) {
      if (isSynchronisation(model_, member->getMemberDecl()->getType())) continue;
      if (const clang::Stmt* write = findWrite(analyzer, member, depth)) {
        if (field != nullptr) *field = member->getMemberDecl();
        return write;
      }
    }
    for (const clang::CXXMemberCallExpr* call : calls) {
      const clang::CXXMethodDecl* method = call->getMethodDecl();
      if (method != nullptr && methodMutates(method, depth + 1)) {
        if (through != nullptr) *through = method;
        return call;
      }
    }
    return nullptr;
  }

  static void collectThis(const clang::Stmt* stmt, std::vector<const clang::MemberExpr*>& members,
                          std::vector<const clang::CXXMemberCallExpr*>& calls) {
    if (stmt == nullptr) return;
    if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(stmt)) {
      if (llvm::isa<clang::FieldDecl>(member->getMemberDecl()) &&
          llvm::isa<clang::CXXThisExpr>(member->getBase()->IgnoreParenImpCasts())) {
        members.push_back(member);
      }
    }
    if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
      const clang::Expr* object = call->getImplicitObjectArgument();
      if (object != nullptr && llvm::isa<clang::CXXThisExpr>(object->IgnoreParenImpCasts())) calls.push_back(call);
    }
    for (const clang::Stmt* child : stmt->children()) collectThis(child, members, calls);
  }

 private:
  bool bodyMutatesThis(const clang::Stmt* body, unsigned depth) {
    return thisWrite(body, depth, nullptr, nullptr) != nullptr;
  }

  // An iterator from a non-const accessor is written through when it is
  // dereferenced and the element mutated, or handed to a writing algorithm.
  bool iteratorWrittenThrough(clang::ExprMutationAnalyzer& analyzer, const clang::CXXMemberCallExpr* call) {
    clang::ASTContext& context = model_.astContext();
    const clang::Stmt* child = nullptr;
    const clang::Stmt* consumer = consumerOf(context, call, child);
    if (consumer == nullptr) return false;
    if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(consumer)) {
      return unary->getOpcode() == clang::UO_Deref && analyzer.findMutation(unary) != nullptr;
    }
    if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(consumer)) {
      if (op->getOperator() == clang::OO_Star) return analyzer.findMutation(op) != nullptr;
      if (op->getOperator() == clang::OO_Arrow) {
        const clang::Stmt* inner = nullptr;
        const clang::Stmt* member = consumerOf(context, op, inner);
        const auto* expr = llvm::dyn_cast_or_null<clang::Expr>(member);
        return expr != nullptr && analyzer.findMutation(expr) != nullptr;
      }
      return false;
    }
    if (const auto* outer = llvm::dyn_cast<clang::CallExpr>(consumer)) {
      const clang::FunctionDecl* callee = outer->getDirectCallee();
      if (callee == nullptr) return false;
      const std::string& name = model_.qualifiedName(callee);
      if (isMutatingAlgorithm(name)) return true;
      if (isCopyingAlgorithm(name)) {
        for (unsigned i = 2; i < outer->getNumArgs(); ++i) {
          if (outer->getArg(i) == child) return true;
        }
        return false;
      }
      if (name == "::std::for_each" || name == "::std::for_each_n") {
        // Writes when the function takes the element by non-const reference.
        const clang::Expr* fn = outer->getArg(outer->getNumArgs() - 1)->IgnoreImplicit();
        if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(fn); construct && construct->getNumArgs() == 1) {
          fn = construct->getArg(0)->IgnoreImplicit();
        }
        if (const auto* lambda = llvm::dyn_cast<clang::LambdaExpr>(fn)) {
          const clang::FunctionDecl* op = lambda->getCallOperator();
          if (op != nullptr && op->getNumParams() >= 1) {
            clang::QualType type = op->getParamDecl(0)->getType();
            return type->isReferenceType() && !type.getNonReferenceType().isConstQualified() &&
                   !type->isRValueReferenceType();
          }
        }
        return true;
      }
      return false;
    }
    return false;
  }

  const RewindModel& model_;
  llvm::DenseMap<const clang::FunctionDecl*, bool> memo_;
};

// Every reference to `var` under `stmt`.
void collectRefs(const clang::Stmt* stmt, const clang::ValueDecl* var, std::vector<const clang::DeclRefExpr*>& out) {
  if (stmt == nullptr) return;
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt); ref != nullptr && ref->getDecl() == var) {
    out.push_back(ref);
  }
  for (const clang::Stmt* child : stmt->children()) collectRefs(child, var, out);
}

bool isConstObject(clang::QualType type) {
  type = type.getNonReferenceType();
  return type.isConstQualified() && !type->isPointerType();
}

}  // namespace

struct CapturedMutationCheck::Config {
  llvm::StringSet<> ignoredTypes;
};

CapturedMutationCheck::CapturedMutationCheck(const std::string& name, const OptionReader& options)
    : Check(name, options) {
  auto config = std::make_shared<Config>();
  for (const std::string& type : splitList(option("IgnoredTypes", kIgnoredTypes))) {
    config->ignoredTypes.insert(type.rfind("::", 0) == 0 ? type : "::" + type);
  }
  config_ = std::move(config);
}

void CapturedMutationCheck::check(const RewindModel& model, DiagnosticSink& sink) {
  auto isIgnored = [&](clang::QualType type) {
    type = type.getNonReferenceType();
    if (type->isPointerType()) type = type->getPointeeType();
    const clang::CXXRecordDecl* record = type->getAsCXXRecordDecl();
    return record != nullptr && config_->ignoredTypes.contains(model.qualifiedName(record));
  };
  MutationFinder finder(model);
  for (const StepCallback& callback : model.stepCallbacks()) {
    const clang::Stmt* bodyPtr =
        callback.lambda != nullptr ? callback.lambda->getBody() : callback.function->getBody();
    if (bodyPtr == nullptr) continue;
    // A template's pattern: its instantiations are analysed instead (the
    // analyzer treats every dependent call as a mutation).
    if (callback.function->isDependentContext()) continue;
    if (model.isInSystemHeader(callback.function->getLocation())) continue;
    const clang::Stmt& body = *bodyPtr;
    clang::ExprMutationAnalyzer analyzer(body, model.astContext());
    std::string where =
        "a " + callback.operation + (callback.stepName.empty() ? "" : " '" + callback.stepName + "'") + " callback";
    auto report = [&](const clang::Stmt* mutation, const std::string& what, const clang::NamedDecl* decl) {
      LintDiagnostic diag = diagnostic(mutation->getBeginLoc(),
                                       what + " is mutated inside " + where +
                                           "; the callback runs again on retry and not at all on replay, so "
                                           "the change is repeated or lost: return the value from the step instead");
      if (decl != nullptr) {
        diag.notes.push_back({decl->getLocation(), "'" + decl->getNameAsString() + "' is declared here"});
      }
      sink.report(std::move(diag));
    };

    // Variables with static storage (globals, static locals and members)
    // written in the callback: they outlive the invocation like captures.
    {
      std::vector<const clang::DeclRefExpr*> refs;
      collectGlobalRefs(model, &body, refs);
      llvm::DenseSet<const clang::ValueDecl*> reported;
      for (const clang::DeclRefExpr* ref : refs) {
        const auto* var = llvm::cast<clang::VarDecl>(ref->getDecl());
        if (reported.contains(var) || isIgnored(var->getType()) || isConstObject(var->getType()) ||
            isSynchronisationOrEngine(model, var->getType())) {
          continue;
        }
        if (const clang::Stmt* mutation = finder.findWrite(analyzer, ref)) {
          reported.insert(var);
          std::string kind = var->isStaticLocal() ? "static local" : var->isStaticDataMember() ? "static member"
                                                                                              : "global";
          report(mutation, kind + " '" + var->getNameAsString() + "'", var);
        }
      }
    }
    if (callback.lambda == nullptr) continue;

    for (const clang::LambdaCapture& capture : callback.lambda->captures()) {
      if (capture.capturesThis()) {
        std::vector<const clang::MemberExpr*> members;
        std::vector<const clang::CXXMemberCallExpr*> calls;
        MutationFinder::collectThis(&body, members, calls);
        llvm::DenseSet<const clang::ValueDecl*> reported;
        bool any = false;
        for (const clang::MemberExpr* member : members) {
          const clang::ValueDecl* field = member->getMemberDecl();
          if (reported.contains(field) || isIgnored(field->getType()) || isConstObject(field->getType()) ||
              isSynchronisation(model, field->getType())) {
            continue;
          }
          if (const clang::Stmt* mutation = finder.findWrite(analyzer, member)) {
            reported.insert(field);
            any = true;
            report(mutation, "member '" + field->getNameAsString() + "' of captured 'this'", field);
          }
        }
        // A method of the class called on the captured `this` that writes
        // its members (`record(x)` pushing to `history_`).
        if (!any) {
          for (const clang::CXXMemberCallExpr* call : calls) {
            const clang::CXXMethodDecl* method = call->getMethodDecl();
            if (method == nullptr || method->isConst()) continue;
            const clang::FunctionDecl* def = nullptr;
            if (!method->hasBody(def) || def == nullptr || def->getBody() == nullptr) continue;
            const clang::ValueDecl* field = nullptr;
            if (finder.thisWrite(def->getBody(), 1, &field, nullptr) == nullptr) continue;
            std::string what = field != nullptr
                                   ? "member '" + field->getNameAsString() + "' of captured 'this' (through '" +
                                         method->getNameAsString() + "')"
                                   : "captured 'this' (through '" + method->getNameAsString() + "')";
            report(call, what, field != nullptr ? static_cast<const clang::NamedDecl*>(field) : method);
            break;
          }
        }
        continue;
      }
      if (!capture.capturesVariable()) continue;
      const clang::ValueDecl* var = capture.getCapturedVar();
      if (var == nullptr || isIgnored(var->getType()) || isSynchronisation(model, var->getType())) continue;
      std::string name = "captured '" + var->getNameAsString() + "'";
      const clang::Stmt* mutation = nullptr;
      // A const object captured by reference cannot be mutated through it;
      // a copy (even in a mutable lambda) is the callback's own state.
      bool byCopy = capture.getCaptureKind() == clang::LCK_ByCopy;
      if (!byCopy && !isConstObject(var->getType())) {
        std::vector<const clang::DeclRefExpr*> refs;
        collectRefs(&body, var, refs);
        for (const clang::DeclRefExpr* ref : refs) {
          if ((mutation = finder.findWrite(analyzer, ref)) != nullptr) break;
        }
      }
      if (mutation != nullptr) {
        report(mutation, name, var);
        continue;
      }
      clang::QualType type = var->getType().getNonReferenceType();
      bool pointer = type->isPointerType() && !type->getPointeeType().isConstQualified();
      if (pointer || isPointerLike(model, type)) {
        // Writes through the pointer: is `*p` / `p->m` / `p[i]` / `r.get()` mutated?
        std::vector<const clang::Expr*> derefs;
        collectDerefs(&body, var, derefs);
        for (const clang::Expr* deref : derefs) {
          if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(deref);
              member != nullptr && llvm::isa<clang::CXXMethodDecl>(member->getMemberDecl())) {
            auto parents = model.astContext().getParents(*member);
            const auto* call = parents.empty() ? nullptr : parents[0].get<clang::CXXMemberCallExpr>();
            if (call != nullptr && finder.callThroughPointerMutates(call)) {
              report(call, "the object pointed to by " + name, var);
              break;
            }
            continue;
          }
          if (const clang::Stmt* write = finder.findWrite(analyzer, deref)) {
            report(write, "the object pointed to by " + name, var);
            break;
          }
        }
      }
    }
  }
}

}  // namespace rwd::lint
