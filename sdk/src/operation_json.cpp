// JSON for operation records and checkpoint updates, in two forms: the service model's
// wire form (JsonForm::Wire: the Lambda API's members only, timestamps as epoch seconds)
// and Rewind's document form (JsonForm::Document: plus the positional StepId, ISO-8601
// timestamps; history files, rewind-run --json), and back.
#include "rewind/operation_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
#include "rewind/json_text.hpp"

namespace rwd {

namespace {

template <class E>
std::optional<E> enumFromString(std::string_view s, std::initializer_list<E> all) {
  for (E e : all)
    if (toString(e) == s) return e;
  return std::nullopt;
}

}  // namespace

Json epochSecondsJson(TimePoint t) {
  auto ms = t.time_since_epoch().count();
  if (ms % 1000 == 0) return Json(static_cast<std::int64_t>(ms / 1000));
  return Json(static_cast<double>(ms) / 1000.0);
}

Json toJson(const ErrorObject& error) { return internal::errorToJson(error); }

Json toJson(const Operation& op, JsonForm form) {
  const bool wire = form == JsonForm::Wire;
  auto stamp = [wire](TimePoint t) { return wire ? epochSecondsJson(t) : Json(formatTimestamp(t)); };
  Json j{{"Id", op.id},
         {"Type", toString(op.type)},
         {"SubType", toString(op.subType)},
         {"Status", toString(op.status)},
         {"StartTimestamp", stamp(op.startTimestamp)}};
  if (!wire) j["StepId"] = op.stepId;
  if (op.parentId) j["ParentId"] = *op.parentId;
  if (op.name) j["Name"] = *op.name;
  if (op.endTimestamp) j["EndTimestamp"] = stamp(*op.endTimestamp);
  auto opt = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
  if (op.stepDetails) {
    Json d{{"Attempt", op.stepDetails->attempt}};
    if (op.stepDetails->nextAttemptTimestamp) d["NextAttemptTimestamp"] = stamp(*op.stepDetails->nextAttemptTimestamp);
    if (op.stepDetails->result) d["Result"] = *op.stepDetails->result;
    if (op.stepDetails->error) d["Error"] = toJson(*op.stepDetails->error);
    j["StepDetails"] = d;
  }
  if (op.waitDetails) j["WaitDetails"] = {{"ScheduledEndTimestamp", stamp(op.waitDetails->scheduledEndTimestamp)}};
  if (op.callbackDetails) {
    Json d{{"CallbackId", op.callbackDetails->callbackId}};
    if (op.callbackDetails->result) d["Result"] = *op.callbackDetails->result;
    if (op.callbackDetails->error) d["Error"] = toJson(*op.callbackDetails->error);
    j["CallbackDetails"] = d;
  }
  if (op.chainedInvokeDetails) {
    Json d = Json::object();
    if (op.chainedInvokeDetails->result) d["Result"] = *op.chainedInvokeDetails->result;
    if (op.chainedInvokeDetails->error) d["Error"] = toJson(*op.chainedInvokeDetails->error);
    j["ChainedInvokeDetails"] = d;
  }
  if (op.contextDetails) {
    Json d{{"ReplayChildren", op.contextDetails->replayChildren}};
    if (op.contextDetails->result) d["Result"] = opt(op.contextDetails->result);
    if (op.contextDetails->error) d["Error"] = toJson(*op.contextDetails->error);
    j["ContextDetails"] = d;
  }
  if (op.executionDetails) {
    Json d = Json::object();
    if (op.executionDetails->inputPayload) d["InputPayload"] = *op.executionDetails->inputPayload;
    j["ExecutionDetails"] = d;
  }
  return j;
}

Json operationsToJson(const std::vector<Operation>& ops, JsonForm form) {
  Json arr = Json::array();
  for (const auto& o : ops) arr.push_back(toJson(o, form));
  return arr;
}

Json toJson(const OperationUpdate& u, JsonForm form) {
  Json j{{"Id", u.id}, {"Type", toString(u.type)}, {"SubType", toString(u.subType)}, {"Action", toString(u.action)}};
  if (form == JsonForm::Document) j["StepId"] = u.stepId;
  if (u.parentId) j["ParentId"] = *u.parentId;
  if (u.name) j["Name"] = *u.name;
  if (u.payload) j["Payload"] = *u.payload;
  if (u.error) j["Error"] = toJson(*u.error);
  if (u.nextAttemptDelaySeconds) j["StepOptions"] = {{"NextAttemptDelaySeconds", *u.nextAttemptDelaySeconds}};
  if (u.waitSeconds) j["WaitOptions"] = {{"WaitSeconds", *u.waitSeconds}};
  if (u.callbackTimeoutSeconds || u.callbackHeartbeatTimeoutSeconds) {
    Json c = Json::object();
    if (u.callbackTimeoutSeconds) c["TimeoutSeconds"] = *u.callbackTimeoutSeconds;
    if (u.callbackHeartbeatTimeoutSeconds) c["HeartbeatTimeoutSeconds"] = *u.callbackHeartbeatTimeoutSeconds;
    j["CallbackOptions"] = c;
  }
  if (u.functionName || u.tenantId) {
    Json c = Json::object();
    if (u.functionName) c["FunctionName"] = *u.functionName;
    if (u.tenantId) c["TenantId"] = *u.tenantId;
    j["ChainedInvokeOptions"] = c;
  }
  if (u.replayChildren) j["ContextOptions"] = {{"ReplayChildren", true}};
  return j;
}

OperationUpdate operationUpdateFromJson(const Json& j, JsonForm form) {
  if (!j.is_object()) throw std::invalid_argument("an operation update is a JSON object");
  auto text = [&](const Json& obj, const char* k) -> std::optional<std::string> {
    auto it = obj.find(k);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw std::invalid_argument(fmt::format("OperationUpdate.{} is not a string", k));
    return it->get<std::string>();
  };
  auto integer = [&](const char* group, const char* k) -> std::optional<std::int64_t> {
    auto g = j.find(group);
    if (g == j.end() || !g->is_object()) return std::nullopt;
    auto it = g->find(k);
    if (it == g->end() || it->is_null()) return std::nullopt;
    std::optional<std::int64_t> v = it->is_number_integer()
                                        ? wholeNumberIn(*it, std::numeric_limits<std::int64_t>::min(),
                                                        std::numeric_limits<std::int64_t>::max())
                                        : std::nullopt;
    if (!v) throw std::invalid_argument(fmt::format("OperationUpdate.{}.{} is not a 64-bit integer", group, k));
    return *v;
  };
  OperationUpdate u;
  u.id = text(j, "Id").value_or("");
  if (u.id.empty()) throw std::invalid_argument("OperationUpdate.Id is missing");
  u.stepId = text(j, "StepId").value_or(form == JsonForm::Wire ? std::string() : u.id);
  u.parentId = text(j, "ParentId");
  u.name = text(j, "Name");
  auto type = operationTypeFromString(text(j, "Type").value_or(""));
  if (!type) throw std::invalid_argument("OperationUpdate.Type is not an operation type");
  u.type = *type;
  auto sub = operationSubTypeFromString(text(j, "SubType").value_or("Step"));
  if (!sub) throw std::invalid_argument("OperationUpdate.SubType is not a subtype");
  u.subType = *sub;
  auto action = operationActionFromString(text(j, "Action").value_or(""));
  if (!action) throw std::invalid_argument("OperationUpdate.Action is not an action");
  u.action = *action;
  u.payload = text(j, "Payload");
  if (auto it = j.find("Error"); it != j.end() && !it->is_null()) u.error = internal::errorFromJson(*it);
  u.nextAttemptDelaySeconds = integer("StepOptions", "NextAttemptDelaySeconds");
  u.waitSeconds = integer("WaitOptions", "WaitSeconds");
  u.callbackTimeoutSeconds = integer("CallbackOptions", "TimeoutSeconds");
  u.callbackHeartbeatTimeoutSeconds = integer("CallbackOptions", "HeartbeatTimeoutSeconds");
  if (auto g = j.find("ChainedInvokeOptions"); g != j.end() && g->is_object()) {
    u.functionName = text(*g, "FunctionName");
    u.tenantId = text(*g, "TenantId");
  }
  if (auto g = j.find("ContextOptions"); g != j.end() && g->is_object()) {
    auto it = g->find("ReplayChildren");
    if (it != g->end() && !it->is_null() && !it->is_boolean())
      throw std::invalid_argument("OperationUpdate.ContextOptions.ReplayChildren is not true or false");
    u.replayChildren = it != g->end() && it->is_boolean() && it->get<bool>();
  }
  return u;
}

std::optional<OperationAction> operationActionFromString(std::string_view s) {
  using A = OperationAction;
  return enumFromString(s, {A::Start, A::Succeed, A::Fail, A::Retry, A::Cancel});
}

std::optional<OperationType> operationTypeFromString(std::string_view s) {
  using O = OperationType;
  return enumFromString(s, {O::Execution, O::Context, O::Step, O::Wait, O::Callback, O::ChainedInvoke});
}

std::optional<OperationSubType> operationSubTypeFromString(std::string_view s) {
  using O = OperationSubType;
  return enumFromString(s, {O::Execution, O::Step, O::Wait, O::Callback, O::RunInChildContext, O::Map, O::MapIteration,
                            O::Parallel, O::ParallelBranch, O::WaitForCallback, O::WaitForCondition, O::ChainedInvoke});
}

std::optional<OperationStatus> operationStatusFromString(std::string_view s) {
  using O = OperationStatus;
  return enumFromString(
      s, {O::Started, O::Pending, O::Ready, O::Succeeded, O::Failed, O::Cancelled, O::Stopped, O::TimedOut});
}

std::optional<TimePoint> parseTimestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS, then an optional fraction of a second and an optional Z (UTC).
  // Every field is bounded (years 1-9999, a real day of its month), so no input reaches
  // an overflowing conversion.
  std::size_t pos = 0;
  auto number = [&](int& out, std::size_t maxDigits) {
    std::size_t start = pos;
    while (pos < s.size() && pos - start < maxDigits && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
    std::from_chars(s.data() + start, s.data() + pos, out);
    return true;
  };
  auto literal = [&](char c) { return pos < s.size() && s[pos++] == c; };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!(number(y, 4) && literal('-') && number(mo, 2) && literal('-') && number(d, 2) && literal('T') &&
        number(h, 2) && literal(':') && number(mi, 2) && literal(':') && number(sec, 2)))
    return std::nullopt;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (std::size_t digits = pos - start; digits < 3; ++digits) ms *= 10;  // ".5" is 500 ms
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size()) return std::nullopt;
  using namespace std::chrono;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (y < 1 || !date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return TimePoint(duration_cast<milliseconds>(sys_days(date).time_since_epoch()) + hours{h} + minutes{mi} +
                   seconds{sec} + milliseconds{ms});
}

