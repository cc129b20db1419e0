// The conformance matching rules of DESIGN.md section 2.
#include "matcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "py_regex.hpp"
#include "yaml_value.hpp"

namespace rwd::conformance {
namespace {

using ::testing::HasSubstr;

Value json(const char* text) { return Value::parse(text); }

std::optional<Mismatch> matchOnce(const Value& expected, const Value& actual) {
  Matcher m;
  return m.match(expected, actual);
}

TEST(MatcherTest, StarRelaxesTheValueNotThePresence) {
  EXPECT_FALSE(matchOnce(json(R"({"a":"*"})"), json(R"({"a":{"deep":[1]}})")));
  auto miss = matchOnce(json(R"({"a":"*"})"), json(R"({"b":1})"));
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "$.a");
  EXPECT_EQ(miss->message, "missing key");
}

TEST(MatcherTest, EmptyObjectMatchesAnyObjectOnly) {
  EXPECT_FALSE(matchOnce(json(R"({"d":{}})"), json(R"({"d":{"x":1}})")));
  EXPECT_TRUE(matchOnce(json(R"({"d":{}})"), json(R"({"d":"text"})")));
}

TEST(MatcherTest, DictsMatchOnTheExpectedKeysOnly) {
  EXPECT_FALSE(matchOnce(json(R"({"a":1})"), json(R"({"a":1,"extra":2})")));
}

TEST(MatcherTest, BindingBindsOnFirstUseAndMustThenRepeat) {
  Matcher m;
  EXPECT_FALSE(m.match(Value("${ID1}"), Value("c4ca")));
  EXPECT_FALSE(m.match(Value("${ID1}"), Value("c4ca")));
  auto miss = m.match(Value("${ID1}"), Value("other"), "$.Id");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "$.Id");
  EXPECT_THAT(miss->message, HasSubstr("bound to"));
}

TEST(MatcherTest, PreboundVariablesMustMatch) {
  Matcher m(Variables{{"NAME", "abc"}});
  EXPECT_FALSE(m.match(Value("${NAME}"), Value("abc")));
  EXPECT_TRUE(m.match(Value("${NAME}"), Value("abd")));
}

TEST(MatcherTest, RegexIsASearchWithPythonSyntax) {
  EXPECT_FALSE(matchOnce(Value("${/TransientError$/}"), Value("conformance::TransientError")));
  EXPECT_FALSE(matchOnce(Value("${/(?i)transient/}"), Value("TRANSIENT failure")));
  EXPECT_FALSE(matchOnce(Value("${/^[0-5]$/}"), Value(3)));
  EXPECT_FALSE(matchOnce(Value(R"(${/^(?P<n>\d+)\Z/})"), Value("12")));
  EXPECT_TRUE(matchOnce(Value("${/^[0-5]$/}"), Value(9)));
  EXPECT_TRUE(matchOnce(Value(R"(${/x\Z/})"), Value("x\n")));
}

TEST(MatcherTest, InvalidRegexIsAMismatchNotACrash) {
  auto miss = matchOnce(Value("${/(unclosed/}"), Value("x"));
  ASSERT_TRUE(miss);
  EXPECT_THAT(miss->message, HasSubstr("invalid regular expression"));
}

TEST(MatcherTest, ListsMatchElementWiseWithEqualLength) {
  EXPECT_FALSE(matchOnce(json(R"(["a","*"])"), json(R"(["a",2])")));
  auto miss = matchOnce(json(R"(["a"])"), json(R"(["a","b"])"));
  ASSERT_TRUE(miss);
  EXPECT_THAT(miss->message, HasSubstr("list of 1"));
  miss = matchOnce(json(R"(["a","b"])"), json(R"(["a","c"])"));
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "$[1]");
}

TEST(MatcherTest, NumbersCompareNumerically) {
  EXPECT_FALSE(matchOnce(Value(2), Value(2.0)));
  EXPECT_FALSE(matchOnce(Value(std::uint64_t{5}), Value(5)));
  EXPECT_TRUE(matchOnce(Value(2), Value(3)));
  EXPECT_TRUE(matchOnce(Value(2), Value("2")));
}

TEST(MatcherTest, BoolsOnlyMatchBools) {
  EXPECT_FALSE(matchOnce(Value(true), Value(true)));
  EXPECT_TRUE(matchOnce(Value(true), Value(1)));
  EXPECT_TRUE(matchOnce(Value(1), Value(true)));
}

