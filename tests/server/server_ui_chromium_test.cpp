// rewind-server's /ui in headless Chromium: the DOM after the pages' scripts ran (the
// listing and a filter, an execution's history and its drawn timeline, markup from an
// execution shown as text). ctest server_ui_in_chromium; exits 77 (skipped) where
// Chromium is not installed (REWIND_CHROMIUM overrides /usr/bin/chromium).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "server_ui_support.hpp"

namespace {

using namespace rwd::server::testing;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::string chromiumPath() {
  const char* path = std::getenv("REWIND_CHROMIUM");
  return path && *path ? path : "/usr/bin/chromium";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ServerUiChromiumTest : public UiTest {
 protected:
  // The DOM of `target` on the server after its scripts ran (chromium --dump-dom).
  std::string dom(const std::string& target) {
    std::string out = fmt::format("{}/dom-{}.html", dir_, ++pages_);
    std::string log = dir_ + "/chromium.log";
    std::string cmd = fmt::format(
        "timeout 120 '{}' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='{}/profile' "
        "--dump-dom '{}{}' > '{}' 2>> '{}'",
        chromiumPath(), dir_, server_->endpoint(), target, out, log);
    int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd << "\n" << readFile(log);
    return readFile(out);
  }
  int pages_ = 0;
};

TEST_F(ServerUiChromiumTest, TheListingAndAFilter) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  std::string all = dom("/ui");
  EXPECT_THAT(listedNames(all), ElementsAre("ui-odd", "ui-waits", "ui-fails", "ui-ok"));
  EXPECT_THAT(listedStatuses(all), ElementsAre("FAILED", "RUNNING", "FAILED", "SUCCEEDED"));
  EXPECT_THAT(all, HasSubstr("<span class=\"status SUCCEEDED\">SUCCEEDED</span>"));
  EXPECT_THAT(all, HasSubstr("href=\"/ui/execution?arn=" + uriEncode(ok_) + "\">ui-ok</a>"));
  std::string failed = dom("/ui?status=FAILED");
  EXPECT_THAT(listedNames(failed), ElementsAre("ui-odd", "ui-fails"));
  EXPECT_THAT(failed, HasSubstr("<option value=\"FAILED\" selected=\"\">"));
  EXPECT_THAT(listedNames(dom("/ui?function=callback")), ElementsAre("ui-waits"));
}

TEST_F(ServerUiChromiumTest, AnExecutionsHistoryAndItsDrawnTimeline) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  std::string page = dom("/ui/execution?arn=" + uriEncode(ok_));
  EXPECT_THAT(historyTypes(page), ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                                              "InvocationCompleted", "WaitSucceeded", "StepStarted", "StepSucceeded",
                                              "InvocationCompleted", "ExecutionSucceeded"));
  EXPECT_THAT(page, HasSubstr("<iframe id=\"timeline\""));
  EXPECT_THAT(page, HasSubstr("<td>greet</td>"));
  // The framed timeline, drawn: bars exist only once its script ran.
  std::string timeline = dom("/ui/timeline?arn=" + uriEncode(ok_));
  std::vector<std::string> bars = attributeValues(timeline, "<g class=\"span", "data-name");
  EXPECT_THAT(bars, UnorderedElementsAre("execution", "invocation 1", "invocation 2", "greet", "pause", "finish"));
  EXPECT_THAT(timeline, HasSubstr("data-name=\"pause\" data-status=\"SUCCEEDED\" data-category=\"wait\""));
  EXPECT_THAT(timeline, HasSubstr("<span class=\"status SUCCEEDED\">SUCCEEDED</span>"));

  // The waiting one: its callback drawn as still started.
  std::string waits = dom("/ui/timeline?arn=" + uriEncode(waits_));
  EXPECT_THAT(waits, HasSubstr("data-name=\"approval\" data-status=\"STARTED\""));
  EXPECT_THAT(historyTypes(dom("/ui/execution?arn=" + uriEncode(waits_))), Contains("CallbackStarted"));
  // The failed one: its failure marked.
  std::string fails = dom("/ui/timeline?arn=" + uriEncode(fails_));
  EXPECT_THAT(fails, HasSubstr("data-name=\"boom\" data-status=\"FAILED\""));
  EXPECT_THAT(fails, HasSubstr("class=\"mark failure\" data-name=\"execution failed\""));
}

TEST_F(ServerUiChromiumTest, MarkupFromAnExecutionStaysText) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  for (const std::string& target : std::vector<std::string>{std::string("/ui"), "/ui/execution?arn=" + uriEncode(odd_),
                                                            "/ui/timeline?arn=" + uriEncode(odd_)}) {
    std::string page = dom(target);
    ASSERT_FALSE(page.empty()) << target;
    // Nothing the execution carried became an element or ran.
    EXPECT_THAT(page, Not(HasSubstr("<img"))) << target;
    EXPECT_THAT(page, Not(HasSubstr("data-pwned"))) << target;
    EXPECT_THAT(page, Not(HasSubstr("<title>pwned"))) << target;
    EXPECT_THAT(page, Not(HasSubstr("<script>document.title"))) << target;
  }
  std::string page = dom("/ui/execution?arn=" + uriEncode(odd_));
  // Shown, as text: the step's name in the history, the input, the error.
  EXPECT_THAT(page, HasSubstr("<td>&lt;script&gt;document.title='pwned'&lt;/script&gt;</td>"));
  EXPECT_THAT(page, HasSubstr("&lt;img src=x onerror=\\\"document.body.dataset.pwned='input'\\\"&gt;"));
  EXPECT_THAT(page, HasSubstr("&lt;/pre&gt;&lt;img src=x onerror=\"document.body.dataset.pwned='error'\"&gt;"));
  std::string timeline = dom("/ui/timeline?arn=" + uriEncode(odd_));
  // The drawn bar's label is the name as text.
  EXPECT_THAT(timeline, HasSubstr("&lt;script&gt;document.title='pwned'&lt;/script&gt;</text>"));
}

}  // namespace

int main(int argc, char** argv) {
  if (::access(chromiumPath().c_str(), X_OK) != 0) {
    std::cerr << "headless Chromium is not installed at " << chromiumPath() << ": skipped\n";
    return 77;
  }
  ::testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
