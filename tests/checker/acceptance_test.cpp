// #12 acceptance points that the planted-bug examples (examples/buggy/checker) do not
// show by themselves: worlds reset once per explored execution, a fake kept in a child's
// memory in fork mode, the gtest macros with options and payload generators, payloads
// only from the user, and reports that say only what was observed (injected failures by
// step name, no canned text after a NonDeterministicExecutionError, FLAKY only when a
// re-run disagrees).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rewind/checker/crash_checker.hpp"
#include "rewind/checker/effect_ledger.hpp"
#include "rewind/checker/exploration.hpp"
#include "rewind/checker/gtest.hpp"
#include "rewind/checker/report_writer.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::Json;
using rwd::checker::CheckMode;
using rwd::checker::CheckOptions;
using rwd::checker::CrashChecker;
using rwd::checker::Oracle;
using rwd::checker::Schedule;

// Warm resumes only (in-process).
CheckOptions warm(bool confirm = true) {
  CheckOptions o;
  o.mode = CheckMode::InProcess;
  o.confirm = confirm;
  return o;
}

rwd::checker::ExploreOptions exploring(std::size_t schedules, std::uint64_t seed) {
  rwd::checker::ExploreOptions eo;
  eo.schedules = schedules;
  eo.seed = seed;
  return eo;
}

// ---- point 5: worlds and resets -------------------------------------------------------

// A fake warehouse kept in this process's memory.
struct Warehouse {
  int resets = 0;
  int reserved = 0;
};
Warehouse& warehouse() {
  static Warehouse w;
  return w;
}
int invocationsSeen = 0;

// Two invocations per crash-free execution (the wait suspends), more after a crash.
std::string reserveThenConfirm(const Json&, DurableContext& ctx) {
  ++invocationsSeen;
  ctx.step("reserve", [] {
    ++warehouse().reserved;  // the fake's state, kept in memory
    return 1;
  });
  ctx.wait("settle", 10s);
  return ctx.step("confirm", [] {
    if (warehouse().reserved < 1) throw std::runtime_error("nothing was reserved in this world");
    return std::string("confirmed");
  });
}

TEST(WorldTest, SetupRunsOncePerExploredExecutionNeverPerInvocation) {
  warehouse() = {};
  invocationsSeen = 0;
  static std::vector<int> invocationsAtReset;
  invocationsAtReset.clear();
  CheckOptions o;
  o.mode = CheckMode::InProcess;
  o.setup = [] {
    ++warehouse().resets;
    warehouse().reserved = 0;
    invocationsAtReset.push_back(invocationsSeen);
  };
  CrashChecker checker(rwd::makeHandler(reserveThenConfirm), "null", o);
  auto report = checker.checkExhaustive();
  ASSERT_TRUE(report.ok()) << report.summary();
  // The reference run and one run per crash point: one reset each.
  EXPECT_EQ(warehouse().resets, static_cast<int>(report.runs) + 1);
  // Every explored execution made at least two invocations (the wait suspends the first).
  invocationsAtReset.push_back(invocationsSeen);
  for (std::size_t i = 0; i + 1 < invocationsAtReset.size(); ++i)
    EXPECT_GE(invocationsAtReset[i + 1] - invocationsAtReset[i], 2) << "execution " << i;
}

TEST(WorldTest, AFakeKeptInAForkedChildsMemoryFailsTheColdReferenceAndIsNotOk) {
  warehouse() = {};
  CheckOptions o;
  o.mode = CheckMode::Fork;
  o.setup = [] { warehouse().reserved = 0; };
  CrashChecker checker(rwd::makeHandler(reserveThenConfirm), "null", o);
  auto report = checker.checkExhaustive();
  ASSERT_TRUE(report.referenceError) << "the reservation died with the first invocation's child:\n" << report.summary();
  EXPECT_NE(report.referenceError->find("[rewind.checker.reference_failed]"), std::string::npos);
  EXPECT_NE(report.referenceError->find("nothing was reserved in this world"), std::string::npos)
      << *report.referenceError;
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.summary().find("OK"), std::string::npos) << report.summary();
}

