// rewind-server's /ui pages (web_ui.hpp): server-rendered HTML on the engine's queries,
// the timeline from rewind::plugins' HTML timeline over the execution's stored history.
#include "web_ui.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "engine.hpp"
#include "rewind/durable_api_json.hpp"
#include "rewind/history_reader.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/plugins/timeline_html.hpp"
#include "rewind/time.hpp"
#include "service_error.hpp"

namespace rwd::server::internal {

namespace {

constexpr int kPageSize = 50;
constexpr std::size_t kDetailChars = 2000;  // of one history event's details, shown

// Pages allow no script (the timeline's own one by its hash: timelineScriptPolicy), no
// style but inline, frames from here only, nothing fetched from elsewhere, forms to here
// only, and other sites cannot frame them.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'";

const std::array<const char*, 5> kStatuses{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"};

constexpr const char* kStyle = R"CSS(
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 16px 24px; color: #263238; }
  h1 { font-size: 20px; margin: 0 0 10px; } h2 { font-size: 16px; margin: 22px 0 8px; }
  a { color: #1565c0; text-decoration: none; } a:hover { text-decoration: underline; }
  form#filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin-bottom: 14px; }
  form#filters label { display: flex; flex-direction: column; font-size: 12px; color: #546e7a; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceff1; vertical-align: top; }
  th { font-size: 12px; color: #546e7a; font-weight: 600; }
  td.details, pre { font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; margin: 0; }
  .status { font-weight: 600; } .SUCCEEDED { color: #2e7d32; } .FAILED, .TIMED_OUT { color: #c62828; }
  .RUNNING { color: #1565c0; } .STOPPED { color: #6d4c41; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
  dt { color: #546e7a; } dd { margin: 0; }
  iframe#timeline { width: 100%; height: 480px; border: 1px solid #cfd8dc; }
  .empty, .note { color: #78909c; } .error-page { color: #c62828; }
)CSS";

std::string escape(std::string_view text) { return escapeHtml(text); }

std::string page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" "
      "content=\"rewind-server\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      escape(title), kStyle, body);
}

// "'sha256-…'" of the page's one executable inline script (<script> without attributes;
// the timeline's data is a <script type="application/json">), or "'none'" without one.
// So a script smuggled into the page would not run even if escaping failed.
std::string scriptPolicy(const std::string& html) {
  constexpr std::string_view kOpen = "<script>";
  auto from = html.find(kOpen);
  if (from == std::string::npos) return "'none'";
  from += kOpen.size();
  auto to = html.find("</script>", from);
  if (to == std::string::npos || html.find(kOpen, to) != std::string::npos) return "'none'";
  unsigned char digest[32];
  unsigned int size = 0;
  EVP_Digest(html.data() + from, to - from, digest, &size, EVP_sha256(), nullptr);
  std::string b64(4 * ((size + 2) / 3) + 1, '\0');
  b64.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), digest, size)));
  return fmt::format("'sha256-{}'", b64);
}

void sendPage(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Content-Security-Policy", fmt::format(kContentSecurityPolicy, scriptPolicy(html)));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

void sendErrorPage(httplib::Response& res, int status, const std::string& message) {
  sendPage(res, status,
           page("rewind-server", fmt::format("<h1>rewind-server</h1>\n<p class=\"error-page\">{}</p>\n<p><a "
                                             "href=\"/ui\">all executions</a></p>\n",
                                             escape(message))));
}

std::string param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

// datetime-local's YYYY-MM-DDTHH:MM[:SS] (UTC), or a full ISO-8601 timestamp.
std::optional<TimePoint> parseFilterTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto t = parseTimestamp(text)) return t;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%n:%2d%n", &y, &mo, &d, &h, &mi, &used, &s, &used);
  if (n < 5 || static_cast<std::size_t>(used) != text.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 59)
    throw invalidParameter(
        fmt::format("[rewind.server.ui_bad_time] '{}' is not a time (YYYY-MM-DDTHH:MM[:SS], UTC)", text));
  using namespace std::chrono;
  auto days = sys_days(year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)});
  return TimePoint(duration_cast<milliseconds>(days.time_since_epoch()) + hours{h} + minutes{mi} + seconds{s});
}

