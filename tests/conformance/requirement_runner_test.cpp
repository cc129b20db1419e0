// The conformance runner end to end: requirement files on disk, the C++ handler
// library, verdicts and the first mismatching path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../handler_library.hpp"  // tools/handler_library.hpp
#include "conformance_runner.hpp"
#include "handler_set.hpp"
#include "requirement.hpp"
#include "rewind/local_runner.hpp"
#include "yaml_value.hpp"

namespace rwd::conformance {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const HandlerSet& handlers() {
  static const HandlerSet set = [] {
    HandlerSet s;
    static auto library = tools::HandlerLibrary::open(REWIND_CONFORMANCE_HANDLERS);
    s.add(library->registry(), library->path());
    return s;
  }();
  return set;
}

// A fresh directory per test, holding requirement files written by the test.
class RequirementDir {
 public:
  RequirementDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::path(::testing::TempDir()) / (std::string("rewind_conformance_") + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~RequirementDir() { fs::remove_all(root_); }
  fs::path writeFile(const std::string& relative, const std::string& text) {
    fs::path p = root_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  Requirement write(const std::string& relative, const std::string& yaml) {
    fs::path p = writeFile(relative, yaml);
    for (auto& r : findRequirements(root_))
      if (r.path == p) return r;
    throw std::runtime_error("not found");
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

constexpr const char* kStepBasic = R"(
Input: World
ExpectedResult:
  ExecutionStatus: SUCCEEDED
  Result: Hello, World!
ExpectedExecutionHistory:
  - EventType: StepSucceeded
    EventId: 3
    Id: ${ID1}
    StepSucceededDetails:
      RetryDetails: {CurrentAttempt: 1}
)";

TEST(RequirementTest, IdComesFromTheFileName) {
  EXPECT_EQ(requirementIdFor("step/1-17.yaml"), "1.17");
  EXPECT_EQ(requirementIdFor("/x/map/9-2.yaml"), "9.2");
}

TEST(RequirementTest, FilesAreFoundRecursivelyAndOrderedNumerically) {
  RequirementDir dir;
  dir.write("step/1-10.yaml", "{}");
  dir.write("step/1-2.yaml", "{}");
  dir.write("wait/2-1.yaml", "{}");
  dir.writeFile("step/notes.txt", "");
  std::vector<std::string> ids;
  for (const auto& r : findRequirements(dir.root())) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1.2", "1.10", "2.1"}));
  EXPECT_THROW(findRequirements(dir.root() / "missing"), std::runtime_error);
}

TEST(RequirementTest, FilterSelectsByIdStemOrFamily) {
  RequirementDir dir;
  Requirement r = dir.write("step/1-17.yaml", "{}");
  EXPECT_TRUE(selects("1.17", r));
  EXPECT_TRUE(selects("1-17", r));
  EXPECT_TRUE(selects("step", r));
  EXPECT_FALSE(selects("1.1", r));
}

TEST(RunRequirementTest, PassingRequirementReportsPass) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("step/1-1.yaml", kStepBasic), handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.message;
}

TEST(RunRequirementTest, MismatchReportsTheFirstMismatchingPath) {
  RequirementDir dir;
  std::string yaml = kStepBasic;
  yaml.replace(yaml.find("CurrentAttempt: 1"), 17, "CurrentAttempt: 2");
  Report r = runRequirement(dir.write("step/1-1.yaml", yaml), handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_THAT(r.message, HasSubstr("history[EventId=3].StepSucceededDetails.RetryDetails.CurrentAttempt"));
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.status, "SUCCEEDED");
}

TEST(RunRequirementTest, OptionalFailureDoesNotCountAsFailure) {
  RequirementDir dir;
  Report r = runRequirement(
      dir.write("step/1-1.yaml", "optional: true\nInput: World\nExpectedResult: {ExecutionStatus: FAILED}\n"),
      handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::OptionalFailed);
}

TEST(RunRequirementTest, UnregisteredIdIsSkipped) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("other/99-1.yaml", "Input: 1\n"), handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Skip);
  EXPECT_THAT(r.message, HasSubstr("99.1"));
}

TEST(RunRequirementTest, CallbackPayloadIsSentAsPythonJsonDumps) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("callback/4-1.yaml", R"(
AsyncInvoke: true
Variables:
  CB_NAME: ${GEN_STR:10}
Input: ${CB_NAME}
CallbackActions:
  - CallbackName: ${/^[a-z0-9]{10}$/}
    Operation: success
    Payload: {status: approved, note: "caf\u00e9"}
    Delay: 2
ExpectedResult:
  ExecutionStatus: SUCCEEDED
  Result: '{"status": "approved", "note": "caf\u00e9"}'
ExpectedExecutionHistory:
  - EventId: 2
    Name: ${CB_NAME}
)"),
                            handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.message;
}

TEST(RunRequirementTest, CallbackFailureSendsThePayloadAsTheError) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("callback/4-1.yaml", R"(
AsyncInvoke: true
Input: cb
CallbackActions:
  - CallbackName: cb
    Operation: failure
    Payload: {ErrorType: RejectedError, ErrorMessage: not approved, ErrorData: {k: 1}}
ExpectedResult:
  ExecutionStatus: FAILED
ExpectedExecutionHistory:
  - EventId: 4
    EventType: CallbackFailed
    CallbackFailedDetails:
      Error:
        Payload: {ErrorType: RejectedError, ErrorMessage: not approved, ErrorData: '{"k": 1}'}
)"),
                            handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.message;
}

