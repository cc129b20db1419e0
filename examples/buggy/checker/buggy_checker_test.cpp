// Each planted bug of checker_workflows.cpp is caught by its oracle with a minimal
// schedule, and the correct workflows pass with zero findings.
#include <dlfcn.h>

#include <gtest/gtest.h>
#include <algorithm>

#include "handler_library.hpp"
#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace {

using rwd::checker::CheckReport;
using rwd::checker::CrashChecker;
using rwd::checker::Oracle;

using rwd::checker::CheckMode;
using rwd::checker::CheckOptions;

const rwd::tools::HandlerLibrary& library() {
  static auto lib = rwd::tools::HandlerLibrary::open(REWIND_CHECKER_WORKFLOWS_LIB);
  return *lib;
}

const rwd::RawHandler& workflow(const std::string& name) {
  const rwd::HandlerDefinition* def = library().registry().find(name);
  if (!def) throw std::runtime_error("no handler " + name);
  return def->handler;
}

// The library's world reset and invariant, found as rewind-check finds them.
CheckOptions libraryOptions(CheckMode mode = CheckMode::Both) {
  CheckOptions o;
  o.mode = mode;
  void* handle = dlopen(library().path().c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (!handle) throw std::runtime_error("the workflow library is not loaded");
  if (void* setup = dlsym(handle, "rewind_check_setup")) o.setup = reinterpret_cast<void (*)()>(setup);
  if (void* inv = dlsym(handle, "rewind_check_invariants"))
    o.invariants =
        *static_cast<const std::vector<rwd::checker::Invariant>*>(reinterpret_cast<const void* (*)()>(inv)());
  return o;
}

// What the checker did before #12: warm resumes only, equivalent points merged.
CheckOptions oldChecker() {
  CheckOptions o = libraryOptions(CheckMode::InProcess);
  o.mergeEquivalentPoints = true;
  return o;
}

CheckReport exhaustive(const std::string& name, const rwd::Payload& input = "null",
                       CheckOptions options = libraryOptions()) {
  CrashChecker checker(workflow(name), input, std::move(options));
  return checker.checkExhaustive();
}

CheckOptions responding(std::string spec, CheckOptions o = libraryOptions()) {
  o.callbackResponders = {rwd::checker::parseCallbackRule(spec)};
  return o;
}

const rwd::checker::Finding* findingOf(const CheckReport& r, Oracle o) {
  for (const auto& f : r.findings)
    if (f.oracle == o) return &f;
  return nullptr;
}

TEST(BuggyWorkflowTest, WallClockBranchIsADeterminismFinding) {
  CheckReport r = exhaustive("wall_clock_branch");
  const auto* f = findingOf(r, Oracle::Determinism);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_LE(f->schedule.crashes.size(), 1u);
  EXPECT_FALSE(f->message.empty());
}

TEST(BuggyWorkflowTest, ClosureMutationIsAResultFinding) {
  CheckReport r = exhaustive("closure_mutation");
  const auto* f = findingOf(r, Oracle::Result);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(f->schedule.crashes.size(), 1u);
  EXPECT_TRUE(f->reproduced);
  EXPECT_NE(f->message.find("SUCCEEDED with 42"), std::string::npos) << f->message;
}

TEST(BuggyWorkflowTest, NonIdempotentChargeIsAnExactlyOnceFinding) {
  CheckReport r = exhaustive("double_charge");
  const auto* f = findingOf(r, Oracle::ExactlyOnce);
  ASSERT_NE(f, nullptr) << r.summary();
  ASSERT_EQ(f->schedule.crashes.size(), 1u);
  EXPECT_EQ(f->schedule.crashes[0].side, rwd::checker::CrashSide::EffectLost);
  EXPECT_NE(f->message.find("(charge, order-7) happened 2 times"), std::string::npos) << f->message;
  EXPECT_TRUE(f->reproduced);
}

TEST(BuggyWorkflowTest, RegistrationOrderUndoIsARollbackFinding) {
  CheckReport r = exhaustive("manual_compensation");
  const auto* f = findingOf(r, Oracle::Rollback);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_TRUE(f->schedule.crashes.empty()) << "visible without any crash: the minimal schedule is crash-free";
  EXPECT_NE(f->message.find("reverse order"), std::string::npos) << f->message;
}

TEST(BuggyWorkflowTest, SwallowedSuspensionIsADeterminismFinding) {
  CheckReport r = exhaustive("swallowed_suspension");
  const auto* f = findingOf(r, Oracle::Determinism);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_NE(f->message.find("rewind.suspension.swallowed"), std::string::npos) << f->message;
}

TEST(CorrectWorkflowTest, IdempotentChargePassesEveryCrashPoint) {
  CheckReport r = exhaustive("idempotent_charge");
  EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_GT(r.crashPoints, 6u);
}

TEST(CorrectWorkflowTest, OrderSagaWithRollbackAllPassesEveryCrashPointIncludingInsideRollback) {
  CrashChecker checker(workflow("order_saga"), "null");
  const auto& ref = checker.reference();
  std::size_t undoUpdates = 0;
  for (const auto& u : ref.updates)
    if (u.update.name && u.update.name->rfind("rollback:", 0) == 0) ++undoUpdates;
  EXPECT_EQ(undoUpdates, 6u) << "three undos, START + SUCCEED each: crash points inside rollbackAll";
  CheckReport r = checker.checkExhaustive();
  EXPECT_TRUE(r.ok()) << r.summary();
}

TEST(CorrectWorkflowTest, ApprovalFlowPassesEveryCrashPoint) {
  CheckReport r = exhaustive("approval_flow", "null", responding(R"(agent-review=success:"approved"@60)"));
  EXPECT_TRUE(r.ok()) << r.summary();
}

TEST(CorrectWorkflowTest, ApprovalFlowPassesGeneratedSchedules) {
  CrashChecker checker(workflow("approval_flow"), "null",
                       responding(R"(agent-review=success:"approved")", libraryOptions(CheckMode::InProcess)));
  rwd::checker::ExploreOptions eo;
  eo.schedules = 150;
  eo.seed = 7;
  auto result = rwd::checker::explore(checker, eo);
  EXPECT_TRUE(result.report.ok()) << result.report.summary();
  EXPECT_GE(result.report.schedules, 150u);
}

TEST(BuggyWorkflowTest, ExplorationShrinksTheDoubleChargeToOneLostCheckpoint) {
  CrashChecker checker(workflow("double_charge"), "null", libraryOptions(CheckMode::InProcess));
  rwd::checker::ExploreOptions eo;
  eo.schedules = 300;
  eo.seed = 11;
  auto result = rwd::checker::explore(checker, eo);
  ASSERT_FALSE(result.report.ok());
  const auto& f = result.report.findings.front();
  EXPECT_EQ(f.oracle, Oracle::ExactlyOnce);
  EXPECT_EQ(f.schedule.crashes.size(), 1u) << rwd::checker::describe(f.schedule);
  EXPECT_TRUE(f.schedule.stepFailures.empty());
  EXPECT_TRUE(f.reproduced);
  ASSERT_TRUE(result.rcReproduce);
  EXPECT_NE(result.rcReproduce->find("reproduce="), std::string::npos);
}

// ---- #12: a planted bug per soundness point, missed by the old checker, and its look-alike ----

TEST(BuggyWorkflowTest, ARemoteReadBetweenCheckpointsIsFoundOnlyWhenEveryPointHasItsOwnRun) {
  CheckReport r = exhaustive("remote_backoff_read");
  const auto* f = findingOf(r, Oracle::Determinism);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(f->resume, "warm");
  EXPECT_NE(f->message.find("wait duration after resuming (60s)"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("(30s)"), std::string::npos) << "both durations: " << f->message;
  EXPECT_NE(f->crash.find("crash before 'backoff' START reached the service"), std::string::npos) << f->crash;
  EXPECT_TRUE(f->reproduced);
  CheckReport old = exhaustive("remote_backoff_read", "null", oldChecker());
  EXPECT_TRUE(old.ok()) << "merged into the run of 'submit-job' SUCCEED persisted:\n" << old.summary();
}

TEST(BuggyWorkflowTest, ARegistryWrittenByARetryStrategyIsFoundOnlyWhenEveryPointHasItsOwnRun) {
  CheckReport r = exhaustive("retry_registry");
  const auto* f = findingOf(r, Oracle::Result);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(f->resume, "warm");
  EXPECT_NE(f->message.find("\"circuit open\""), std::string::npos) << f->message;
  EXPECT_NE(f->crash.find("'call-partner' RETRY"), std::string::npos) << f->crash;
  EXPECT_TRUE(exhaustive("retry_registry", "null", oldChecker()).ok());
}

TEST(BuggyWorkflowTest, AStaticThatSurvivesOnlyWarmResumesIsFoundWarm) {
  CheckReport r = exhaustive("warm_seat_counter");
  const auto* f = findingOf(r, Oracle::Result);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(f->resume, "warm");
  EXPECT_EQ(f->mode, "in-process");
  EXPECT_NE(f->message.find("double-booked"), std::string::npos) << f->message;
  EXPECT_TRUE(exhaustive("warm_seat_counter", "null", libraryOptions(CheckMode::Fork)).ok()) << "cold hides it";
  EXPECT_TRUE(exhaustive("warm_seat_counter", "null", oldChecker()).ok()) << "merging hid it";
}

TEST(BuggyWorkflowTest, ACounterThatBreaksOnlyColdResumesIsFoundCold) {
  CheckReport r = exhaustive("cold_page_counter");
  const auto* f = findingOf(r, Oracle::Result);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(f->resume, "cold");
  EXPECT_EQ(f->mode, "fork");
  EXPECT_TRUE(f->reproduced);
  EXPECT_NE(r.summary().find("(cold resume, fork mode)"), std::string::npos) << r.summary();
  EXPECT_TRUE(exhaustive("cold_page_counter", "null", oldChecker()).ok()) << "warm resumes hide it";
}

TEST(BuggyWorkflowTest, AnEffectAfterTheHandlerReturnsNeedsTheOutcomeCrashPoint) {
  CheckReport r = exhaustive("email_after_return", "null", libraryOptions(CheckMode::InProcess));
  const auto* f = findingOf(r, Oracle::ExactlyOnce);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_EQ(r.failed[static_cast<int>(Oracle::ExactlyOnce)], 1u) << "only that one point shows it:\n" << r.summary();
  EXPECT_NE(f->crash.find("crash after the handler returned, before the execution's SUCCEED was recorded"),
            std::string::npos)
      << f->crash;
  EXPECT_NE(f->message.find("(welcome-email, acct-9) happened 2 times"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("no step body ran more often"), std::string::npos)
      << "observed, not assumed: " << f->message;
}

TEST(BuggyWorkflowTest, ACallbackPayloadTheFixedAnswerHidIsExploredAsTheUserDeclaresIt) {
  CheckReport r = exhaustive("approval_payout", "null",
                             responding(R"(manager-approval=success:{"decision":"approve","limit":500}@3600)"));
  ASSERT_FALSE(r.referenceError) << r.summary();
  EXPECT_NE(r.reference.find("SUCCEEDED with \"paid up to 500\""), std::string::npos) << r.reference;
  const auto* f = findingOf(r, Oracle::ExactlyOnce);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_NE(f->message.find("(payout, acct-1)"), std::string::npos) << f->message;
  // The old fixed answer fails the workflow before the payout: that is an error, not "OK".
  CheckReport fixed = exhaustive("approval_payout", "null", responding(R"(manager-approval=success:"approved")"));
  ASSERT_TRUE(fixed.referenceError) << fixed.summary();
  EXPECT_NE(fixed.referenceError->find("[rewind.checker.reference_failed]"), std::string::npos);
  EXPECT_NE(fixed.referenceError->find("the approval carries no limit"), std::string::npos) << *fixed.referenceError;
  EXPECT_EQ(fixed.runs, 0u);
  // Nothing declared: the callback is never answered, times out, and the checker says so.
  CheckReport none = exhaustive("approval_payout");
  ASSERT_TRUE(none.referenceError);
  EXPECT_NE(none.referenceError->find("no declared answer matches callback 'manager-approval'"), std::string::npos)
      << *none.referenceError;
}

TEST(BuggyWorkflowTest, ASagaThatKeepsAHoldBreaksTheUsersInvariant) {
  CheckReport r = exhaustive("hold_saga");
  const auto* f = findingOf(r, Oracle::Invariant);
  ASSERT_NE(f, nullptr) << r.summary();
  EXPECT_NE(f->message.find("invariant 'every hold is released or captured'"), std::string::npos) << f->message;
  EXPECT_TRUE(f->schedule.crashes.empty()) << "already in the crash-free run";
  CheckOptions noInvariants = libraryOptions();
  noInvariants.invariants.clear();
  EXPECT_TRUE(exhaustive("hold_saga", "null", noInvariants).ok()) << "crash-consistent: only the user can judge it";
}

TEST(CorrectWorkflowTest, EveryLookAlikePassesEveryPointWarmAndCold) {
  for (const char* name : {"checkpointed_backoff_read", "retry_registry_per_attempt", "checkpointed_seat_counter",
                           "checkpointed_page_counter", "email_in_step", "hold_saga_released", "idempotent_charge",
                           "order_saga", "tolerant_map", "sequential_steps"}) {
    CheckReport r = exhaustive(name, std::string(name) == "sequential_steps" ? "4" : "null");
    EXPECT_TRUE(r.ok()) << name << ":\n" << r.summary();
    EXPECT_EQ(r.resumeKinds, "warm and cold");
    EXPECT_EQ(r.runs, 2 * r.crashPoints) << name;
  }
  CheckReport payout = exhaustive("approval_payout_in_step", "null",
                                  responding(R"(manager-approval=success:{"decision":"approve","limit":500}@3600)"));
  EXPECT_TRUE(payout.ok()) << payout.summary();
}

// #12 point 8: the random branch scheduler starts a batch's items out of index order, and
// a map whose items fail for good (tolerated) survives every crash point under every
// such order: no false finding (the replay of batches once assumed started items were a
// prefix by index and ran a FAILED item again).
TEST(CorrectWorkflowTest, ATolerantMapPassesEveryCrashPointUnderRandomBranchOrders) {
  CrashChecker checker(workflow("tolerant_map"), "null", libraryOptions(CheckMode::InProcess));
  std::size_t reordered = 0, runs = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    rwd::checker::Schedule base;
    base.branchSeed = seed;
    const auto& ref = checker.reference(base);
    ASSERT_EQ(ref.status, rwd::ExecutionStatus::Succeeded) << "seed " << seed;
    EXPECT_EQ(ref.result, R"("3 ok, 2 failed, sum 60")") << "seed " << seed;
    // Did this order start a higher item before a lower one? (item contexts are named map-item-<i>)
    std::vector<std::string> parents;
    for (const auto& b : ref.bodyStarts)
      for (const auto& op : ref.operations)
        if (b.attempt == 1 && op.stepId == b.stepId && op.parentId) parents.push_back(*op.parentId);
    std::vector<std::size_t> items;
    for (const auto& p : parents)
      for (const auto& op : ref.operations)
        if (op.id == p && op.name && op.name->rfind("map-item-", 0) == 0)
          items.push_back(std::stoul(op.name->substr(9)));
    if (!std::is_sorted(items.begin(), items.end())) ++reordered;
    for (const auto& point : checker.crashPoints(base)) {
      rwd::checker::Schedule s = base;
      s.crashes = {point};
      auto findings = checker.check(s);
      ++runs;
      ASSERT_TRUE(findings.empty()) << "seed " << seed << ", " << findings.front().crash << ": "
                                    << findings.front().message;
    }
  }
  EXPECT_GT(reordered, 10u) << "the scheduler must really start items out of index order";
  EXPECT_GT(runs, 40u * 30u);
}

TEST(FindingReportTest, AFindingShowsTheReferenceOutcomeAndACompactHistoryDiff) {
  CheckReport r = exhaustive("closure_mutation", "null", libraryOptions(CheckMode::InProcess));
  ASSERT_FALSE(r.findings.empty());
  std::string text = r.summary();
  EXPECT_EQ(text.rfind("reference (crash-free) run: SUCCEEDED with 42 (warm resume)\n", 0), 0u) << text;
  EXPECT_NE(text.find("history diff:"), std::string::npos) << text;
  EXPECT_NE(text.find("- crash-free: SUCCEEDED with 42"), std::string::npos) << text;
  EXPECT_EQ(text.find("FLAKY"), std::string::npos) << "reproduced findings are not flaky:\n" << text;
}

}  // namespace
