// The HTML timeline: self-contained, safe against odd names, written by rewind-run
// (with the trace), and drawn by headless Chromium (skipped when it is not installed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "rewind/plugins/chrome_trace.hpp"
#include "rewind/plugins/timeline_html.hpp"
#include "workflows.hpp"

namespace {

using namespace rwd::plugins_test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

// Debian's chromium; REWIND_CHROMIUM overrides the path (e.g. to check the skip).
std::string chromiumPath() {
  const char* path = std::getenv("REWIND_CHROMIUM");
  return path && *path ? path : "/usr/bin/chromium";
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string htmlOf(const rwd::ExecutionResult& result) {
  std::ostringstream out;
  rwd::writeTimelineHtml(result, out, {}, "small workflow");
  return out.str();
}

// A fresh directory under the test's build directory, per process (ctest runs each test
// both on its own and inside the whole binary, possibly at the same time with -j); kept
// only when the test failed, to look at.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::path(REWIND_TEST_OUTPUT_DIR) / "scratch" / fmt::format("{}-{}", name, getpid())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& file) const { return path_ / file; }

 private:
  fs::path path_;
};

TEST(TimelineHtmlTest, ThePageIsSelfContained) {
  rwd::LocalDurableTestRunner runner(smallWorkflow(), smallWorkflowOptions());
  answerApproval(runner);
  std::string html = htmlOf(runner.run());
  EXPECT_THAT(html, HasSubstr("<svg id=\"timeline\""));
  EXPECT_THAT(html, HasSubstr("<script type=\"application/json\" id=\"timeline-data\">"));
  for (const char* external : {"src=", "<link", "@import", "url(http", "https://", "fetch(", "XMLHttpRequest"})
    EXPECT_THAT(html, Not(HasSubstr(external))) << external;
  // The only URL is the SVG namespace, which is a name, not a download.
  std::string withoutNamespace = html;
  for (std::size_t at; (at = withoutNamespace.find("http://www.w3.org/2000/svg")) != std::string::npos;)
    withoutNamespace.erase(at, 26);
  EXPECT_THAT(withoutNamespace, Not(HasSubstr("http://")));
}

TEST(TimelineHtmlTest, NamesCannotBreakOutOfTheInlineData) {
  rwd::LocalDurableTestRunner runner([](const rwd::Json&, rwd::DurableContext& ctx) {
    return ctx.step("</script><b>bold</b>&amp;", [] { return 1; });
  });
  std::string html = htmlOf(runner.run());
  EXPECT_THAT(html, Not(HasSubstr("</script><b>")));
  EXPECT_THAT(html, HasSubstr(R"(\u003c/script\u003e\u003cb\u003ebold)"));
  // The data is still one JSON document the script can parse.
  auto begin = html.find("id=\"timeline-data\">") + 19;
  auto end = html.find("</script>", begin);
  rwd::Json data = rwd::Json::parse(html.substr(begin, end - begin));
  std::vector<std::string> names;
  for (const auto& span : data["spans"]) names.push_back(span["name"]);
  EXPECT_THAT(names, ::testing::Contains("</script><b>bold</b>&amp;"));
}

#ifdef REWIND_RUN_PATH

// Runs the support_triage example as examples/README.md shows, with extra arguments.
int runSupportTriage(const std::string& extra, const ScratchDir& dir) {
  std::string cmd = fmt::format(
      "'{}' '{}' --handler support-triage --skip-time "
      "--event '{{\"id\":\"T-1\",\"customer\":\"ada\",\"subject\":\"refund\",\"body\":\"I was charged twice\"}}' "
      "--respond 'agent-review=success:{{\"action\":\"escalate\"}}@3600' "
      "--respond 'specialist-review=success:{{\"action\":\"resolve\",\"reply\":\"Refunded.\"}}@86400' {} "
      "> '{}' 2> '{}'",
      REWIND_RUN_PATH, REWIND_SUPPORT_TRIAGE_LIB, extra, (dir / "stdout.txt").string(), (dir / "stderr.txt").string());
  return std::system(cmd.c_str());
}

TEST(RewindRunTraceTest, WritesTheTraceAndTheTimelineOfAnExample) {
  ScratchDir dir("rewind_run_trace");
  ASSERT_EQ(runSupportTriage(fmt::format("--trace '{}' --timeline '{}'", (dir / "trace.json").string(),
                                         (dir / "timeline.html").string()),
                             dir),
            0)
      << readFile(dir / "stderr.txt");
  rwd::Json trace = rwd::Json::parse(readFile(dir / "trace.json"));
  std::vector<std::string> names;
  for (const auto& e : trace["traceEvents"]) {
    EXPECT_TRUE(e.contains("ph") && e.contains("ts") && e.contains("pid") && e.contains("tid")) << e.dump();
    if (e["ph"] == "X") names.push_back(e["name"]);
  }
  for (const char* op : {"analyze", "agent-review", "agent-review callback", "agent-review submitter",
                         "specialist-review", "close-out", "send-reply", "email-reply", "email-survey"})
    EXPECT_THAT(names, ::testing::Contains(op));
  // TracePlugin's notes: the third invocation replays the specialist review.
  bool sawReplayNote = false;
  for (const auto& e : trace["traceEvents"])
    if (e["name"] == "invocation 3")
      for (const auto& note : e["args"]["hooks"]) sawReplayNote |= note == "replay specialist-review (STARTED)";
  EXPECT_TRUE(sawReplayNote);
  EXPECT_THAT(readFile(dir / "timeline.html"), HasSubstr("support-triage — rewind-run"));
}

TEST(RewindRunTraceTest, AnUnwritableTracePathIsAnError) {
  ScratchDir dir("rewind_run_bad_trace");
  int status = runSupportTriage("--trace /nonexistent-dir/trace.json", dir);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_THAT(readFile(dir / "stderr.txt"), HasSubstr("cannot write the trace to /nonexistent-dir/trace.json"));
}

// Headless Chromium: loads the page from a file URL with every network feature off.
int chromium(const std::string& args, const ScratchDir& dir, const std::string& out) {
  std::string cmd = fmt::format(
      "timeout 120 {} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='{}' {} "
      "> '{}' 2> '{}'",
      chromiumPath(), (dir / "profile").string(), args, out, (dir / "chromium.log").string());
  return std::system(cmd.c_str());
}

class TimelineHtmlChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(chromiumPath().c_str(), X_OK) != 0)
      GTEST_SKIP() << "headless Chromium is not installed at " << chromiumPath()
                   << " (apt-get install -y chromium; scripts/install-deps.sh installs it)";
    dir_ = std::make_unique<ScratchDir>(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(runSupportTriage(fmt::format("--timeline '{}'", (*dir_ / "timeline.html").string()), *dir_), 0)
        << readFile(*dir_ / "stderr.txt");
  }
  std::string url() const { return "file://" + (*dir_ / "timeline.html").string(); }
  std::unique_ptr<ScratchDir> dir_;
};