// The supported way: the state the world keeps goes through the effect ledger, which
// outlives a child (and the crashed invocation) as an external service would.
std::string reserveInTheLedger(const Json&, DurableContext& ctx) {
  ctx.step("reserve", [] {
    rwd::checker::recordIdempotentEffect("reserve", "sku-1", "order-1");
    return 1;
  });
  ctx.wait("settle", 10s);
  return ctx.step("confirm", [] {
    if (rwd::checker::EffectLedger::global().counts().count({"reserve", "sku-1"}) == 0)
      throw std::runtime_error("nothing was reserved");
    return std::string("confirmed");
  });
}

TEST(WorldTest, StateKeptInTheEffectLedgerSurvivesColdResumes) {
  CrashChecker checker(rwd::makeHandler(reserveInTheLedger), "null");  // both kinds of resume
  auto report = checker.checkExhaustive();
  EXPECT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.resumeKinds, "warm and cold");
}

// ---- points 4 and 7 through the gtest macros ------------------------------------------

std::string approvalWithLimit(const Json&, DurableContext& ctx) {
  Json a = ctx.waitForCallback<Json>("manager-approval", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  int limit = a.at("limit").get<int>();
  ctx.step("hold", [limit] {
    rwd::checker::recordIdempotentEffect("hold", "card-1", "hold-" + std::to_string(limit));
    return limit;
  });
  ctx.step("capture", [] {
    rwd::checker::recordIdempotentEffect("capture", "card-1", "capture-1");
    return 1;
  });
  return "approved up to " + std::to_string(limit);
}

std::optional<std::string> holdsCaptured(const rwd::checker::FinalState& s) {
  int holds = 0, captures = 0;
  for (const auto& [key, n] : s.effects) {
    if (key.first == "hold") holds += n;
    if (key.first == "capture") captures += n;
  }
  if (holds != captures) return std::to_string(holds) + " holds, " + std::to_string(captures) + " captures";
  return std::nullopt;
}

int macroSetups = 0;  // the world of the test: reset once per explored execution

CheckOptions macroOptions() {
  CheckOptions o;
  o.callbackResponders = {rwd::checker::parseCallbackRule(R"(manager-approval=success:{"limit":500}@600)")};
  o.setup = [] { ++macroSetups; };
  o.invariants = {{"every hold is captured", holdsCaptured}};
  return o;
}

REWIND_CHECK_CRASH_SAFETY_WITH(AcceptanceMacroTest, DeclaredAnswerSetupAndInvariant, approvalWithLimit, Json(nullptr),
                               macroOptions());

// Property mode: the payload comes from the generator the user gives for the callback.
std::set<std::string>& payloadsSeen() {
  static std::set<std::string> seen;
  return seen;
}

std::string recordPayload(const Json&, DurableContext& ctx) {
  Json answer =
      ctx.waitForCallback<Json>("manager-approval", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  payloadsSeen().insert(answer.dump());
  return ctx.step("done", [] { return std::string("done"); });
}

REWIND_CHECK_CRASH_SAFETY_PROP_WITH(AcceptanceMacroTest, GeneratedPayloadsComeOnlyFromTheUsersGenerator, recordPayload,
                                    rc::gen::just(0), ([] {
                                      CheckOptions o;
                                      o.mode = CheckMode::InProcess;
                                      o.callbackResponders = {
                                          rwd::checker::parseCallbackRule(R"(manager-approval=success:{"limit":1})")};
                                      return o;
                                    }()),
                                    (std::map<std::string, rc::Gen<std::string>>{
                                        {"manager-approval", rc::gen::map(rc::gen::inRange(100, 110), [](int n) {
                                           return R"({"limit":)" + std::to_string(n) + "}";
                                         })}}));

TEST(PayloadTest, PropertyModeAnswersOnlyWithDeclaredOrGeneratedPayloads) {
  payloadsSeen().clear();
  CheckOptions o;
  o.mode = CheckMode::InProcess;
  o.callbackResponders = {rwd::checker::parseCallbackRule(R"(manager-approval=success:{"limit":1})")};
  CrashChecker checker(rwd::makeHandler(recordPayload), "null", o);
  rwd::checker::ExploreOptions eo;
  eo.schedules = 300;
  eo.seed = 5;
  eo.callbackPayloads = {{"manager-approval", rc::gen::element<std::string>(R"({"limit":2})", R"({"limit":3})")}};
  auto result = rwd::checker::explore(checker, eo);
  EXPECT_TRUE(result.report.ok()) << result.report.summary();
  ASSERT_FALSE(payloadsSeen().empty());
  for (const std::string& p : payloadsSeen())
    EXPECT_TRUE(p == R"({"limit":1})" || p == R"({"limit":2})" || p == R"({"limit":3})") << "invented: " << p;
  EXPECT_GT(payloadsSeen().count(R"({"limit":2})") + payloadsSeen().count(R"({"limit":3})"), 0u);
  // Without a declared answer or a generator nothing answers: the check says so.
  CrashChecker unanswered(rwd::makeHandler(recordPayload), "null", warm());
  auto none = rwd::checker::explore(unanswered, exploring(10, 5));
  ASSERT_TRUE(none.report.referenceError) << none.report.summary();
  EXPECT_NE(none.report.referenceError->find("manager-approval"), std::string::npos) << *none.report.referenceError;
}

// ---- reports a user can act on ---------------------------------------------------------

// Point 3: the CLI summary (tests/checker/CMakeLists.txt), the JSON report and the gtest
// macros all state the crash-free reference run's outcome, and a failed one as an error.
TEST(ReportTest, TheJsonReportAndTheGtestMacrosStateTheReferenceOutcome) {
  auto handler = rwd::makeHandler([](const Json&, DurableContext& ctx) { return ctx.step("a", [] { return 7; }); });
  CrashChecker checker(handler, "null", warm());
  auto report = checker.checkExhaustive();
  const auto dir = std::filesystem::temp_directory_path() / ("rewind-acceptance-" + std::to_string(::getpid()));
  auto files = rwd::checker::writeReport(report, dir.string());
  Json j = Json::parse(std::ifstream(files.report));
  EXPECT_EQ(j.at("reference"), "SUCCEEDED with 7 (warm resume)") << j.dump(2);
  EXPECT_TRUE(j.at("referenceError").is_null());
  EXPECT_EQ(j.at("ok"), true);

  auto failing = rwd::makeHandler([](const Json&, DurableContext& ctx) -> int {
    ctx.step("a", [] { return 7; });
    throw std::runtime_error("the answer could not be parsed");
  });
  CrashChecker failed(failing, "null", warm());
  auto bad = failed.checkExhaustive();
  files = rwd::checker::writeReport(bad, dir.string());
  j = Json::parse(std::ifstream(files.report));
  EXPECT_NE(j.at("reference").get<std::string>().find("FAILED with"), std::string::npos) << j.dump(2);
  EXPECT_NE(j.at("referenceError").get<std::string>().find("[rewind.checker.reference_failed]"), std::string::npos);
  EXPECT_EQ(j.at("ok"), false);
  std::filesystem::remove_all(dir);

  // What REWIND_CHECK_CRASH_SAFETY runs in each slice: the outcome is a test property.
  rwd::checker::expectCrashSafe(handler, "null", 0, 1, warm());
  const ::testing::TestResult* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  std::string recorded;
  for (int i = 0; i < result->test_property_count(); ++i)
    if (std::string(result->GetTestProperty(i).key()) == "rewind_reference")
      recorded = result->GetTestProperty(i).value();
  EXPECT_EQ(recorded, "SUCCEEDED with 7 (warm resume)");
}

TEST(ReportTest, ACrashPointIsNamedByOperationActionCheckpointAndBranch) {
  auto handler = rwd::makeHandler([](const Json&, DurableContext& ctx) {
    ctx.step("load", [] { return 1; });
    auto checks =
        ctx.parallel<int>("checks", {{"risk-checks",
                                      [](DurableContext& c) {
                                        return c.step("fraud", [] {
                                          rwd::checker::recordEffect("fraud-score", "order-1");  // BUG: not idempotent
                                          return 1;
                                        });
                                      }},
                                     {"stock", [](DurableContext& c) { return c.step("stock", [] { return 2; }); }}});
    return static_cast<int>(checks.getResults().size());
  });
  CrashChecker checker(handler, "null", warm());
  auto report = checker.checkExhaustive();
  const rwd::checker::Finding* f = nullptr;
  for (const auto& g : report.findings)
    if (g.oracle == Oracle::ExactlyOnce) f = &g;
  ASSERT_NE(f, nullptr) << report.summary();
  EXPECT_NE(f->crash.find("crash before 'fraud' SUCCEED reached the service: done, checkpoint lost (checkpoint "),
            std::string::npos)
      << f->crash;
  EXPECT_NE(f->crash.find(", in 'risk-checks')"), std::string::npos) << f->crash;
  EXPECT_NE(f->message.find("'fraud' (step "), std::string::npos) << "the body that ran again: " << f->message;
}

TEST(ReportTest, AnInjectedFailureIsNamedByItsStepNotItsHashedId) {
  auto handler = rwd::makeHandler([](const Json&, DurableContext& ctx) {
    return ctx.step("charge-card",
                    [] {
                      rwd::checker::recordEffect("charge", "card-1");  // BUG: not idempotent
                      return 1;
                    },
                    {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
  });
  CrashChecker checker(handler, "null", warm());
  const std::string id = checker.reference().operations.at(0).id;
  Schedule s;
  s.stepFailures = {{id, 1}};
  // The lost SUCCEED of the second attempt (the first failed by injection).
  const auto run = checker.run(s);
  std::optional<std::size_t> succeed;
  for (const auto& u : run.updates)
    if (u.update.id == id && u.update.action == rwd::OperationAction::Succeed) succeed = u.sequence;
  ASSERT_TRUE(succeed);
  s.crashes = {{*succeed, rwd::checker::CrashSide::EffectLost}};
  auto findings = checker.check(s);
  ASSERT_FALSE(findings.empty());
  const auto& f = findings.front();
  EXPECT_EQ(f.oracle, Oracle::ExactlyOnce) << f.message;
  EXPECT_NE(f.crash.find("crash before 'charge-card' SUCCEED reached the service"), std::string::npos) << f.crash;
  EXPECT_NE(f.crash.find("injected failure of 'charge-card' (step 1) attempt 1"), std::string::npos) << f.crash;
  EXPECT_EQ(f.crash.find(id), std::string::npos) << "no hashed id: " << f.crash;
}

TEST(ReportTest, AfterANonDeterministicReplayNoFindingClaimsTheSameOperationsRan) {
  auto handler = rwd::makeHandler([](const Json&, DurableContext& ctx) {
    bool ranLive = false;
    ctx.step("first", [&] {
      ranLive = true;
      return 1;
    });
    // BUG: the branch depends on whether "first" ran in this invocation or was replayed.
    if (ranLive)
      ctx.step("left", [] { return 1; });
    else
      ctx.step("right", [] { return 1; });
    return 1;
  });
  CrashChecker checker(handler, "null", warm(false));
  auto report = checker.checkExhaustive();
  ASSERT_FALSE(report.ok());
  bool nonDeterministic = false, result = false;
  for (const auto& f : report.findings) {
    if (f.message.find("NonDeterministicExecutionError") != std::string::npos) nonDeterministic = true;
    if (f.oracle == Oracle::Result) result = true;
    EXPECT_EQ(f.message.find("the same operations ran"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find("checkpointed the same value"), std::string::npos) << f.message;
  }
  EXPECT_TRUE(nonDeterministic) << report.summary();
  EXPECT_TRUE(result) << "the failed replay also changed the outcome:\n" << report.summary();
}

TEST(ReportTest, AFindingIsFlakyOnlyWhenItsConfirmingRunDisagreesAndSaysWhyItMayDiffer) {
  static int resumedRuns = 0;
  auto handler = rwd::makeHandler([](const Json&, DurableContext& ctx) {
    int v = ctx.step("a", [] { return 1; });
    ctx.wait("pause", 5s);
    // BUG that shows once: a process-wide counter decides the result (state left behind
    // by earlier runs), so the confirming re-run of the same schedule disagrees.
    if (++resumedRuns == 4) return 99;
    return v;
  });
  CrashChecker checker(handler, "null", warm());
  auto report = checker.checkExhaustive();
  ASSERT_EQ(report.findings.size(), 1u) << report.summary();
  const auto& f = report.findings.front();
  EXPECT_TRUE(f.confirmed);
  EXPECT_FALSE(f.reproduced);
  const std::string text = report.summary();
  EXPECT_NE(text.find("FLAKY: re-running the same schedule in the same mode gave a different verdict"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("state left behind by earlier runs"), std::string::npos) << text;
}

}  // namespace