std::string timeText(const Json& epochSeconds) {
  if (!epochSeconds.is_number()) return "";
  return formatTimestamp(TimePoint{std::chrono::milliseconds{std::llround(epochSeconds.get<double>() * 1000.0)}});
}

std::string functionOfArn(const std::string& functionArn) {
  auto at = functionArn.rfind(":function:");
  return at == std::string::npos ? functionArn : functionArn.substr(at + 10);
}

std::string statusCell(const std::string& status) {
  return fmt::format("<span class=\"status {0}\">{0}</span>", escape(status));
}

std::string executionLink(const std::string& arn, const std::string& text) {
  return fmt::format("<a href=\"/ui/execution?arn={}\">{}</a>", escape(uriEncode(arn)), escape(text));
}

// ---- the executions ------------------------------------------------------------------

struct Filters {
  std::string function, status, name, after, before, marker;

  std::string query(const std::string& nextMarker) const {
    std::string q;
    auto add = [&](const char* k, const std::string& v) {
      if (v.empty()) return;
      q += q.empty() ? "?" : "&";
      q += k;
      q += "=";
      q += uriEncode(v);
    };
    add("function", function);
    add("status", status);
    add("name", name);
    add("after", after);
    add("before", before);
    add("marker", nextMarker);
    return q;
  }
};

std::string filterForm(const Filters& f, const std::vector<std::string>& functions) {
  std::string out = "<form id=\"filters\" method=\"get\" action=\"/ui\">\n<label>function<select name=\"function\">";
  out += fmt::format("<option value=\"\"{}>all</option>", f.function.empty() ? " selected" : "");
  for (const std::string& fn : functions)
    out += fmt::format("<option value=\"{0}\"{1}>{0}</option>", escape(fn), fn == f.function ? " selected" : "");
  out += "</select></label>\n<label>status<select name=\"status\">";
  out += fmt::format("<option value=\"\"{}>any</option>", f.status.empty() ? " selected" : "");
  for (const char* st : kStatuses)
    out += fmt::format("<option value=\"{0}\"{1}>{0}</option>", st, f.status == st ? " selected" : "");
  out += fmt::format(
      "</select></label>\n<label>name contains<input type=\"text\" name=\"name\" value=\"{}\"></label>\n"
      "<label>started after (UTC)<input type=\"datetime-local\" step=\"1\" name=\"after\" value=\"{}\"></label>\n"
      "<label>started before (UTC)<input type=\"datetime-local\" step=\"1\" name=\"before\" value=\"{}\"></label>\n"
      "<button type=\"submit\">filter</button> <a href=\"/ui\">clear</a>\n</form>\n",
      escape(f.name), escape(f.after), escape(f.before));
  return out;
}

void executionsPage(const httplib::Request& req, httplib::Response& res, Engine& engine) {
  Filters f{param(req, "function"), param(req, "status"), param(req, "name"),
            param(req, "after"),    param(req, "before"), param(req, "marker")};
  std::vector<std::string> functions = engine.functionNames();
  ListQuery q;
  if (!f.function.empty() && !engine.knowsFunction(f.function))
    throw notFound(fmt::format("[rewind.server.no_function] Function not found: {}", f.function));
  if (!f.status.empty()) {
    if (std::find(kStatuses.begin(), kStatuses.end(), f.status) == kStatuses.end())
      throw invalidParameter(fmt::format("[rewind.server.bad_status] '{}' is not an execution status", f.status));
    q.statuses.push_back(f.status);
  }
  if (!f.name.empty()) q.nameContains = f.name;
  q.startedAfter = parseFilterTime(f.after);
  q.startedBefore = parseFilterTime(f.before);
  q.reverse = true;  // newest first
  if (!f.marker.empty()) q.marker = f.marker;
  q.maxItems = kPageSize;
  Json listing = engine.list(f.function, q);

  std::string body = "<h1>rewind-server · durable executions</h1>\n" + filterForm(f, functions);
  const Json& items = listing["DurableExecutions"];
  if (items.empty()) {
    body += "<p class=\"empty\" id=\"no-executions\">No execution matches.</p>\n";
  } else {
    body +=
        "<table id=\"executions\">\n<thead><tr><th>name</th><th>function</th><th>status</th><th>started</th>"
        "<th>ended</th></tr></thead>\n<tbody>\n";
    for (const Json& e : items) {
      std::string name = e.value("DurableExecutionName", "");
      std::string status = e.value("Status", "");
      std::string fn = functionOfArn(e.value("FunctionArn", ""));
      body += fmt::format(
          "<tr class=\"execution\" data-name=\"{}\" data-status=\"{}\" data-function=\"{}\"><td>{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
          escape(name), escape(status), escape(fn), executionLink(e.value("DurableExecutionArn", ""), name), escape(fn),
          statusCell(status), escape(timeText(e["StartTimestamp"])),
          escape(e.contains("EndTimestamp") ? timeText(e["EndTimestamp"]) : std::string()));
    }
    body += "</tbody>\n</table>\n";
  }
  if (listing.contains("NextMarker"))
    body += fmt::format("<p><a id=\"older\" href=\"/ui{}\">older executions →</a></p>\n",
                        escape(f.query(listing["NextMarker"].get<std::string>())));
  body += "<p class=\"note\">Times are the server's (virtual) clock, UTC.</p>\n";
  sendPage(res, 200, page("rewind-server · executions", body));
}