TEST(MatcherTest, NullMatchesNull) {
  EXPECT_FALSE(matchOnce(Value(), Value()));
  EXPECT_TRUE(matchOnce(Value(), Value("x")));
}

TEST(VariablesTest, GenStrMakesLowercaseLettersAndDigitsOncePerRun) {
  Value spec = parseYaml("Variables:\n  A: ${GEN_STR:10}\n  B: x-${GEN_STR:3}-y\n");
  Variables v = generateVariables(spec, 7);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].first, "A");
  EXPECT_EQ(v[0].second.size(), 10u);
  for (char c : v[0].second) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << c;
  EXPECT_THAT(v[1].second, ::testing::MatchesRegex("x-[a-z0-9]{3}-y"));
  EXPECT_EQ(generateVariables(spec, 7), v);
  EXPECT_NE(generateVariables(spec, 8), v);
}

TEST(VariablesTest, AHugeGenStrIsRejectedNotAllocated) {
  for (const char* n : {"99999999999999999999999", "4000000000", "65537"}) {
    Value spec = parseYaml(std::string("Variables:\n  A: ${GEN_STR:") + n + "}\n");
    try {
      generateVariables(spec, 7);
      ADD_FAILURE() << n;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("[rewind.conformance.bad_variable]"));
    }
  }
  Value largest = parseYaml("Variables:\n  A: ${GEN_STR:65536}\n");
  EXPECT_EQ(generateVariables(largest, 7)[0].second.size(), kMaxGenStrLength);
}

TEST(VariablesTest, SubstitutionReachesStringsKeysAndRegexesButNotTypes) {
  Variables v{{"N", "abc"}};
  Value spec = parseYaml("Input: ${N}\nk${N}: 1\nre: ${/^${N}$/}\nnum: 3\nlist: ['${N}!']\n");
  Value out = substitute(spec, v);
  EXPECT_EQ(out["Input"], Value("abc"));
  EXPECT_EQ(out["kabc"], Value(1));
  EXPECT_EQ(out["re"], Value("${/^abc$/}"));
  EXPECT_EQ(out["num"], Value(3));
  EXPECT_EQ(out["list"][0], Value("abc!"));
}

TEST(VariablesTest, DigitOnlyValuesStayStrings) {
  Value out = substitute(parseYaml("Input: ${N}"), Variables{{"N", "12345"}});
  EXPECT_EQ(out["Input"], Value("12345"));
}

Value history() {
  return json(R"([
    {"EventType":"ExecutionStarted","EventId":1},
    {"EventType":"StepStarted","EventId":2,"Id":"c4ca","StepStartedDetails":{}},
    {"EventType":"StepSucceeded","EventId":3,"Id":"c4ca","StepSucceededDetails":{"RetryDetails":{"CurrentAttempt":1}}}
  ])");
}

TEST(MatchHistoryTest, EventsAreMatchedByEventIdAndUnlistedOnesAreIgnored) {
  Matcher m;
  EXPECT_FALSE(matchHistory(json(R"([{"EventId":3,"Id":"${ID1}"},{"EventId":2,"Id":"${ID1}"}])"), history(), m));
  EXPECT_EQ(m.bindings().at("ID1"), Value("c4ca"));
}

TEST(MatchHistoryTest, FirstMismatchNamesTheEventAndPath) {
  Matcher m;
  auto miss = matchHistory(json(R"([{"EventId":3,"StepSucceededDetails":{"RetryDetails":{"CurrentAttempt":2}}}])"),
                           history(), m);
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "history[EventId=3].StepSucceededDetails.RetryDetails.CurrentAttempt");
  miss = matchHistory(json(R"([{"EventId":9}])"), history(), m);
  ASSERT_TRUE(miss);
  EXPECT_THAT(miss->describe(), HasSubstr("no such event (history has 3 events)"));
}

TEST(MatchResultTest, StatusIsAlwaysComparedAndResultOnlyOnSuccess) {
  Matcher m;
  EXPECT_FALSE(matchResult(json(R"({"ExecutionStatus":"SUCCEEDED","Result":{"a":1}})"), "SUCCEEDED",
                           std::string(R"({"a":1.0})"), "", m));
  auto miss = matchResult(json(R"({"ExecutionStatus":"SUCCEEDED"})"), "FAILED", std::nullopt, "Boom: bad", m);
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "ExpectedResult.ExecutionStatus");
  EXPECT_THAT(miss->message, HasSubstr("Boom: bad"));
  EXPECT_FALSE(matchResult(json(R"({"ExecutionStatus":"FAILED","Result":"x"})"), "FAILED", std::nullopt, "", m));
  EXPECT_FALSE(matchResult(Value(), "FAILED", std::nullopt, "", m));
}

