// Issue #16 point 7: text that is not UTF-8. One rule (rewind/json_text.hpp): a Name must
// be UTF-8 (rejected at the checkpoint); payloads and messages keep their bytes in the run
// and become U+FFFD where they are written as JSON, so writing never throws and the
// user's error stays the user's error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "rewind/json_text.hpp"
#include "rewind/local_runner.hpp"

namespace {

using rwd::DurableContext;
using rwd::ExecutionStatus;
using ::testing::HasSubstr;

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidatesAndRepairsByTheUnicodeRules) {
  EXPECT_TRUE(rwd::isValidUtf8(""));
  EXPECT_TRUE(rwd::isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(rwd::isValidUtf8("caf\xE9"));           // Latin-1
  EXPECT_FALSE(rwd::isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(rwd::isValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(rwd::isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(rwd::isValidUtf8("\xE2\x82"));          // truncated
  EXPECT_EQ(rwd::toValidUtf8("caf\xE9!"), "caf" + kFffd + "!");
  EXPECT_EQ(rwd::toValidUtf8("\xE2\x82x"), kFffd + "x");  // one maximal subpart, one U+FFFD
  EXPECT_EQ(rwd::toValidUtf8("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(rwd::toValidUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(rwd::toValidUtf8("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");
  rwd::Json j = {{"caf\xE9", {"\xFF", 1}}};
  rwd::makeValidUtf8(j);
  EXPECT_EQ(j.dump(), rwd::Json({{"caf" + kFffd, {kFffd, 1}}}).dump());
}

TEST(Utf8Test, AStepErrorInLatin1StaysTheUsersError) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, DurableContext& ctx) {
    return ctx.step("charge",
                    []() -> int {
                      throw std::runtime_error(
                          "carte refus\xE9"
                          "e");
                    },
                    {.retryStrategy = rwd::retryPresets::none()});
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_EQ(r.getError()->errorType, "std::runtime_error");
  EXPECT_EQ(r.getError()->errorMessage, "carte refus" + kFffd + "e");
  EXPECT_NO_THROW(r.toJson().dump());
  EXPECT_NO_THROW(r.historyJson().dump());
}

TEST(Utf8Test, APayloadThatIsNotUtf8IsWrittenWithReplacementCharacters) {
  rwd::Serdes<std::string> raw{[](const std::string& s) { return rwd::Payload("\"" + s + "\""); },
                               [](const rwd::Payload& p) { return p.value_or(""); }};
  rwd::LocalDurableTestRunner runner([raw](const rwd::Json&, DurableContext& ctx) {
    std::string latin1 = ctx.step("read",
                                  [] {
                                    return std::string(
                                        "Gr\xFC\xDF"
                                        "e");
                                  },
                                  {.serdes = raw});
    std::string json = ctx.step("again", [] { return std::string("\xFC"); });  // default serdes
    return latin1.size() + json.size();
  });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Succeeded) << r.getError()->errorMessage;
  std::string text;
  ASSERT_NO_THROW(text = r.toJson().dump());
  EXPECT_THAT(text, HasSubstr("Gr" + kFffd + kFffd + "e"));
  EXPECT_EQ(runner.getOperation("again").getStepDetails().result, "\"" + kFffd + "\"");
}

TEST(Utf8Test, ANameThatIsNotUtf8IsRejectedAtTheCheckpoint) {
  rwd::LocalDurableTestRunner runner(
      [](const rwd::Json&, DurableContext& ctx) { return ctx.step("r\xE9sum\xE9", [] { return 1; }); });
  const auto& r = runner.run();
  ASSERT_EQ(r.getStatus(), ExecutionStatus::Failed);
  EXPECT_THAT(r.getError()->errorMessage, HasSubstr("bad_name"));
  EXPECT_NO_THROW(r.toJson().dump());
}

}  // namespace
