// rewind-server's /ui pages over HTTP: the listing and its filters, the execution page's
// history and timeline, escaping of everything an execution carries, and access with
// --auth. (What a browser makes of the pages: server_ui_chromium_test.cpp.)
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <regex>

#include <openssl/evp.h>

#include "rewind/durable_api_json.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/time.hpp"
#include "server_test_support.hpp"
#include "server_ui_support.hpp"

namespace {

using namespace rwd::server::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class ServerUiTest : public UiTest {};

TEST_F(ServerUiTest, TheListingShowsEveryExecutionAndItsFiltersSelect) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  Reply all = page("/ui");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.header("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(all.header("Content-Security-Policy"), HasSubstr("default-src 'none'"));
  EXPECT_THAT(listedNames(all.body), UnorderedElementsAre("ui-ok", "ui-fails", "ui-waits", "ui-odd"));
  EXPECT_THAT(listedStatuses(all.body), UnorderedElementsAre("SUCCEEDED", "FAILED", "RUNNING", "FAILED"));
  // Newest first.
  EXPECT_EQ(listedNames(all.body).front(), "ui-odd");

  EXPECT_THAT(listedNames(page("/ui?status=FAILED").body), UnorderedElementsAre("ui-fails", "ui-odd"));
  EXPECT_THAT(listedNames(page("/ui?status=RUNNING").body), ElementsAre("ui-waits"));
  EXPECT_THAT(listedNames(page("/ui?function=steps-and-wait").body), ElementsAre("ui-ok"));
  EXPECT_THAT(listedNames(page("/ui?name=fail").body), ElementsAre("ui-fails"));
  EXPECT_THAT(listedNames(page("/ui?function=fails&status=SUCCEEDED").body), IsEmpty());
  EXPECT_THAT(page("/ui?function=fails&status=SUCCEEDED").body, HasSubstr("id=\"no-executions\""));
  // Start times: the server's clock; "after" the waiting execution's start less 1 ms.
  Json waits = api_->get(waits_).json();
  rwd::TimePoint waitsStart{std::chrono::milliseconds{std::llround(waits["StartTimestamp"].get<double>() * 1000)}};
  std::string after = rwd::formatTimestamp(waitsStart - std::chrono::milliseconds(1));
  EXPECT_THAT(listedNames(page("/ui?after=" + uriEncode(after)).body), UnorderedElementsAre("ui-waits", "ui-odd"));
  EXPECT_THAT(listedNames(page("/ui?before=" + uriEncode(after)).body), UnorderedElementsAre("ui-ok", "ui-fails"));
  EXPECT_THAT(listedNames(page("/ui?before=2000-01-01T00:00").body), IsEmpty());
  // The filters are kept in the form.
  EXPECT_THAT(page("/ui?status=FAILED&name=fail").body, HasSubstr("<option value=\"FAILED\" selected>"));

  Reply bad = page("/ui?status=BOGUS");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("[rewind.server.bad_status]"));
  EXPECT_EQ(page("/ui?function=nobody").status, 404);
  EXPECT_THAT(page("/ui?after=yesterday").body, HasSubstr("[rewind.server.ui_bad_time]"));
}

TEST_F(ServerUiTest, TheListingPagesFiftyAtATime) {
  startServer();
  for (int i = 0; i < 52; ++i) {
    std::string name = fmt::format("p{:02}", i);
    ASSERT_EQ(api_->invoke("fails", name, R"({"key":"p"})").status, 200);
  }
  Reply first = page("/ui?function=fails");
  std::vector<std::string> names = listedNames(first.body);
  ASSERT_EQ(names.size(), 50u);
  EXPECT_EQ(names.front(), "p51");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.body, m, std::regex("id=\"older\" href=\"([^\"]+)\""))) << first.body;
  std::string next = std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
  EXPECT_THAT(next, HasSubstr("function=fails"));
  EXPECT_THAT(listedNames(page(next).body), ElementsAre("p01", "p00"));
}

TEST_F(ServerUiTest, TheExecutionPageShowsItsHistoryAndFramesItsTimeline) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  Reply p = page("/ui/execution?arn=" + uriEncode(ok_));
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_THAT(historyTypes(p.body), ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                                                "InvocationCompleted", "WaitSucceeded", "StepStarted", "StepSucceeded",
                                                "InvocationCompleted", "ExecutionSucceeded"));
  EXPECT_THAT(p.body, HasSubstr("<pre>&quot;hello ui-ok done&quot;</pre>"));  // the result
  EXPECT_THAT(p.body, HasSubstr("<iframe id=\"timeline\" title=\"operation timeline\" src=\"/ui/timeline?arn=" +
                                uriEncode(ok_) + "\">"));

  Reply t = page("/ui/timeline?arn=" + uriEncode(ok_));
  ASSERT_EQ(t.status, 200);
  Json data = timelineData(t.body);
  EXPECT_EQ(data["status"], "SUCCEEDED");
  EXPECT_EQ(data["executionArn"], ok_);
  EXPECT_THAT(spanNames(data), UnorderedElementsAre("execution", "invocation 1", "invocation 2", "greet", "attempt 1",
                                                    "pause", "finish", "attempt 1"));

  Reply waits = page("/ui/timeline?arn=" + uriEncode(waits_));
  Json w = timelineData(waits.body);
  EXPECT_EQ(w["status"], "RUNNING");
  EXPECT_THAT(spanNames(w), ::testing::Contains("approval"));

  Reply unknown = page("/ui/execution?arn=" + uriEncode(ok_ + "x"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("[rewind.server.no_execution]"));
  EXPECT_EQ(page("/ui/execution").status, 400);
}