std::vector<Operation> operationsFromJson(const Json& j, JsonForm form) {
  const Json& arr = j.is_object() && j.contains("Operations") ? j.at("Operations") : j;
  if (!arr.is_array()) throw std::invalid_argument("expected an array of operations (or {\"Operations\": [...]})");
  std::vector<Operation> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const Json& o = arr[i];
    auto field = [&](const char* k) -> std::string {
      if (!o.contains(k) || !o[k].is_string())
        throw std::invalid_argument(fmt::format("Operations[{}].{} is missing or not a string", i, k));
      return o[k].get<std::string>();
    };
    Operation op;
    op.id = field("Id");
    if (o.contains("StepId") && o["StepId"].is_string()) op.stepId = o["StepId"].get<std::string>();
    if (o.contains("ParentId") && o["ParentId"].is_string()) op.parentId = o["ParentId"].get<std::string>();
    if (o.contains("Name") && o["Name"].is_string()) op.name = o["Name"].get<std::string>();
    auto type = operationTypeFromString(field("Type"));
    if (!type) throw std::invalid_argument(fmt::format("Operations[{}].Type is not an operation type", i));
    op.type = *type;
    auto sub = !o.contains("SubType")      ? std::optional(OperationSubType::Step)
               : o["SubType"].is_string() ? operationSubTypeFromString(o["SubType"].get<std::string>())
                                          : std::nullopt;
    if (!sub) throw std::invalid_argument(fmt::format("Operations[{}].SubType is not a subtype", i));
    op.subType = *sub;
    auto status = operationStatusFromString(field("Status"));
    if (!status) throw std::invalid_argument(fmt::format("Operations[{}].Status is not a status", i));
    op.status = *status;
    auto time = [&](const Json& obj, const char* k) -> std::optional<TimePoint> {
      if (!obj.contains(k) || obj[k].is_null()) return std::nullopt;
      if (obj[k].is_number()) {
        std::optional<std::int64_t> ms;
        if (form == JsonForm::Wire) {  // epoch seconds, possibly fractional (milliseconds accepted)
          double v = obj[k].get<double>();
          double scaled = std::round(v > 1e11 ? v : v * 1000.0);
          if (scaled >= static_cast<double>(kMinTimestampMs) && scaled <= static_cast<double>(kMaxTimestampMs))
            ms = static_cast<std::int64_t>(scaled);
        } else {
          ms = wholeNumberIn(obj[k], kMinTimestampMs, kMaxTimestampMs);
        }
        if (!ms)
          throw std::invalid_argument(fmt::format("[rewind.history.bad_timestamp] Operations[{}].{} is {}, not a "
                                                  "timestamp between the years 1 and 9999",
                                                  i, k, obj[k].dump()));
        return TimePoint(std::chrono::milliseconds(*ms));
      }
      if (!obj[k].is_string()) throw std::invalid_argument(fmt::format("Operations[{}].{} is not a timestamp", i, k));
      auto t = parseTimestamp(obj[k].get<std::string>());
      if (!t) throw std::invalid_argument(fmt::format("Operations[{}].{} is not an ISO-8601 timestamp", i, k));
      return t;
    };
    auto text = [](const Json& obj, const char* k) -> std::optional<std::string> {
      if (!obj.contains(k) || obj[k].is_null()) return std::nullopt;
      return obj[k].is_string() ? obj[k].get<std::string>() : obj[k].dump();
    };
    auto flag = [&](const Json& obj, const char* k) {
      if (!obj.contains(k) || obj[k].is_null()) return false;
      if (!obj[k].is_boolean())
        throw std::invalid_argument(fmt::format("Operations[{}].{} is not true or false", i, k));
      return obj[k].get<bool>();
    };
    auto error = [](const Json& obj) -> std::optional<ErrorObject> {
      if (!obj.contains("Error") || obj["Error"].is_null()) return std::nullopt;
      const Json& e = obj["Error"].contains("Payload") ? obj["Error"]["Payload"] : obj["Error"];
      return internal::errorFromJson(e);
    };
    op.startTimestamp = time(o, "StartTimestamp").value_or(TimePoint{});
    op.endTimestamp = time(o, "EndTimestamp");
    // The service's records carry no positional id: a document falls back to the Id, the
    // SDK recovers it from the parent's (operation_table.cpp).
    if (op.stepId.empty() && form == JsonForm::Document) op.stepId = op.id;
    if (o.contains("StepDetails") || op.type == OperationType::Step) {
      const Json& d = o.contains("StepDetails") ? o["StepDetails"] : Json::object();
      StepDetails sd;
      sd.attempt = 1;  // a record without an attempt number is on its first
      if (d.contains("Attempt") && !d["Attempt"].is_null()) {
        std::optional<std::int64_t> attempt = wholeNumberIn(d["Attempt"], 0, std::numeric_limits<int>::max());
        if (!attempt)
          throw std::invalid_argument(fmt::format(
              "[rewind.history.bad_number] Operations[{}].StepDetails.Attempt is {}, not an attempt number", i,
              d["Attempt"].dump().substr(0, 100)));
        sd.attempt = static_cast<int>(*attempt);
      }
      sd.nextAttemptTimestamp = time(d, "NextAttemptTimestamp");
      sd.result = text(d, "Result");
      sd.error = error(d);
      op.stepDetails = sd;
    }
    if (o.contains("WaitDetails") || op.type == OperationType::Wait) {
      const Json& d = o.contains("WaitDetails") ? o["WaitDetails"] : Json::object();
      WaitDetails wd;
      wd.scheduledEndTimestamp = time(d, "ScheduledEndTimestamp").value_or(op.startTimestamp);
      wd.durationSeconds =
          std::chrono::duration_cast<std::chrono::seconds>(wd.scheduledEndTimestamp - op.startTimestamp).count();
      op.waitDetails = wd;
    }
    if (o.contains("CallbackDetails") || op.type == OperationType::Callback) {
      const Json& d = o.contains("CallbackDetails") ? o["CallbackDetails"] : Json::object();
      CallbackDetails cd;
      cd.callbackId = text(d, "CallbackId").value_or("");
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.callbackDetails = cd;
    }
    if (o.contains("ChainedInvokeDetails") || op.type == OperationType::ChainedInvoke) {
      const Json& d = o.contains("ChainedInvokeDetails") ? o["ChainedInvokeDetails"] : Json::object();
      ChainedInvokeDetails cd;
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.chainedInvokeDetails = cd;
    }
    if (o.contains("ExecutionDetails") || op.type == OperationType::Execution) {
      const Json& d = o.contains("ExecutionDetails") ? o["ExecutionDetails"] : Json::object();
      op.executionDetails.emplace();
      op.executionDetails->inputPayload = text(d, "InputPayload");
    }
    if (o.contains("ContextDetails") || op.type == OperationType::Context) {
      const Json& d = o.contains("ContextDetails") ? o["ContextDetails"] : Json::object();
      ContextDetails cd;
      cd.replayChildren = flag(d, "ReplayChildren");
      cd.result = text(d, "Result");
      cd.error = error(d);
      op.contextDetails = cd;
    }
    // A failed record is replayed as the error it carries: it must carry one.
    bool hasError = op.stepDetails            ? static_cast<bool>(op.stepDetails->error)
                    : op.callbackDetails      ? static_cast<bool>(op.callbackDetails->error)
                    : op.chainedInvokeDetails ? static_cast<bool>(op.chainedInvokeDetails->error)
                    : op.contextDetails       ? static_cast<bool>(op.contextDetails->error)
                                              : true;
    bool needsError = op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut;
    if (needsError && !hasError)
      throw std::invalid_argument(fmt::format("[rewind.history.missing_error] Operations[{}] ({} {}) is {} but has no "
                                              "Error in its {}Details",
                                              i, toString(op.type), op.id, toString(op.status),
                                              op.stepDetails       ? "Step"
                                              : op.callbackDetails ? "Callback"
                                              : op.contextDetails  ? "Context"
                                                                   : "ChainedInvoke"));
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace rwd
