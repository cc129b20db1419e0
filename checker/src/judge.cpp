// The checker's oracles: determinism, result, exactly-once, rollback, append-only and the
// user's invariants, each judging one run against a reference run.
#include "judge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace rwd::checker::internal {

RefIndex::RefIndex(const RunTrace& r) : ref(r) {
  ops.reserve(r.operations.size());
  steps.reserve(r.operations.size());
  for (std::size_t i = 0; i < r.operations.size(); ++i) {
    ops.emplace(r.operations[i].id, i);
    steps.emplace(r.operations[i].stepId, i);
  }
  for (const auto& u : r.updates)
    if (u.update.action == OperationAction::Start) starts.emplace(u.update.id, &u.update);
  updatePos.reserve(r.updates.size());
  updateStart.reserve(r.updates.size());
  for (const auto& u : r.updates) {
    auto p = ops.find(u.update.id);
    updatePos.push_back(p == ops.end() ? npos : p->second);
    auto st = starts.find(u.update.id);
    updateStart.push_back(st == starts.end() ? nullptr : st->second);
  }
  bodyPos.reserve(r.bodyStarts.size());
  for (const auto& b : r.bodyStarts) {
    auto p = steps.find(b.stepId);
    bodyPos.push_back(p == steps.end() ? npos : p->second);
  }
}

std::string opLabel(const std::optional<std::string>& name, const std::string& stepId) {
  return name ? fmt::format("'{}' (step {})", *name, stepId) : fmt::format("step {}", stepId);
}

std::string opLabel(const Operation& op) { return opLabel(op.name, op.stepId); }

std::string describeOutcome(ExecutionStatus s, const Payload& result, const std::optional<ErrorObject>& error,
                            const std::string& blockedReason) {
  if (s == ExecutionStatus::Succeeded) return fmt::format("SUCCEEDED with {}", result.value_or("no result"));
  if (error) return fmt::format("{} with {}: {}", toString(s), error->errorType, error->errorMessage);
  if (s == ExecutionStatus::Running && !blockedReason.empty())
    return fmt::format("{} ({})", toString(s), blockedReason);
  return std::string(toString(s));
}

bool sameJsonText(const Payload& a, const Payload& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  Json ja = Json::parse(*a, nullptr, false);
  Json jb = Json::parse(*b, nullptr, false);
  return !ja.is_discarded() && !jb.is_discarded() && ja == jb;
}

const Payload* checkpointedValue(const Operation& op) {
  if (op.stepDetails) return &op.stepDetails->result;
  if (op.contextDetails) return &op.contextDetails->result;
  return nullptr;
}

bool isAtMostOnce(const RunTrace::BodyStart& b, const std::set<std::string>& named) {
  return b.semantics == StepSemantics::AtMostOncePerRetry || (b.name && named.count(*b.name) > 0);
}

namespace {

std::string show(const std::optional<std::int64_t>& v) { return v ? fmt::format("{}s", *v) : "none"; }
std::string show(const std::optional<std::string>& v) { return v ? *v : "none"; }

struct Judge {
  const RunTrace& ref;
  const RefIndex& refIndex;
  const RunTrace& t;
  const Schedule& schedule;
  const CheckOptions& options;
  CheckMode mode;
  std::vector<Finding>& findings;
  // Not empty: ref is a crash-free run fed what the resumed run legally did otherwise
  // ("the same step values", "the same item order", or both), for messages.
  std::string_view fedWith = {};
  bool failed[kOracleCount] = {};

  void report(Oracle o, std::string message) {
    failed[static_cast<std::size_t>(o)] = true;
    Finding f;
    f.oracle = o;
    f.mode = std::string(toString(mode));
    f.resume = std::string(resumeKind(mode));
    f.message = std::move(message);
    f.schedule = schedule;
    findings.push_back(std::move(f));
  }

