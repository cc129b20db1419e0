// Tests for rewind-determinism-nondeterministic-call.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

constexpr const char* kCheck = "rewind-determinism-nondeterministic-call";

TEST(NondeterministicCallTest, FindsExactlyTheFixtureExpectations) { expectFixtureMatches(kCheck); }

TEST(NondeterministicCallTest, ReportsTheCallChainThroughHelpersAsNotes) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "std::string id2 = makeIdIndirect()"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("'fixture::makeIdIndirect' reads a random source through "
                                  "'std::random_device::operator()'"),
            std::string::npos)
      << finding->message;
  ASSERT_EQ(finding->notes.size(), 2u);
  EXPECT_EQ(finding->notes[0].message, "'fixture::makeIdIndirect' calls 'fixture::makeId'");
  EXPECT_EQ(finding->notes[1].message, "'fixture::makeId' calls 'std::random_device::operator()'");
  EXPECT_EQ(finding->notes[1].position.line, lineOf(path, "return std::to_string(device())"));
}

TEST(NondeterministicCallTest, ClockFixUsesTheReplaySafeNow) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "auto now = std::chrono"));
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->fixes.size(), 1u);
  EXPECT_EQ(finding->fixes[0].text, "ctx.now(\"now\")");
  const Finding* time = findingAt(result, lineOf(path, "long seconds = time(nullptr)"));
  ASSERT_NE(time, nullptr);
  ASSERT_EQ(time->fixes.size(), 1u);
  EXPECT_EQ(time->fixes[0].text, "std::chrono::system_clock::to_time_t(ctx.now(\"seconds\"))");
}

TEST(NondeterministicCallTest, OffersToWrapASerialisableInitializerInAStep) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* dice = findingAt(result, lineOf(path, "int dice = std::rand()"));
  ASSERT_NE(dice, nullptr);
  ASSERT_EQ(dice->fixes.size(), 1u);
  EXPECT_EQ(dice->fixes[0].text, "ctx.step(\"dice\", [&] { return std::rand(); })");
  const Finding* bare = findingAt(result, lineOf(path, "uuid_generate(raw)"));
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(bare->fixes.empty()) << "a call that is not an initializer has no fix";
  const Finding* thread = findingAt(result, lineOf(path, "auto thread = std::this_thread::get_id()"));
  ASSERT_NE(thread, nullptr);
  EXPECT_TRUE(thread->fixes.empty()) << "a thread id is not serialisable: no step can return it";
}

TEST(NondeterministicCallTest, GetenvFixNeverMakesAStepReturnACharPointer) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* pointer = findingAt(result, lineOf(path, "const char* region = std::getenv"));
  ASSERT_NE(pointer, nullptr);
  EXPECT_TRUE(pointer->fixes.empty()) << pointer->fixes[0].text;
  const Finding* text = findingAt(result, lineOf(path, "std::string home = std::getenv"));
  ASSERT_NE(text, nullptr);
  ASSERT_EQ(text->fixes.size(), 1u);
  EXPECT_EQ(text->fixes[0].text,
            "ctx.step(\"home\", [&] { const char* value = std::getenv(\"HOME\"); "
            "return std::string(value != nullptr ? value : \"\"); })");
}

TEST(NondeterministicCallTest, MessagesNameTheCallAsWritten) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingAt(result, lineOf(path, "high_resolution_clock::now()"));
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->message.rfind("'std::chrono::high_resolution_clock::now' reads a clock", 0), 0u)
      << finding->message;
}

TEST(NondeterministicCallTest, ReadsAdditionalFunctionsFromOptions) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".AdditionalFunctions", "fixture::pureHelper"}});
  const Finding* finding = findingAt(result, lineOf(path, "std::string text = pureHelper(dice)"));
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(finding->message.find("a non-deterministic source"), std::string::npos);
}

TEST(NondeterministicCallTest, AnEmptyClockListDisablesClockFindings) {
  std::string path = fixturePath(kCheck);
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".ClockFunctions", ""}});
  EXPECT_EQ(findingAt(result, lineOf(path, "auto now = std::chrono")), nullptr);
  EXPECT_NE(findingAt(result, lineOf(path, "int dice = std::rand()")), nullptr);
}

std::string ioFixture() { return fixturesDir() + "/determinism/io_reads.cpp"; }

// The finding on the line of `path` holding `marker`, whose message must start with
// `start`; null (a failure) when there is none.
const Finding* findingStartingWith(const LintResult& result, const std::string& path, const std::string& marker,
                                   const std::string& start) {
  const Finding* finding = findingAt(result, lineOf(path, marker));
  EXPECT_NE(finding, nullptr) << "no finding at " << marker;
  if (finding != nullptr) {
    EXPECT_EQ(finding->message.rfind(start, 0), 0u) << finding->message;
  }
  return finding;
}