TEST(RunRequirementTest, CallbackNoActionMatchesIsAFailure) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("callback/4-1.yaml", R"(
AsyncInvoke: true
Input: cb
CallbackActions:
  - CallbackName: someone-else
    Operation: success
ExpectedResult:
  ExecutionStatus: SUCCEEDED
)"),
                            handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_THAT(r.message, HasSubstr("cb"));
}

TEST(RunRequirementTest, UnknownCallbackOperationIsReported) {
  RequirementDir dir;
  Report r = runRequirement(
      dir.write("callback/4-1.yaml",
                "AsyncInvoke: true\nInput: cb\nCallbackActions:\n  - CallbackName: cb\n    Operation: explode\n"),
      handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_THAT(r.message, HasSubstr("explode"));
}

TEST(RunRequirementTest, CallbackActionWithoutNameIsReported) {
  RequirementDir dir;
  Report r = runRequirement(
      dir.write("callback/4-1.yaml", "AsyncInvoke: true\nInput: cb\nCallbackActions:\n  - Operation: success\n"),
      handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_THAT(r.message, HasSubstr("needs a CallbackName"));
}

TEST(RunRequirementTest, LogsAreMatchedAgainstTheRunnersRecords) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("step/1-7.yaml", R"(
Input: abc
ExpectedLogs:
  - match: {message: '/started for: abc/', level: INFO}
    count: 1
  - match: {message: '/completed/'}
    after: 0
)"),
                            handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Pass) << r.message;
  EXPECT_EQ(r.logs.size(), 2u);
}

TEST(RunRequirementTest, MalformedFileIsAFailureNotACrash) {
  RequirementDir dir;
  Report r = runRequirement(dir.write("step/1-1.yaml", "Input: [unclosed\n"), handlers(), {});
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_THAT(r.message, HasSubstr("cannot read the requirement"));
}

TEST(RunRequirementTest, EveryBundledStepRequirementPasses) {
  for (const auto& req : findRequirements(fs::path(REWIND_CONFORMANCE_DIR) / "step")) {
    Report r = runRequirement(req, handlers(), {});
    EXPECT_EQ(r.verdict, Verdict::Pass) << req.id << ": " << r.message;
  }
}

// Rewind's own plugin requirements (tests/conformance/requirements/, ids 90.x).
std::vector<Requirement> ownRequirements(const char* family) {
  return findRequirements(fs::path(REWIND_OWN_REQUIREMENTS_DIR) / family);
}

std::size_t recordsWith(const Report& r, const char* key, const char* value) {
  std::size_t n = 0;
  for (const auto& rec : r.logs) n += rec.is_object() && rec.contains(key) && rec[key] == value ? 1 : 0;
  return n;
}

TEST(PluginLogsTest, PluginRequirementsInTheSuitesFormatPass) {
  auto requirements = ownRequirements("plugin");
  ASSERT_EQ(requirements.size(), 2u);
  for (const auto& req : requirements) {
    Report r = runRequirement(req, handlers(), {});
    EXPECT_EQ(r.verdict, Verdict::Pass) << req.id << ": " << r.message;
  }
}

TEST(PluginLogsTest, ARecordWrittenToStdoutAndToTheSinkCountsOnce) {
  auto requirements = ownRequirements("plugin");
  ASSERT_FALSE(requirements.empty());
  Report r = runRequirement(requirements[0], handlers(), {});  // 90.1: JsonLogPlugin
  ASSERT_EQ(requirements[0].id, "90.1");
  EXPECT_EQ(recordsWith(r, "hook", "onInvocationStart"), 2u);
  EXPECT_EQ(recordsWith(r, "hook", "onInvocationEnd"), 2u);
}

TEST(PluginLogsTest, LinesAPluginOnlyPrintsAreRecordsInTheirPlace) {
  auto requirements = ownRequirements("plugin");
  ASSERT_EQ(requirements.size(), 2u);
  Report r = runRequirement(requirements[1], handlers(), {});  // 90.2: prints only
  ASSERT_EQ(requirements[1].id, "90.2");
  EXPECT_EQ(recordsWith(r, "message", "probe: invocation ended PENDING"), 1u);
  EXPECT_EQ(recordsWith(r, "probe", "operation-end"), 1u);
  EXPECT_EQ(recordsWith(r, "probe", "attempt-end"), 2u);
  // The logger's record of attempt 1 comes before the plugin's line for that attempt.
  std::vector<std::string> order;
  for (const auto& rec : r.logs)
    order.push_back(rec.contains("probe") ? rec["probe"].get<std::string>() : rec.value("message", ""));
  ASSERT_GE(order.size(), 2u);
  EXPECT_THAT(order[0], ::testing::StartsWith("reserving ")) << ::testing::PrintToString(order);
  EXPECT_EQ(order[1], "attempt-end") << ::testing::PrintToString(order);
}

TEST(PluginLogsTest, AWrongExpectationOnPluginRecordsFailsAtItsEntry) {
  auto requirements = ownRequirements("plugin-mismatch");
  ASSERT_EQ(requirements.size(), 2u);
  Report jsonLog = runRequirement(requirements[0], handlers(), {});
  EXPECT_EQ(jsonLog.verdict, Verdict::Fail);
  EXPECT_THAT(jsonLog.message, HasSubstr("ExpectedLogs[2]"));
  EXPECT_THAT(jsonLog.message, HasSubstr("matched 1 record(s) (want 2..2)"));
  Report printed = runRequirement(requirements[1], handlers(), {});
  EXPECT_EQ(printed.verdict, Verdict::Fail);
  EXPECT_THAT(printed.message, HasSubstr("ExpectedLogs[0]"));
}

}  // namespace
}  // namespace rwd::conformance
