// Helpers of the /ui tests (server_ui_test.cpp over HTTP, server_ui_chromium_test.cpp in
// headless Chromium): the fixture that starts a few executions of every kind, and readers
// of what the pages show.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "server_test_support.hpp"

namespace rwd::server::testing {

// Markup in the odd execution's input (shown as its input and as its step's result).
inline constexpr const char* kOddText = R"(<img src=x onerror="document.body.dataset.pwned='input'">)";

class UiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    options_.functions.push_back({"odd-names", REWIND_SERVER_TEST_BOOTSTRAP, "odd-names", 1});
  }

  // One execution of each kind, oldest first: ui-ok SUCCEEDED (steps-and-wait), ui-fails
  // FAILED (fails), ui-waits RUNNING on a callback (callback), ui-odd FAILED (odd-names:
  // markup in its step's name, input, result and error).
  void startUiExecutions() {
    Reply ok = api_->invoke("steps-and-wait", "ui-ok", R"({"key":"ui-ok"})");
    ASSERT_EQ(ok.body, R"("hello ui-ok done")");
    ok_ = ok.header("X-Amz-Durable-Execution-Arn");
    Reply fails = api_->invoke("fails", "ui-fails", R"({"key":"ui-fails"})");
    ASSERT_EQ(fails.header("X-Amz-Function-Error"), "Unhandled");
    fails_ = fails.header("X-Amz-Durable-Execution-Arn");
    Reply waits = api_->invoke("callback", "ui-waits", R"({"key":"ui-waits"})", true);
    ASSERT_EQ(waits.status, 202);
    waits_ = waits.header("X-Amz-Durable-Execution-Arn");
    auto [key, id] = nextCallback();  // the callback exists: the execution waits on it
    ASSERT_EQ(key, "ui-waits");
    callbackId_ = id;
    Reply odd = api_->invoke("odd-names", "ui-odd", Json{{"key", "odd"}, {"text", kOddText}}.dump());
    ASSERT_EQ(odd.header("X-Amz-Function-Error"), "Unhandled") << odd.body;
    odd_ = odd.header("X-Amz-Durable-Execution-Arn");
  }

  Reply page(const std::string& target, httplib::Headers headers = {}) {
    return api_->call("GET", target, "", std::move(headers));
  }

  std::string ok_, fails_, waits_, odd_, callbackId_;
};

// The values of `attribute` on the elements that start with `element` (an opening tag's
// beginning, e.g. "<tr class=\"execution\""), in document order.
inline std::vector<std::string> attributeValues(const std::string& html, const std::string& element,
                                                const std::string& attribute) {
  std::vector<std::string> out;
  std::regex re(element + "[^>]*? " + attribute + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

inline std::string unescapeHtml(std::string text) {
  for (auto [from, to] : {std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"}, std::pair{"&quot;", "\""},
                          std::pair{"&#39;", "'"}, std::pair{"&amp;", "&"}})
    text = std::regex_replace(text, std::regex(from), to);
  return text;
}

inline std::vector<std::string> listedNames(const std::string& html) {
  std::vector<std::string> out;
  for (const std::string& v : attributeValues(html, "<tr class=\"execution\"", "data-name"))
    out.push_back(unescapeHtml(v));
  return out;
}

inline std::vector<std::string> listedStatuses(const std::string& html) {
  return attributeValues(html, "<tr class=\"execution\"", "data-status");
}

inline std::vector<std::string> historyTypes(const std::string& html) {
  return attributeValues(html, "<tr class=\"event\"", "data-type");
}

// The timeline page's inline data.
inline Json timelineData(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"timeline-data\">";
  auto from = html.find(open);
  if (from == std::string::npos) return Json();
  from += open.size();
  return Json::parse(html.substr(from, html.find("</script>", from) - from));
}

inline std::vector<std::string> spanNames(const Json& data) {
  std::vector<std::string> out;
  if (data.contains("spans"))
    for (const Json& s : data["spans"]) out.push_back(s["name"].get<std::string>());
  return out;
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace rwd::server::testing