  void determinism() {
    if (t.error && (t.error->errorType == "NonDeterministicExecutionError" ||
                    t.error->errorMessage.find("[rewind.suspension.swallowed]") != std::string::npos ||
                    t.error->errorType == "InvalidCheckpointError")) {
      report(Oracle::Determinism,
             fmt::format("the execution failed with {}: {}", t.error->errorType, t.error->errorMessage));
      return;
    }
    if (&ref == &t) return;
    // Operation identity and arguments, position by position (ids are positional).
    for (std::size_t i = 0; i < t.operations.size(); ++i) {
      const Operation& op = t.operations[i];
      const Operation* found = refIndex.opAt(i, op.id);
      if (!found) continue;
      const Operation& r = *found;
      if (r.type != op.type || r.subType != op.subType || r.name != op.name || r.parentId != op.parentId) {
        report(Oracle::Determinism,
               fmt::format("operation at step {} is {}/{} {} (parent {}) after resuming, but {}/{} {} (parent {}) in "
                           "the crash-free run",
                           op.stepId, toString(op.type), toString(op.subType), op.name.value_or("(unnamed)"),
                           op.parentId.value_or("none"), toString(r.type), toString(r.subType),
                           r.name.value_or("(unnamed)"), r.parentId.value_or("none")));
        return;
      }
    }
    for (std::size_t i = 0; i < t.updates.size(); ++i) {
      const auto& u = t.updates[i];
      if (u.update.action != OperationAction::Start || u.fate == CheckpointFate::DropAndCrash) continue;
      const OperationUpdate* start = refIndex.startOf(i, u.update);
      if (!start || start == &u.update) continue;  // the reference's own START (a shared prefix)
      const OperationUpdate& a = u.update;
      const OperationUpdate& b = *start;
      auto differs = [&](std::string_view what, const auto& x, const auto& y) {
        if (x == y) return false;
        report(Oracle::Determinism, fmt::format("operation {} was asked for a different {} after resuming ({}) than "
                                                "in the crash-free run ({}): its arguments are not deterministic",
                                                opLabel(a.name, a.stepId), what, show(x), show(y)));
        return true;
      };
      if (differs("wait duration", a.waitSeconds, b.waitSeconds) ||
          differs("callback timeout", a.callbackTimeoutSeconds, b.callbackTimeoutSeconds) ||
          differs("callback heartbeat timeout", a.callbackHeartbeatTimeoutSeconds, b.callbackHeartbeatTimeoutSeconds) ||
          differs("invoke target", a.functionName, b.functionName) ||
          (a.type == OperationType::ChainedInvoke && differs("invoke payload", a.payload, b.payload)))
        return;
    }
  }

  void result() {
    if (&ref == &t) return;
    bool same = t.status == ref.status;
    if (same && t.status == ExecutionStatus::Succeeded) same = sameJsonText(t.result, ref.result);
    if (same && t.status != ExecutionStatus::Succeeded && t.error && ref.error)
      same = t.error->errorType == ref.error->errorType && t.error->errorMessage == ref.error->errorMessage;
    if (same) return;
    // What was observed: both outcomes; that every step checkpointed the same values only
    // when the runs' operations really agree (no determinism failure).
    const bool sameOperations = !failed[static_cast<std::size_t>(Oracle::Determinism)];
    std::string observed;
    if (sameOperations)
      observed = !fedWith.empty()
                     ? fmt::format("; the same operations ran and the crash-free run was fed {} as this run, so state "
                                   "kept outside the checkpoints changed the outcome",
                                   fedWith)
                     : "; the same operations ran and every step checkpointed the same value as in the crash-free "
                       "run, so state kept outside the checkpoints changed the outcome";
    report(Oracle::Result,
           fmt::format("the resumed execution ended {}, but the crash-free run{} ended {}{}",
                       describeOutcome(t.status, t.result, t.error, t.blockedReason),
                       fedWith.empty() ? "" : fmt::format(" fed {}", fedWith),
                       describeOutcome(ref.status, ref.result, ref.error, ref.blockedReason), observed));
  }