TEST_F(ServerUiTest, MarkupFromAnExecutionIsShownAsText) {
  startServer();
  ASSERT_NO_FATAL_FAILURE(startUiExecutions());
  Reply p = page("/ui/execution?arn=" + uriEncode(odd_));
  ASSERT_EQ(p.status, 200) << p.body;
  // The step's name, the input/result text and the error: escaped everywhere.
  EXPECT_THAT(p.body, Not(HasSubstr("<script>document")));
  EXPECT_THAT(p.body, Not(HasSubstr("<img")));
  EXPECT_THAT(p.body, Not(HasSubstr("</pre><img")));
  EXPECT_THAT(p.body, HasSubstr("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
  EXPECT_THAT(p.body, HasSubstr("&lt;/pre&gt;&lt;img src=x onerror=&quot;document.body.dataset.pwned="));
  // The only <script> elements of the pages are the timeline's own two.
  EXPECT_EQ(count(p.body, "<script"), 0u);
  Reply t = page("/ui/timeline?arn=" + uriEncode(odd_));
  EXPECT_EQ(count(t.body, "<script"), 2u);
  // Even so, no script may run on the pages but the timeline's own, named by its hash.
  EXPECT_THAT(p.header("Content-Security-Policy"), HasSubstr("script-src 'none';"));
  EXPECT_THAT(t.header("Content-Security-Policy"),
              ::testing::MatchesRegex(".*script-src 'sha256-[A-Za-z0-9+/]{43}=';.*"));
  EXPECT_THAT(t.body, Not(HasSubstr("<img")));
  EXPECT_THAT(spanNames(timelineData(t.body)), ::testing::Contains("<script>document.title='pwned'</script>"));
}

std::string basic(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

// A local IPv4 address other than loopback (to reach the server from a non-loopback peer).
std::string nonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::string found;
  for (ifaddrs* a = list; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

TEST_F(ServerUiTest, WithAuthThePagesWantTheBasicCredentialsOfAKeyFromLoopback) {
  options_.accessKeys = {{"AKIDREWIND", "s3cret:with-colon"}, {"AKIDOTHER", "other"}};
  options_.host = "0.0.0.0";
  startServer();
  Reply none = page("/ui");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.header("WWW-Authenticate"), HasSubstr("Basic realm=\"rewind-server\""));
  EXPECT_THAT(none.body, HasSubstr("[rewind.server.ui_unauthorized]"));
  EXPECT_EQ(page("/ui", {{"Authorization", basic("AKIDREWIND", "wrong")}}).status, 401);
  EXPECT_EQ(page("/ui", {{"Authorization", basic("AKIDREWIND", "other")}}).status, 401);  // another key's secret
  EXPECT_EQ(page("/ui", {{"Authorization", basic("AKIDNOBODY", "s3cret:with-colon")}}).status, 401);
  EXPECT_EQ(page("/ui", {{"Authorization", "Basic %%%"}}).status, 401);
  EXPECT_EQ(page("/ui", {{"Authorization", basic("AKIDREWIND", "s3cret:with-colon")}}).status, 200);
  Reply other = page("/ui/timeline?arn=x", {{"Authorization", basic("AKIDOTHER", "other")}});
  EXPECT_EQ(other.status, 404);  // admitted: there is no such execution
  EXPECT_THAT(other.body, HasSubstr("[rewind.server.no_execution]"));
  // The API itself still wants SigV4.
  EXPECT_EQ(api_->call("GET", "/2025-12-01/functions/fails/durable-executions").status, 403);

  std::string address = nonLoopbackAddress();
  if (address.empty()) GTEST_SKIP() << "no non-loopback IPv4 address to reach the server from";
  httplib::Client remote(address, server_->port());
  auto r = remote.Get("/ui", {{"Authorization", basic("AKIDREWIND", "s3cret:with-colon")}});
  ASSERT_TRUE(r) << "cannot reach the server at " << address;
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(r->body, HasSubstr("[rewind.server.ui_not_loopback]"));
}

TEST_F(ServerUiTest, WithoutAuthThePagesAreAsOpenAsTheApi) {
  startServer();
  EXPECT_EQ(page("/ui").status, 200);
  EXPECT_EQ(page("/ui/nowhere").status, 404);
}

}  // namespace