TEST(MatchResultTest, NullResultMatchesAnEmptyYamlResult) {
  Matcher m;
  EXPECT_FALSE(
      matchResult(parseYaml("ExecutionStatus: SUCCEEDED\nResult:\n"), "SUCCEEDED", std::string("null"), "", m));
}

std::vector<Value> logs() {
  return {json(R"({"message":"start abc","level":"INFO"})"), json(R"({"message":"middle","level":"INFO"})"),
          json(R"({"message":"end abc","level":"ERROR"})"), Value("plain line")};
}

TEST(MatchLogsTest, CountsRecordsMatchingEveryField) {
  Matcher m;
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: '/abc/'}\n  count: 2\n"), logs(), m));
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: '/abc/', level: ERROR}\n  count: 1\n"), logs(), m));
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: '/\\[ERROR\\]/'}\n  count: 0\n"), logs(), m));
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: plain line}\n"), logs(), m));
  auto miss = matchLogs(parseYaml("- match: {message: '/abc/'}\n  max_count: 1\n"), logs(), m);
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->path, "ExpectedLogs[0]");
  EXPECT_TRUE(matchLogs(parseYaml("- match: {message: nothing}\n"), logs(), m));
}

TEST(MatchLogsTest, BoundNamesAreSubstituted) {
  Matcher m;
  ASSERT_FALSE(m.match(Value("${X}"), Value("abc")));
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: '/start ${X}/'}\n  count: 1\n"), logs(), m));
}

TEST(MatchLogsTest, BeforeAndAfterAnchorsRestrictTheRecordsCounted) {
  Matcher m;
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: middle}\n- match: {message: '/abc/'}\n  after: 0\n  count: 1\n"),
                         logs(), m));
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: '/abc/'}\n  before: {match: {message: middle}}\n  count: 1\n"),
                         logs(), m));
}

// The official plugin family writes `after:` as a list of field mappings: the entry
// counts only records after a record matching each of them.
TEST(MatchLogsTest, AfterTakesAListOfFieldMappingsAndCountsAfterAllOfThem) {
  Matcher m;
  const char* afterBoth =
      "- match: {message: '/abc/'}\n"
      "  count: 1\n"
      "  after:\n"
      "    - message: '/^start/'\n"
      "    - level: INFO\n"
      "      message: middle\n";
  EXPECT_FALSE(matchLogs(parseYaml(afterBoth), logs(), m));
  // A bare field mapping works as a single anchor too.
  EXPECT_FALSE(
      matchLogs(parseYaml("- match: {message: '/abc/'}\n  count: 1\n  after: {message: middle}\n"), logs(), m));
  // After the last of the anchors: "end abc" only, so count 2 fails.
  auto miss = matchLogs(parseYaml("- match: {message: '/abc/'}\n  count: 2\n  after:\n    - message: '/^start/'\n"
                                  "    - message: middle\n"),
                        logs(), m);
  ASSERT_TRUE(miss);
  EXPECT_THAT(miss->message, ::testing::HasSubstr("matched 1 record(s)"));
  // An anchor no record matches leaves nothing to count.
  EXPECT_TRUE(matchLogs(parseYaml("- match: {level: ERROR}\n  after:\n    - message: nowhere\n"), logs(), m));
  // Mixed forms: an entry index and a match mapping in one list.
  EXPECT_FALSE(matchLogs(parseYaml("- match: {message: middle}\n- match: {message: '/abc/'}\n  count: 1\n  after:\n"
                                   "    - 0\n    - {match: {message: '/^start/'}}\n"),
                         logs(), m));
  // A list of the wrong things names the problem, not a crash.
  auto bad = matchLogs(parseYaml("- match: {message: middle}\n  after:\n    - [1, 2]\n"), logs(), m);
  ASSERT_TRUE(bad);
  EXPECT_THAT(bad->message, ::testing::HasSubstr("anchor"));
  EXPECT_TRUE(matchLogs(parseYaml("- match: {message: middle}\n  after: []\n"), logs(), m));
}

}  // namespace
}  // namespace rwd::conformance