  void exactlyOnce() {
    // 1. No body runs after its step's SUCCEED/FAIL was persisted. The first persisted
    // completion of each step, by the step's position in the reference (steps the
    // reference does not have: by step id).
    constexpr std::size_t none = RefIndex::npos;
    std::vector<std::size_t> completedAt(ref.operations.size(), none);
    std::unordered_map<std::string_view, std::size_t> completedElsewhere;
    for (std::size_t i = 0; i < t.updates.size(); ++i) {
      const auto& u = t.updates[i];
      if (u.fate == CheckpointFate::DropAndCrash) continue;
      if (u.update.type == OperationType::Step &&
          (u.update.action == OperationAction::Succeed || u.update.action == OperationAction::Fail)) {
        std::size_t pos = refIndex.positionOfUpdate(i, u.update);
        if (pos == none)
          completedElsewhere.emplace(u.update.stepId, i);
        else if (completedAt[pos] == none)
          completedAt[pos] = i;
      }
    }
    std::map<std::pair<std::string_view, int>, int> runs;
    for (std::size_t j = 0; j < t.bodyStarts.size(); ++j) {
      const auto& b = t.bodyStarts[j];
      std::size_t pos = refIndex.positionOfBody(j, b);
      std::size_t done = none;
      if (pos != none) {
        done = completedAt[pos];
      } else if (auto it = completedElsewhere.find(b.stepId); it != completedElsewhere.end()) {
        done = it->second;
      }
      if (done != none && done < b.updatesBefore) {
        report(Oracle::ExactlyOnce, fmt::format("step {} ran again (attempt {}) after its completion was persisted",
                                                opLabel(b.name, b.stepId), b.attempt));
        return;
      }
      if (isAtMostOnce(b, options.atMostOnceSteps) && ++runs[{b.stepId, b.attempt}] > 1) {
        report(Oracle::ExactlyOnce,
               fmt::format("at-most-once step {} ran twice in attempt {}", opLabel(b.name, b.stepId), b.attempt));
        return;
      }
    }
    // 2. Effects as the external world sees them.
    if (&ref == &t) return;
    auto describeKey = [](const std::pair<std::string, std::string>& k) {
      return fmt::format("({}, {})", k.first, k.second);
    };
    if (t.effects == ref.effects) return;
    std::set<std::pair<std::string, std::string>> keys;
    for (const auto& [k, n] : ref.effects) keys.insert(k);
    for (const auto& [k, n] : t.effects) keys.insert(k);
    for (const auto& k : keys) {
      auto ia = t.effects.find(k);
      auto ib = ref.effects.find(k);
      int a = ia == t.effects.end() ? 0 : ia->second;
      int b = ib == ref.effects.end() ? 0 : ib->second;
      if (a != b) {
        // Say what was observed about step bodies, nothing more.
        std::map<std::string, int> bodies;
        for (const auto& body : t.bodyStarts) ++bodies[opLabel(body.name, body.stepId)];
        for (const auto& body : ref.bodyStarts) --bodies[opLabel(body.name, body.stepId)];
        std::vector<std::string> more;
        for (const auto& [label, extra] : bodies)
          if (extra > 0) more.push_back(fmt::format("{} (+{})", label, extra));
        std::string observed =
            more.empty()
                ? std::string("no step body ran more often than in the crash-free run")
                : fmt::format("step bodies that ran more often than in the crash-free run: {}", fmt::join(more, ", "));
        report(Oracle::ExactlyOnce,
               fmt::format("effect {} happened {} time{} after the crash, {} time{} in the crash-free run{}; {}",
                           describeKey(k), a, a == 1 ? "" : "s", b, b == 1 ? "" : "s",
                           fedWith.empty() ? "" : fmt::format(" fed {}", fedWith), observed));
        return;
      }
    }
  }

  void rollback() {
    const auto& ops = t.operations;
    std::optional<std::size_t> lastForward;
    std::optional<std::string> lastParent;
    std::string lastName;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Operation& op = ops[i];
      if (op.type != OperationType::Step || !op.name || op.name->rfind("rollback:", 0) != 0) continue;
      std::string forwardName = op.name->substr(9);
      std::optional<std::size_t> forward;
      for (std::size_t j = i; j-- > 0;)
        if (ops[j].name == forwardName && ops[j].parentId == op.parentId) {
          forward = j;
          break;
        }
      if (!forward) continue;
      if (lastForward && lastParent == op.parentId && *forward > *lastForward) {
        report(Oracle::Rollback,
               fmt::format("compensation '{}' ran after '{}', but '{}' was registered first: undos must run in exact "
                           "reverse order of registration (use stepWithRollback/rollbackAll)",
                           *op.name, "rollback:" + lastName, lastName));
        return;
      }
      lastForward = forward;
      lastParent = op.parentId;
      lastName = forwardName;
    }
    std::map<std::string, int> completions;
    for (const auto& u : t.updates)
      if (u.fate != CheckpointFate::DropAndCrash && u.update.action == OperationAction::Succeed && u.update.name &&
          u.update.name->rfind("rollback:", 0) == 0 && ++completions[u.update.id] > 1) {
        report(Oracle::Rollback,
               fmt::format("compensation {} completed twice", opLabel(u.update.name, u.update.stepId)));
        return;
      }
    if (&ref == &t) return;
    auto undos = [](const RunTrace& r) {
      std::vector<std::string> v;
      for (const Operation& op : r.operations)
        if (op.type == OperationType::Step && op.name && op.name->rfind("rollback:", 0) == 0 &&
            op.status == OperationStatus::Succeeded)
          v.push_back(opLabel(op));
      std::sort(v.begin(), v.end());
      return v;
    };
    auto a = undos(t);
    auto b = undos(ref);
    if (a != b)
      report(Oracle::Rollback,
             fmt::format("after resuming, the completed compensations were [{}]; in the crash-free run [{}]",
                         fmt::join(a, ", "), fmt::join(b, ", ")));
  }