// ---- one execution -------------------------------------------------------------------

Json allEvents(Engine& engine, const std::string& arn) {
  Json events = Json::array();
  HistoryQuery q;
  q.maxItems = 1000;
  while (true) {
    Json pageJson = engine.history(arn, q);
    for (Json& e : pageJson["Events"]) events.push_back(std::move(e));
    if (!pageJson.contains("NextMarker")) return events;
    q.marker = pageJson["NextMarker"].get<std::string>();
  }
}

std::string arnParam(const httplib::Request& req) {
  std::string arn = param(req, "arn");
  if (arn.empty()) throw invalidParameter("[rewind.server.ui_no_arn] which execution? (?arn=ARN)");
  return arn;
}

std::string payloadBlock(const std::optional<std::string>& text) {
  return text ? fmt::format("<pre>{}</pre>", escape(*text)) : "<span class=\"empty\">none</span>";
}

std::string eventDetails(const Json& event) {
  for (auto it = event.begin(); it != event.end(); ++it)
    if (it->is_object() && it.key().ends_with("Details")) {
      std::string text = it->dump(-1, ' ', false, Json::error_handler_t::replace);
      if (text.size() > kDetailChars) text = text.substr(0, kDetailChars) + " …";
      return text;
    }
  return "";
}

void executionPage(const httplib::Request& req, httplib::Response& res, Engine& engine) {
  std::string arn = arnParam(req);
  ExecutionView v = engine.describe(arn);
  Json events = allEvents(engine, arn);
  std::string body = fmt::format("<p><a href=\"/ui\">← all executions</a></p>\n<h1>{} {}</h1>\n", escape(v.name),
                                 statusCell(v.status));
  body += fmt::format(
      "<dl id=\"summary\">\n<dt>execution</dt><dd>{}</dd>\n<dt>function</dt><dd>{}</dd>\n<dt>status</dt><dd "
      "id=\"status\">{}</dd>\n<dt>started</dt><dd>{}</dd>\n<dt>ended</dt><dd>{}</dd>\n<dt>input</dt><dd "
      "id=\"input\">{}</dd>\n",
      escape(v.arn), escape(v.functionName), statusCell(v.status), escape(formatTimestamp(v.start)),
      v.end ? escape(formatTimestamp(*v.end)) : std::string("<span class=\"empty\">running</span>"),
      payloadBlock(v.input));
  if (v.result) body += fmt::format("<dt>result</dt><dd id=\"result\">{}</dd>\n", payloadBlock(v.result));
  if (v.error)
    body += fmt::format("<dt>error</dt><dd id=\"error\"><pre>{}: {}</pre></dd>\n", escape(v.error->errorType),
                        escape(v.error->errorMessage));
  body += "</dl>\n<h2>Timeline</h2>\n";
  body += fmt::format("<iframe id=\"timeline\" title=\"operation timeline\" src=\"/ui/timeline?arn={}\"></iframe>\n",
                      escape(uriEncode(arn)));
  body += fmt::format("<h2>History ({} events)</h2>\n", events.size());
  body +=
      "<table id=\"history\">\n<thead><tr><th>#</th><th>time</th><th>event</th><th>name</th><th>operation</th>"
      "<th>details</th></tr></thead>\n<tbody>\n";
  for (const Json& e : events) {
    std::string type = e.value("EventType", "");
    body += fmt::format(
        "<tr class=\"event\" data-type=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td "
        "class=\"details\">{}</td></tr>\n",
        escape(type), e.value("EventId", 0), escape(timeText(e.value("EventTimestamp", Json()))), escape(type),
        escape(e.value("Name", "")), escape(e.value("Id", "")), escape(eventDetails(e)));
  }
  body += "</tbody>\n</table>\n";
  sendPage(res, 200, page(v.name + " · rewind-server", body));
}

