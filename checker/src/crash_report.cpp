// The checker's words: oracle and mode names, the report summary, crash points named by
// operation and action, and the compact history diff at a finding's first divergence.
#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "judge.hpp"

namespace rwd::checker {

std::string_view toString(Oracle o) {
  switch (o) {
    case Oracle::Determinism:
      return "determinism";
    case Oracle::Result:
      return "result";
    case Oracle::ExactlyOnce:
      return "exactly-once";
    case Oracle::Rollback:
      return "rollback";
    case Oracle::AppendOnly:
      return "append-only";
    case Oracle::Invariant:
      return "invariant";
  }
  return "?";
}

std::string_view toString(CheckMode m) {
  switch (m) {
    case CheckMode::InProcess:
      return "in-process";
    case CheckMode::Fork:
      return "fork";
    case CheckMode::Both:
      return "both";
  }
  return "?";
}

std::string_view resumeKind(CheckMode m) {
  switch (m) {
    case CheckMode::InProcess:
      return "warm";
    case CheckMode::Fork:
      return "cold";
    case CheckMode::Both:
      return "warm and cold";
  }
  return "?";
}

std::optional<CheckMode> checkModeFromString(std::string_view s) {
  if (s == "fork" || s == "cold") return CheckMode::Fork;
  if (s == "in-process" || s == "inprocess" || s == "warm") return CheckMode::InProcess;
  if (s == "both") return CheckMode::Both;
  return std::nullopt;
}

CallbackRule parseCallbackRule(std::string_view specText) {
  const std::string spec(specText);
  auto bad = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("[rewind.checker.bad_respond] --respond '{}': {}", spec, why));
  };
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw bad("expected NAME=ACTION");
  CallbackRule rule;
  rule.name = spec.substr(0, eq);
  std::string action = spec.substr(eq + 1);
  long delay = 0;
  if (auto at = action.rfind('@'); at != std::string::npos && at + 1 < action.size() &&
                                   action.find_first_not_of("0123456789", at + 1) == std::string::npos) {
    try {
      delay = std::stol(action.substr(at + 1));
    } catch (const std::exception&) {
      throw bad("the delay is out of range");
    }
    action = action.substr(0, at);
  }
  const auto colon = action.find(':');
  std::string kind = action.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : action.substr(colon + 1);
  if (kind == "success") {
    rule.response = CallbackResponse::success(rest.empty() ? Payload() : Payload(rest));
  } else if (kind == "failure") {
    auto c = rest.find(':');
    rule.response =
        CallbackResponse::failure({rest.empty() ? "Error" : rest.substr(0, c),
                                   c == std::string::npos ? "" : rest.substr(c + 1), std::nullopt, std::nullopt});
  } else if (kind == "heartbeat") {
    rule.response = CallbackResponse::heartbeat();
  } else if (kind == "never") {
    rule.response = CallbackResponse::never();
  } else {
    throw bad("the action must be success, failure, heartbeat or never");
  }
  rule.response = rule.response.after(Duration{delay});
  return rule;
}

std::string CheckReport::summary() const {
  std::ostringstream out;
  if (!reference.empty()) out << fmt::format("reference (crash-free) run: {}\n", reference);
  if (referenceError) out << fmt::format("ERROR {}\n", *referenceError);
  if (!referenceError)
    out << fmt::format("crash points: {}, crash runs: {} (resumes: {}), schedules judged: {}\n", crashPoints, runs,
                       resumeKinds.empty() ? "none" : resumeKinds, schedules);
  if (equivalentCrashPoints && !referenceError)
    out << fmt::format(
        "  APPROXIMATE (--merge-equivalent-points): {} crash point(s) were judged by another point's run, not their "
        "own\n",
        equivalentCrashPoints);
  if (!referenceError)
    for (std::size_t i = 0; i < kOracleCount; ++i)
      out << fmt::format("  {:<13} passed {:>6}  failed {:>6}\n", toString(static_cast<Oracle>(i)), passed[i],
                         failed[i]);
  if (valueOverrideReferences)
    out << fmt::format(
        "  resumed runs judged against a crash-free run fed their step values (a re-run step returned "
        "another value): {}\n",
        valueOverrideReferences);
  for (const Finding& f : findings) {
    out << fmt::format("FINDING [{}] {}\n", toString(f.oracle), f.message);
    out << fmt::format("  where: {} ({} resume, {} mode)\n", f.crash.empty() ? describe(f.schedule) : f.crash, f.resume,
                       f.mode);
    if (f.confirmed && !f.reproduced)
      out << "  FLAKY: re-running the same schedule in the same mode gave a different verdict; the handler depends on "
             "something the schedule does not fix (the wall clock, a random source, addresses, or state left behind "
             "by earlier runs)\n";
    if (!f.historyDiff.empty()) out << f.historyDiff;
    out << fmt::format("  reproduce: --reproduce {} --mode {}\n", toToken(f.schedule), f.mode);
  }
  if (referenceError)
    out << fmt::format("not explored: the reference run did not succeed{}\n",
                       findings.empty() ? "" : fmt::format("; {} finding(s) in it", findings.size()));
  else
    out << (findings.empty() ? "OK: no findings\n" : fmt::format("{} finding(s)\n", findings.size()));
  return out.str();
}