  void appendOnly() {
    // Where each update's operation is in this run's final log: at its position in the
    // reference when it is there (the usual case), else looked up (a map built on demand).
    std::optional<std::unordered_map<std::string_view, std::size_t>> position;
    auto positionOf = [&](std::size_t i, const OperationUpdate& up) -> std::optional<std::size_t> {
      std::size_t p = refIndex.positionOfUpdate(i, up);
      if (p < t.operations.size() && t.operations[p].id == up.id) return p;
      if (!position) {
        position.emplace();
        position->reserve(t.operations.size());
        for (std::size_t k = 0; k < t.operations.size(); ++k) (*position)[t.operations[k].id] = k;
      }
      auto it = position->find(up.id);
      if (it == position->end()) return std::nullopt;
      return it->second;
    };
    std::vector<std::pair<std::size_t, const OperationUpdate*>> terminal;  // (position, terminal update)
    terminal.reserve(t.operations.size());
    std::vector<bool> seen(t.operations.size(), false);
    std::optional<std::size_t> lastPos;
    for (std::size_t i = 0; i < t.updates.size(); ++i) {
      const auto& u = t.updates[i];
      if (u.fate == CheckpointFate::DropAndCrash || u.update.type == OperationType::Execution) continue;
      const OperationUpdate& up = u.update;
      std::optional<std::size_t> pos = positionOf(i, up);
      if (!pos) {
        report(Oracle::AppendOnly, fmt::format("operation {} was persisted ({}) but is missing from the final log",
                                               opLabel(up.name, up.stepId), toString(up.action)));
        return;
      }
      if (!seen[*pos]) {
        seen[*pos] = true;
        if (lastPos && *pos < *lastPos) {
          report(Oracle::AppendOnly, fmt::format("operation {} moved in the log: persisted after another operation "
                                                 "but now listed before it",
                                                 opLabel(up.name, up.stepId)));
          return;
        }
        lastPos = *pos;
      }
      if (up.action == OperationAction::Succeed || up.action == OperationAction::Fail) terminal.emplace_back(*pos, &up);
    }
    // The last terminal update of each operation is the one its final record must hold.
    std::stable_sort(terminal.begin(), terminal.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < terminal.size(); ++i) {
      if (i + 1 < terminal.size() && terminal[i + 1].first == terminal[i].first) continue;
      const OperationUpdate* up = terminal[i].second;
      const Operation& op = t.operations[terminal[i].first];
      bool ok = up->action == OperationAction::Succeed ? op.status == OperationStatus::Succeeded
                                                       : op.status == OperationStatus::Failed;
      if (ok && up->action == OperationAction::Succeed && !up->replayChildren)
        if (const Payload* v = checkpointedValue(op)) ok = *v == up->payload;
      if (!ok) {
        report(Oracle::AppendOnly,
               fmt::format("operation {} was persisted as {} but the final log holds it {}: the "
                           "persisted log was rewritten",
                           opLabel(up->name, up->stepId), toString(up->action), toString(op.status)));
        return;
      }
    }
  }

  void invariants() {
    FinalState state{t.status, t.result, t.error, t.effects, t.operations};
    for (const Invariant& inv : options.invariants) {
      if (!inv.check) continue;
      std::optional<std::string> broken;
      try {
        broken = inv.check(state);
      } catch (const std::exception& e) {
        broken = fmt::format("the invariant threw: {}", e.what());
      }
      if (broken) {
        report(Oracle::Invariant, fmt::format("invariant '{}' does not hold {}: {} (the execution ended {})", inv.name,
                                              &ref == &t ? "in the crash-free run" : "after resuming", *broken,
                                              describeOutcome(t.status, t.result, t.error, t.blockedReason)));
        return;
      }
    }
  }
};

}  // namespace

Verdict judgeRun(const RunTrace& ref, const RefIndex& refIndex, const RunTrace& t, const Schedule& schedule,
                 const CheckOptions& options, CheckMode mode, std::string_view fedWith) {
  Verdict v;
  Judge j{ref, refIndex, t, schedule, options, mode, v.findings};
  j.fedWith = fedWith;
  j.determinism();
  j.result();
  j.exactlyOnce();
  j.rollback();
  j.appendOnly();
  j.invariants();
  std::copy(std::begin(j.failed), std::end(j.failed), std::begin(v.failed));
  return v;
}

}  // namespace rwd::checker::internal
