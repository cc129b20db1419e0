// The engine's read side: executions and histories as the database holds them (every
// acknowledged change is committed there, so reads need no in-memory state).
#include <fmt/format.h>

#include "engine.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/operation_json.hpp"
#include "service_error.hpp"

namespace rwd::server::internal {

namespace {

TimePoint fromMs(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

int pageSize(int maxItems) {
  if (maxItems < 0 || maxItems > 1000)
    throw invalidParameter(fmt::format("[rewind.server.bad_max_items] MaxItems must be 0-1000, got {}", maxItems));
  return maxItems == 0 ? 100 : maxItems;
}

std::int64_t markerValue(const std::optional<std::string>& marker) {
  if (!marker) return -1;
  try {
    std::size_t used = 0;
    long long v = std::stoll(*marker, &used);
    if (used == marker->size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw invalidParameter(fmt::format("[rewind.server.bad_marker] '{}' is not a marker of this listing", *marker));
}

// IncludeExecutionData=false: the events without their payloads (inputs, results, errors).
void stripPayloads(Json& event) {
  for (auto it = event.begin(); it != event.end(); ++it) {
    if (!it->is_object() || it.key().find("Details") == std::string::npos) continue;
    for (auto& member : *it)
      if (member.is_object()) member.erase("Payload");
  }
}

}  // namespace

ExecutionView Engine::viewFromDb(const std::string& arn) {
  ExecutionView v;
  Statement s = db_.prepare(
      "SELECT name, function_name, status, input, result, error, start_ms, end_ms FROM executions WHERE arn=?");
  s.bind(1, arn);
  if (!s.step()) return v;
  v.arn = arn;
  v.name = s.text(0);
  v.functionName = s.text(1);
  v.status = s.text(2);
  v.input = s.optionalText(3);
  v.result = s.optionalText(4);
  if (auto e = s.optionalText(5); e && !e->empty()) v.error = rwd::internal::errorFromJson(Json::parse(*e));
  v.start = fromMs(s.integer(6));
  if (!s.isNull(7)) v.end = fromMs(s.integer(7));
  return v;
}

ExecutionView Engine::describe(const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  ExecutionView v = viewFromDb(arn);
  if (v.arn.empty()) throw notFound(fmt::format("[rewind.server.no_execution] no durable execution '{}'", arn));
  return v;
}

ExecutionView Engine::waitForEnd(const std::string& arn) {
  std::unique_lock<std::mutex> lock(mu_);
  endCv_.wait(lock, [&] { return stopping_ || !executions_.count(arn); });
  ExecutionView v = viewFromDb(arn);
  if (v.arn.empty()) throw notFound(fmt::format("[rewind.server.no_execution] no durable execution '{}'", arn));
  return v;
}

Json Engine::history(const std::string& arn, const HistoryQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  if (viewFromDb(arn).arn.empty())
    throw notFound(fmt::format("[rewind.server.no_execution] no durable execution '{}'", arn));
  int page = pageSize(query.maxItems);
  std::int64_t from = markerValue(query.marker);
  std::string sql =
      query.reverse ? "SELECT event_id, event FROM history WHERE arn=? AND event_id<? ORDER BY event_id DESC LIMIT ?"
                    : "SELECT event_id, event FROM history WHERE arn=? AND event_id>=? ORDER BY event_id LIMIT ?";
  Statement s = db_.prepare(sql);
  s.bind(1, arn)
      .bind(2, from >= 0 ? from : (query.reverse ? INT64_MAX : std::int64_t{0}))
      .bind(3, std::int64_t{page} + 1);
  Json events = Json::array();
  std::optional<std::int64_t> next;
  while (s.step()) {
    if (static_cast<int>(events.size()) == page) {
      next = s.integer(0);
      break;
    }
    Json ev = Json::parse(s.text(1));
    if (!query.includeData) stripPayloads(ev);
    events.push_back(std::move(ev));
  }
  Json out{{"Events", std::move(events)}};
  // Forward: the next page starts at that event; reverse: it holds the events below the last one returned.
  if (next) out["NextMarker"] = std::to_string(query.reverse ? *next + 1 : *next);
  return out;
}

Json Engine::list(const std::string& function, const ListQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  int page = pageSize(query.maxItems);
  std::int64_t marker = markerValue(query.marker);
  std::string sql = "SELECT arn, name, function_name, status, start_ms, end_ms, seq FROM executions WHERE 1";
  if (!function.empty()) sql += " AND function_name=?";
  if (query.name) sql += " AND name=?";
  if (query.nameContains) sql += " AND instr(name, ?)>0";
  if (!query.statuses.empty()) {
    sql += " AND status IN (";
    for (std::size_t i = 0; i < query.statuses.size(); ++i) sql += i ? ",?" : "?";
    sql += ")";
  }
  if (query.startedAfter) sql += " AND start_ms>?";
  if (query.startedBefore) sql += " AND start_ms<?";
  if (marker >= 0) sql += query.reverse ? " AND seq<?" : " AND seq>=?";
  sql += query.reverse ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq LIMIT ?";
  Statement s = db_.prepare(sql);
  int i = 1;
  if (!function.empty()) s.bind(i++, function);
  if (query.name) s.bind(i++, *query.name);
  if (query.nameContains) s.bind(i++, *query.nameContains);
  for (const std::string& st : query.statuses) s.bind(i++, st);
  if (query.startedAfter) s.bind(i++, query.startedAfter->time_since_epoch().count());
  if (query.startedBefore) s.bind(i++, query.startedBefore->time_since_epoch().count());
  if (marker >= 0) s.bind(i++, marker);
  s.bind(i++, std::int64_t{page} + 1);
  Json items = Json::array();
  std::optional<std::int64_t> next;
  while (s.step()) {
    if (static_cast<int>(items.size()) == page) {
      next = s.integer(6);
      break;
    }
    Json item{{"DurableExecutionArn", s.text(0)},
              {"DurableExecutionName", s.text(1)},
              {"FunctionArn", functionArn(s.text(2))},
              {"Status", s.text(3)},
              {"StartTimestamp", epochSecondsJson(fromMs(s.integer(4)))}};
    if (!s.isNull(5)) item["EndTimestamp"] = epochSecondsJson(fromMs(s.integer(5)));
    items.push_back(std::move(item));
  }
  Json out{{"DurableExecutions", std::move(items)}};
  if (next) out["NextMarker"] = std::to_string(query.reverse ? *next + 1 : *next);
  return out;
}

}  // namespace rwd::server::internal
