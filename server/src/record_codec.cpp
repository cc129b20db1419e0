// Storage and wire forms of records and events.
#include "record_codec.hpp"

#include <stdexcept>

#include "rewind/history_json.hpp"
#include "rewind/operation_json.hpp"

namespace rwd::server::internal {

namespace {

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint fromMs(std::int64_t v) { return TimePoint{std::chrono::milliseconds{v}}; }

// ISO-8601 text (formatTimestamp) to epoch seconds, recursively for the timestamp keys.
void toEpochSeconds(Json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      bool stamp = key.size() > 9 && key.compare(key.size() - 9, 9, "Timestamp") == 0;
      if (stamp && it->is_string()) {
        if (auto t = parseTimestamp(it->get<std::string>())) *it = epochSecondsJson(*t);
      } else {
        toEpochSeconds(*it);
      }
    }
  } else if (j.is_array()) {
    for (Json& e : j) toEpochSeconds(e);
  }
}

}  // namespace

std::string encodeRecord(const Operation& op) {
  Json j = toJson(op, JsonForm::Document);
  Json x = Json::object();
  x["Start"] = ms(op.startTimestamp);
  if (op.endTimestamp) x["End"] = ms(*op.endTimestamp);
  if (op.stepDetails && op.stepDetails->nextAttemptTimestamp)
    x["NextAttempt"] = ms(*op.stepDetails->nextAttemptTimestamp);
  if (op.waitDetails) {
    x["WaitEnd"] = ms(op.waitDetails->scheduledEndTimestamp);
    x["WaitSeconds"] = op.waitDetails->durationSeconds;
  }
  if (op.callbackDetails) {
    const CallbackDetails& c = *op.callbackDetails;
    if (c.timeoutSeconds) x["CallbackTimeout"] = *c.timeoutSeconds;
    if (c.heartbeatTimeoutSeconds) x["HeartbeatTimeout"] = *c.heartbeatTimeoutSeconds;
    x["LastHeartbeat"] = ms(c.lastHeartbeat);
  }
  if (op.chainedInvokeDetails) {
    const ChainedInvokeDetails& c = *op.chainedInvokeDetails;
    x["FunctionName"] = c.functionName;
    if (c.input) x["Input"] = *c.input;
    if (c.tenantId) x["TenantId"] = *c.tenantId;
  }
  j["Rewind"] = std::move(x);
  return j.dump();
}

Operation decodeRecord(const std::string& text) {
  Json j = Json::parse(text);
  Json x = j.value("Rewind", Json::object());
  j.erase("Rewind");
  std::vector<Operation> ops = operationsFromJson(Json::array({j}), JsonForm::Document);
  if (ops.size() != 1) throw std::invalid_argument("[rewind.server.bad_record] a stored record is not one operation");
  Operation op = std::move(ops.front());
  if (x.contains("Start")) op.startTimestamp = fromMs(x["Start"].get<std::int64_t>());
  if (x.contains("End")) op.endTimestamp = fromMs(x["End"].get<std::int64_t>());
  if (op.stepDetails && x.contains("NextAttempt"))
    op.stepDetails->nextAttemptTimestamp = fromMs(x["NextAttempt"].get<std::int64_t>());
  if (x.contains("WaitEnd")) {
    if (!op.waitDetails) op.waitDetails.emplace();
    op.waitDetails->scheduledEndTimestamp = fromMs(x["WaitEnd"].get<std::int64_t>());
    op.waitDetails->durationSeconds = x.value("WaitSeconds", std::int64_t{0});
  }
  if (op.callbackDetails) {
    CallbackDetails& c = *op.callbackDetails;
    if (x.contains("CallbackTimeout")) c.timeoutSeconds = x["CallbackTimeout"].get<std::int64_t>();
    if (x.contains("HeartbeatTimeout")) c.heartbeatTimeoutSeconds = x["HeartbeatTimeout"].get<std::int64_t>();
    if (x.contains("LastHeartbeat")) c.lastHeartbeat = fromMs(x["LastHeartbeat"].get<std::int64_t>());
  }
  if (op.chainedInvokeDetails) {
    ChainedInvokeDetails& c = *op.chainedInvokeDetails;
    c.functionName = x.value("FunctionName", std::string());
    if (x.contains("Input")) c.input = x["Input"].get<std::string>();
    if (x.contains("TenantId")) c.tenantId = x["TenantId"].get<std::string>();
  }
  return op;
}

Json wireEvent(const HistoryEvent& event) {
  Json j = toJson(event);
  toEpochSeconds(j);
  return j;
}

Json wireOperation(const Operation& op) { return toJson(op, JsonForm::Wire); }

}  // namespace rwd::server::internal
