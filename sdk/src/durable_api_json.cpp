// The durable API's messages as the service model's JSON.
#include "rewind/durable_api_json.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "rewind/batch_result.hpp"
#include "rewind/operation_json.hpp"

namespace rwd {

namespace {

std::optional<std::string> text(const Json& j, const char* member, const char* shape) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw std::invalid_argument(fmt::format("{}.{} is not a string", shape, member));
  return it->get<std::string>();
}

std::string required(const Json& j, const char* member, const char* shape) {
  auto v = text(j, member, shape);
  if (!v) throw std::invalid_argument(fmt::format("{}.{} is missing", shape, member));
  return *v;
}

void requireObject(const Json& j, const char* shape) {
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{} is not a JSON object", shape));
}

Json operationsJson(const ExecutionState& state) {
  Json arr = Json::array();
  for (const Operation& op : state.operations) arr.push_back(toJson(op, JsonForm::Wire));
  if (state.lent)
    for (const Operation& op : state.lent->operations()) arr.push_back(toJson(op, JsonForm::Wire));
  return arr;
}

}  // namespace

Json toJson(const ExecutionState& state) {
  Json j{{"Operations", operationsJson(state)}};
  if (state.nextMarker) j["NextMarker"] = *state.nextMarker;
  return j;
}

ExecutionState executionStateFromJson(const Json& j) {
  requireObject(j, "ExecutionState");
  ExecutionState s;
  if (auto it = j.find("Operations"); it != j.end() && !it->is_null())
    s.operations = operationsFromJson(*it, JsonForm::Wire);
  s.nextMarker = text(j, "NextMarker", "ExecutionState");
  return s;
}

Json toJson(const DurableExecutionInvocationInput& input) {
  return Json{{"DurableExecutionArn", input.durableExecutionArn},
              {"CheckpointToken", input.checkpointToken},
              {"InitialExecutionState", toJson(input.initialExecutionState)}};
}

DurableExecutionInvocationInput invocationInputFromJson(const Json& j) {
  requireObject(j, "DurableExecutionInvocationInput");
  DurableExecutionInvocationInput in;
  in.durableExecutionArn = required(j, "DurableExecutionArn", "DurableExecutionInvocationInput");
  in.checkpointToken = required(j, "CheckpointToken", "DurableExecutionInvocationInput");
  if (auto it = j.find("InitialExecutionState"); it != j.end() && !it->is_null())
    in.initialExecutionState = executionStateFromJson(*it);
  return in;
}

Json toJson(const DurableExecutionInvocationOutput& output) {
  // The model's InvocationStatus is SUCCEEDED | FAILED | PENDING; RETRYING is what plugins
  // are told about a failed invocation, never an output.
  if (output.status == InvocationStatus::Retrying)
    throw std::invalid_argument(
        "[rewind.durable_api.bad_status] RETRYING is not a DurableExecutionInvocationOutput Status (SUCCEEDED, "
        "FAILED or PENDING)");
  Json j{{"Status", toString(output.status)}};
  if (output.result) j["Result"] = *output.result;
  if (output.error) j["Error"] = internal::errorToJson(*output.error);
  return j;
}

DurableExecutionInvocationOutput invocationOutputFromJson(const Json& j) {
  requireObject(j, "DurableExecutionInvocationOutput");
  DurableExecutionInvocationOutput out;
  std::string status = required(j, "Status", "DurableExecutionInvocationOutput");
  if (status == "SUCCEEDED") {
    out.status = InvocationStatus::Succeeded;
  } else if (status == "FAILED") {
    out.status = InvocationStatus::Failed;
  } else if (status == "PENDING") {
    out.status = InvocationStatus::Pending;
  } else {
    throw std::invalid_argument(
        fmt::format("DurableExecutionInvocationOutput.Status '{}' is not SUCCEEDED, FAILED or PENDING", status));
  }
  out.result = text(j, "Result", "DurableExecutionInvocationOutput");
  if (auto it = j.find("Error"); it != j.end() && !it->is_null()) out.error = internal::errorFromJson(*it);
  return out;
}

Json toJson(const CheckpointDurableExecutionRequest& request) {
  Json updates = Json::array();
  for (const OperationUpdate& u : request.updates) updates.push_back(toJson(u, JsonForm::Wire));
  Json j{{"CheckpointToken", request.checkpointToken}, {"Updates", std::move(updates)}};
  if (request.clientToken) j["ClientToken"] = *request.clientToken;
  return j;
}

CheckpointDurableExecutionRequest checkpointRequestFromJson(std::string durableExecutionArn, const Json& body) {
  requireObject(body, "CheckpointDurableExecutionRequest");
  CheckpointDurableExecutionRequest r;
  r.durableExecutionArn = std::move(durableExecutionArn);
  r.checkpointToken = required(body, "CheckpointToken", "CheckpointDurableExecutionRequest");
  if (auto it = body.find("Updates"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) throw std::invalid_argument("CheckpointDurableExecutionRequest.Updates is not a list");
    for (const Json& u : *it) r.updates.push_back(operationUpdateFromJson(u, JsonForm::Wire));
  }
  r.clientToken = text(body, "ClientToken", "CheckpointDurableExecutionRequest");
  return r;
}

Json toJson(const CheckpointDurableExecutionResponse& response) {
  Json j{{"NewExecutionState", toJson(response.newExecutionState)}};
  if (response.checkpointToken) j["CheckpointToken"] = *response.checkpointToken;
  return j;
}

CheckpointDurableExecutionResponse checkpointResponseFromJson(const Json& j) {
  requireObject(j, "CheckpointDurableExecutionResponse");
  CheckpointDurableExecutionResponse r;
  r.checkpointToken = text(j, "CheckpointToken", "CheckpointDurableExecutionResponse");
  auto it = j.find("NewExecutionState");
  if (it == j.end() || it->is_null())
    throw std::invalid_argument("CheckpointDurableExecutionResponse.NewExecutionState is missing");
  r.newExecutionState = executionStateFromJson(*it);
  return r;
}

Json toJson(const GetDurableExecutionStateResponse& response) {
  Json ops = Json::array();
  for (const Operation& op : response.operations) ops.push_back(toJson(op, JsonForm::Wire));
  Json j{{"Operations", std::move(ops)}};
  if (response.nextMarker) j["NextMarker"] = *response.nextMarker;
  return j;
}

GetDurableExecutionStateResponse stateResponseFromJson(const Json& j) {
  requireObject(j, "GetDurableExecutionStateResponse");
  auto it = j.find("Operations");
  if (it == j.end() || !it->is_array())
    throw std::invalid_argument("GetDurableExecutionStateResponse.Operations is missing");
  GetDurableExecutionStateResponse r;
  r.operations = operationsFromJson(*it, JsonForm::Wire);
  r.nextMarker = text(j, "NextMarker", "GetDurableExecutionStateResponse");
  return r;
}

std::string uriEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string uriDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string checkpointPath(std::string_view durableExecutionArn) {
  return fmt::format("/2025-12-01/durable-executions/{}/checkpoint", uriEncode(durableExecutionArn));
}

std::string statePath(const GetDurableExecutionStateRequest& request) {
  std::string path = fmt::format("/2025-12-01/durable-executions/{}/state?CheckpointToken={}",
                                 uriEncode(request.durableExecutionArn), uriEncode(request.checkpointToken));
  if (request.marker) path += "&Marker=" + uriEncode(*request.marker);
  if (request.maxItems) path += fmt::format("&MaxItems={}", *request.maxItems);
  return path;
}

}  // namespace rwd