void timelinePage(const httplib::Request& req, httplib::Response& res, Engine& engine) {
  std::string arn = arnParam(req);
  ExecutionView v = engine.describe(arn);
  std::vector<HistoryEvent> history = historyFromJson(allEvents(engine, arn));
  std::vector<Operation> operations = operationsFromHistory(history);
  std::vector<InvocationRecord> invocations = invocationsFromHistory(history);
  HistoryOutcome outcome = outcomeFromHistory(history);
  TimelineSource source{arn, outcome.status, outcome.result, outcome.error, operations, invocations, history};
  std::ostringstream out;
  writeTimelineHtml(buildTimeline(source), out, fmt::format("{} — rewind-server", v.name));
  sendPage(res, 200, out.str());
}

// ---- access --------------------------------------------------------------------------

bool isLoopback(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::optional<std::pair<std::string, std::string>> basicCredentials(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() <= kBasic.size() || header.compare(0, kBasic.size(), kBasic) != 0 || header.size() > 4096)
    return std::nullopt;
  std::string encoded = header.substr(kBasic.size());
  std::string decoded(encoded.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  decoded.resize(static_cast<std::size_t>(n));
  // EVP_DecodeBlock counts the padding's zero bytes.
  for (std::size_t pad = encoded.size(); pad > 0 && encoded[pad - 1] == '=' && !decoded.empty(); --pad)
    decoded.pop_back();
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

bool sameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// True when the request may see the pages; else answers it (403 or 401).
bool admitted(const std::vector<AccessKey>& keys, const httplib::Request& req, httplib::Response& res) {
  if (keys.empty()) return true;
  if (!isLoopback(req.remote_addr)) {
    sendErrorPage(res, 403,
                  "[rewind.server.ui_not_loopback] with --auth, the /ui pages are served to loopback clients only");
    return false;
  }
  if (auto given = basicCredentials(req)) {
    bool ok = false;
    for (const AccessKey& k : keys)  // every key compared: no early exit on the right one
      ok |= k.accessKeyId == given->first && sameSecret(k.secretAccessKey, given->second);
    if (ok) return true;
  }
  res.set_header("WWW-Authenticate", "Basic realm=\"rewind-server\", charset=\"UTF-8\"");
  sendErrorPage(res, 401,
                "[rewind.server.ui_unauthorized] the /ui pages need an access key: user = access key id, password = "
                "secret (as given to --auth)");
  return false;
}

template <class F>
void uiRoute(const std::vector<AccessKey>& keys, const httplib::Request& req, httplib::Response& res, F&& body) {
  if (!admitted(keys, req, res)) return;
  try {
    body();
  } catch (const ServiceError& e) {
    sendErrorPage(res, e.status(), e.what());
  } catch (const std::exception& e) {
    sendErrorPage(res, 500, fmt::format("[rewind.server.internal] {}", e.what()));
  }
}

}  // namespace

void installWebUi(httplib::Server& http, Engine& engine, std::vector<AccessKey> keys) {
  auto shared = std::make_shared<const std::vector<AccessKey>>(std::move(keys));
  http.Get("/ui", [&engine, shared](const httplib::Request& req, httplib::Response& res) {
    uiRoute(*shared, req, res, [&] { executionsPage(req, res, engine); });
  });
  http.Get("/ui/execution", [&engine, shared](const httplib::Request& req, httplib::Response& res) {
    uiRoute(*shared, req, res, [&] { executionPage(req, res, engine); });
  });
  http.Get("/ui/timeline", [&engine, shared](const httplib::Request& req, httplib::Response& res) {
    uiRoute(*shared, req, res, [&] { timelinePage(req, res, engine); });
  });
}

}  // namespace rwd::server::internal