TEST(NondeterministicCallTest, FindsReadsOfExternalStateOutsideSteps) { expectFileMatches(ioFixture(), kCheck); }

TEST(NondeterministicCallTest, ExternalReadsGetNoFixAndAskToMoveTheReadIntoAStep) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck);
  for (const char* marker :
       {"std::string config = readConfig(", "int character = getchar()", "size_t size = fs::file_size"}) {
    SCOPED_TRACE(marker);
    const Finding* finding = findingAt(result, lineOf(path, marker));
    ASSERT_NE(finding, nullptr);
    EXPECT_TRUE(finding->fixes.empty()) << finding->fixes[0].text;
    EXPECT_NE(finding->message.find("move it into a step"), std::string::npos) << finding->message;
  }
  const Finding* file = findingAt(result, lineOf(path, "std::ifstream config(\"/etc/app.conf\")"));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->message,
            "'std::ifstream' reads a file in orchestration code, so a replay can see different data; "
            "move it into a step");
  const Finding* process = findingAt(result, lineOf(path, "popen(\"ls /srv\""));
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->message.rfind("'popen' runs a process in orchestration code, so it runs again on every replay", 0),
            0u)
      << process->message;
}

TEST(NondeterministicCallTest, ExternalReadsInHelpersAreReportedAtTheCallWithTheChain) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck);
  const Finding* finding = findingStartingWith(result, path, "std::string nested = readConfigIndirect(",
                                               "'fixture::readConfigIndirect' reads a file through 'std::ifstream'");
  ASSERT_NE(finding, nullptr);
  ASSERT_EQ(finding->notes.size(), 2u);
  EXPECT_EQ(finding->notes[1].message, "'fixture::readConfig' calls 'std::ifstream'");
  EXPECT_EQ(finding->notes[1].position.line, lineOf(path, "std::ifstream in(path);"));
}

TEST(NondeterministicCallTest, NamesStandardInputAndMemberCallsByWhatTheCodeUses) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck);
  findingStartingWith(result, path, "fgets(buffer, sizeof buffer, stdin)", "'fgets' reads standard input");
  findingStartingWith(result, path, "secure.Get(\"/health\");", "'httplib::SSLClient::Get' reads the network");
}

TEST(NondeterministicCallTest, AHostReadIsWrappedInAStepUnlessItAlsoWritesThroughAnArgument) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck);
  const Finding* cores =
      findingStartingWith(result, path, "unsigned cores = std::thread::hardware_concurrency()",
                          "'std::thread::hardware_concurrency' reads the host in orchestration code");
  ASSERT_NE(cores, nullptr);
  ASSERT_EQ(cores->fixes.size(), 1u);
  EXPECT_EQ(cores->fixes[0].text, "ctx.step(\"cores\", [&] { return std::thread::hardware_concurrency(); })");
  // A step would checkpoint the return code and, on replay, leave `name` unwritten.
  const Finding* named = findingAt(result, lineOf(path, "int named = gethostname(name, sizeof name)"));
  ASSERT_NE(named, nullptr);
  EXPECT_TRUE(named->fixes.empty()) << named->fixes[0].text;
  const Finding* pages = findingAt(result, lineOf(path, "long pages = sysconf(30)"));
  ASSERT_NE(pages, nullptr);
  ASSERT_EQ(pages->fixes.size(), 1u);
  EXPECT_EQ(pages->fixes[0].text, "ctx.step(\"pages\", [&] { return sysconf(30); })");
}

TEST(NondeterministicCallTest, StandardInputHandedToAFunctionIsAReadOfIt) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck);
  const Finding* parsed =
      findingStartingWith(result, path, "int parsed = parseNumber(std::cin)", "'parseNumber' reads standard input");
  ASSERT_NE(parsed, nullptr);
  EXPECT_TRUE(parsed->fixes.empty());
  EXPECT_EQ(findingAt(result, lineOf(path, "int fromText = parseNumber(text)")), nullptr);
}

TEST(NondeterministicCallTest, AnEmptyFileListDisablesFileFunctionFindingsOnly) {
  std::string path = ioFixture();
  LintResult result = lintFile(path, kCheck, {{std::string(kCheck) + ".FileFunctions", ""}});
  EXPECT_EQ(findingAt(result, lineOf(path, "FILE* hosts = fopen(")), nullptr);
  EXPECT_NE(findingAt(result, lineOf(path, "std::ifstream config(\"/etc/app.conf\")")), nullptr);
}

}  // namespace
}  // namespace rwd::lint::testing