namespace internal {

namespace {

std::string where(const RunTrace& run, const std::optional<std::string>& parentId) {
  if (!parentId) return "";
  for (const Operation& op : run.operations)
    if (op.id == *parentId) return op.name ? fmt::format(", in '{}'", *op.name) : fmt::format(", in {}", op.stepId);
  return "";
}

std::string crashName(const RunTrace& run, const CrashPoint& c) {
  if (c.side == CrashSide::MidStep) {
    if (c.at < run.bodyStarts.size()) {
      const auto& b = run.bodyStarts[c.at];
      return fmt::format("invocation timed out as {} attempt {} started (step body start {})",
                         opLabel(b.name, b.stepId), b.attempt, c.at);
    }
    return fmt::format("invocation timed out as step body start {} began", c.at);
  }
  const RunTrace::Update* u = nullptr;
  for (const auto& x : run.updates)
    if (x.sequence == c.at) {
      u = &x;
      break;
    }
  if (!u) return fmt::format("crash at checkpoint {} ({}; the run never got there)", c.at, toString(c.side));
  const OperationUpdate& up = u->update;
  if (up.type == OperationType::Execution)
    return c.side == CrashSide::EffectLost
               ? fmt::format("crash after the handler returned, before the execution's {} was recorded (checkpoint {})",
                             toString(up.action), c.at)
               : fmt::format("crash after the execution's {} was recorded (checkpoint {})", toString(up.action), c.at);
  std::string what = up.name ? fmt::format("'{}' {}", *up.name, toString(up.action))
                             : fmt::format("{} {} (step {})", toString(up.type), toString(up.action), up.stepId);
  return c.side == CrashSide::EffectLost
             ? fmt::format("crash before {} reached the service: done, checkpoint lost (checkpoint {}{})", what, c.at,
                           where(run, up.parentId))
             : fmt::format("crash after {} was persisted (checkpoint {}{})", what, c.at, where(run, up.parentId));
}

std::string opLine(const Operation& op) {
  std::string value;
  if (op.stepDetails && op.stepDetails->result) value = " " + *op.stepDetails->result;
  if (op.stepDetails && op.stepDetails->error) value = " " + op.stepDetails->error->errorType;
  if (op.callbackDetails && op.callbackDetails->result) value = " " + *op.callbackDetails->result;
  if (op.contextDetails && op.contextDetails->result) value = " " + *op.contextDetails->result;
  if (value.size() > 60) value = value.substr(0, 57) + "...";
  return fmt::format("{} {} {}{}", toString(op.type), op.name ? fmt::format("'{}'", *op.name) : op.stepId,
                     toString(op.status), value);
}

bool sameOp(const Operation& a, const Operation& b) { return opLine(a) == opLine(b) && a.id == b.id; }

}  // namespace

std::string describeCrashes(const RunTrace& run, const Schedule& schedule) {
  std::vector<std::string> parts;
  for (const CrashPoint& c : schedule.crashes) parts.push_back(crashName(run, c));
  for (const StepFailure& f : schedule.stepFailures) {
    std::string label = f.operationId;
    for (const Operation& op : run.operations)
      if (op.id == f.operationId) label = opLabel(op);
    parts.push_back(fmt::format("injected failure of {} attempt {}", label, f.attempt));
  }
  for (std::size_t i = 0; i < schedule.callbackAnswers.size(); ++i) {
    const CallbackAnswer& a = schedule.callbackAnswers[i];
    parts.push_back(fmt::format("callback #{} answered {} after {}s{}", i, toString(a.kind), a.delaySeconds,
                                a.payload ? " with " + *a.payload : std::string()));
  }
  if (schedule.branchSeed) parts.push_back(fmt::format("branch order seed {}", schedule.branchSeed));
  if (schedule.jitterSeed != 1) parts.push_back(fmt::format("jitter seed {}", schedule.jitterSeed));
  if (schedule.input) parts.push_back(fmt::format("input {}", *schedule.input));
  if (parts.empty()) return "the crash-free run";
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string historyDiff(const RunTrace& ref, const RunTrace& run) {
  const auto& a = ref.operations;
  const auto& b = run.operations;
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && sameOp(a[i], b[i])) ++i;
  std::ostringstream out;
  if (i == a.size() && i == b.size()) {
    if (describeOutcome(ref.status, ref.result, ref.error) == describeOutcome(run.status, run.result, run.error))
      return "";
    out << fmt::format("  history diff: the {} operations agree; the outcomes differ\n", a.size());
    out << fmt::format("    - crash-free: {}\n", describeOutcome(ref.status, ref.result, ref.error, ref.blockedReason));
    out << fmt::format("    + this run:   {}\n", describeOutcome(run.status, run.result, run.error, run.blockedReason));
    return out.str();
  }
  out << fmt::format("  history diff at operation {} (- crash-free, + this run; --report keeps both histories):\n", i);
  for (std::size_t k = i >= 2 ? i - 2 : 0; k < i; ++k) out << fmt::format("      {:>3} {}\n", k, opLine(a[k]));
  out << fmt::format("    - {:>3} {}\n", i, i < a.size() ? opLine(a[i]) : std::string("(no more operations)"));
  out << fmt::format("    + {:>3} {}\n", i, i < b.size() ? opLine(b[i]) : std::string("(no more operations)"));
  return out.str();
}

}  // namespace internal

}  // namespace rwd::checker