TEST_F(TimelineHtmlChromiumTest, TheSupportTriageTimelineDrawsEveryOperation) {
  ASSERT_EQ(chromium("--dump-dom '" + url() + "'", *dir_, (*dir_ / "dom.html").string()), 0)
      << readFile(*dir_ / "chromium.log");
  std::string dom = readFile(*dir_ / "dom.html");
  // Bars exist only once the page's script has drawn them (the inline data has no data-name).
  for (const char* op :
       {"analyze", "agent-review", "agent-review callback", "specialist-review", "close-out", "send-reply",
        "send-survey", "email-reply", "email-survey", "execution", "invocation 1", "invocation 3"})
    EXPECT_THAT(dom, HasSubstr(fmt::format("data-name=\"{}\" data-status=\"", op))) << op;
  EXPECT_THAT(dom, HasSubstr(">analyze</text>"));
  EXPECT_THAT(dom, HasSubstr(">close-out › send-reply</text>"));
  EXPECT_THAT(dom, HasSubstr("⋯ 1d ⋯"));  // the specialist's day, compressed
  EXPECT_THAT(dom, HasSubstr("<span class=\"status SUCCEEDED\">SUCCEEDED</span>"));
}

TEST_F(TimelineHtmlChromiumTest, TheLinearTimeViewDrawsTheSameBars) {
  ASSERT_EQ(chromium("--dump-dom '" + url() + "#linear'", *dir_, (*dir_ / "dom.html").string()), 0)
      << readFile(*dir_ / "chromium.log");
  std::string dom = readFile(*dir_ / "dom.html");
  EXPECT_THAT(dom, HasSubstr("id=\"linear\""));
  for (const char* op : {"analyze", "specialist-review", "email-survey"})
    EXPECT_THAT(dom, HasSubstr(fmt::format("data-name=\"{}\" data-status=\"", op))) << op;
  EXPECT_THAT(dom, Not(HasSubstr("⋯ 1d ⋯")));  // gaps are drawn to scale, not labeled
}

// Writes the screenshot to the build directory; REWIND_UPDATE_GOLDEN=1 also copies it to
// docs/images/support_triage_timeline.png (the README's picture).
TEST_F(TimelineHtmlChromiumTest, ScreenshotOfTheSupportTriageTimeline) {
  fs::path png = *dir_ / "support_triage_timeline.png";
  ASSERT_EQ(chromium(fmt::format("--screenshot='{}' --window-size=1400,900 '{}'", png.string(), url()), *dir_,
                     (*dir_ / "screenshot.txt").string()),
            0)
      << readFile(*dir_ / "chromium.log");
  std::string bytes = readFile(png);
  ASSERT_GT(bytes.size(), 10000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  if (const char* update = std::getenv("REWIND_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    fs::create_directories(REWIND_DOCS_IMAGES_DIR);
    fs::copy_file(png, fs::path(REWIND_DOCS_IMAGES_DIR) / "support_triage_timeline.png",
                  fs::copy_options::overwrite_existing);
  }
}

#endif  // REWIND_RUN_PATH

}  // namespace
