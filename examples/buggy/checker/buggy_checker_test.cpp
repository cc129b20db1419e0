// Each planted bug of checker_workflows.cpp is caught by its oracle with a minimal
// schedule, and the correct workflows pass with zero findings.
#include <gtest/gtest.h>

#include "handler_library.hpp"
#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/exploration.hpp"

namespace {

using rwd::checker::CheckReport;
using rwd::checker::CrashChecker;
using rwd::checker::Oracle;

const rwd::RawHandler& workflow(const std::string& name) {
  static auto lib = rwd::tools::HandlerLibrary::open(REWIND_CHECKER_WORKFLOWS_LIB);
  const rwd::HandlerDefinition* def = lib->registry().find(name);
  if (!def) throw std::runtime_error("no handler " + name);
  return def->handler;
}

CheckReport exhaustive(const std::string& name, const rwd::Payload& input = "null") {
  CrashChecker checker(workflow(name), input);
  return checker.checkExhaustive();
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
  CheckReport r = exhaustive("approval_flow");
  EXPECT_TRUE(r.ok()) << r.summary();
}

TEST(CorrectWorkflowTest, ApprovalFlowPassesGeneratedSchedules) {
  CrashChecker checker(workflow("approval_flow"), "null");
  rwd::checker::ExploreOptions eo;
  eo.schedules = 150;
  eo.seed = 7;
  auto result = rwd::checker::explore(checker, eo);
  EXPECT_TRUE(result.report.ok()) << result.report.summary();
  EXPECT_GE(result.report.schedules, 150u);
}

TEST(BuggyWorkflowTest, ExplorationShrinksTheDoubleChargeToOneLostCheckpoint) {
  CrashChecker checker(workflow("double_charge"), "null");
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

}  // namespace
