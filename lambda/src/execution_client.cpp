// The durable execution management calls over HTTP, SigV4-signed.
#include "rewind/lambda/execution_client.hpp"

#include "rewind/lambda/url.hpp"

namespace rwd::lambda {

ExecutionClientError::ExecutionClientError(long status, std::string errorType, const std::string& message)
    : std::runtime_error("[rewind.client." + (errorType.empty() ? std::string("error") : errorType) + "] " + message),
      status_(status),
      errorType_(std::move(errorType)) {}

DurableExecutionClient::DurableExecutionClient(HttpClient& http, ExecutionClientConfig config)
    : http_(http), config_(std::move(config)) {
  if (!config_.now) config_.now = [] { return std::chrono::system_clock::now(); };
}

HttpResponse DurableExecutionClient::call(HttpRequest request) {
  request.timeout = config_.requestTimeout;
  if (!request.body.empty() && !request.header("Content-Type"))
    setHeader(request.headers, "Content-Type", "application/json");
  signRequest(request, config_.credentials, config_.region, "lambda", config_.now());
  HttpResponse res;
  try {
    res = http_.send(request);
  } catch (const HttpTransportError& e) {
    throw ExecutionClientError(0, "transport", e.what());
  }
  if (res.status >= 300) {
    std::string type = res.header("X-Amzn-ErrorType").value_or("");
    type = type.substr(0, type.find(':'));  // "Type:http://..." in some AWS answers
    std::string message = res.body;
    try {
      nlohmann::json j = nlohmann::json::parse(res.body);
      if (j.contains("message"))
        message = j["message"].get<std::string>();
      else if (j.contains("Message"))
        message = j["Message"].get<std::string>();
    } catch (const std::exception&) {
    }
    throw ExecutionClientError(res.status, type.empty() ? "HTTP" + std::to_string(res.status) : type, message);
  }
  return res;
}

StartedExecution DurableExecutionClient::start(const std::string& function, const std::optional<std::string>& name,
                                               const std::string& payload, InvocationType type) {
  HttpRequest req{"POST", config_.endpoint + "/2015-03-31/functions/" + percentEncode(function) + "/invocations"};
  req.body = payload;
  setHeader(req.headers, "X-Amz-Invocation-Type", type == InvocationType::Event ? "Event" : "RequestResponse");
  if (name) setHeader(req.headers, "X-Amz-Durable-Execution-Name", *name);
  HttpResponse res = call(std::move(req));
  StartedExecution out;
  out.statusCode = res.status;
  out.durableExecutionArn = res.header("X-Amz-Durable-Execution-Arn").value_or("");
  out.payload = res.body;
  out.functionError = res.header("X-Amz-Function-Error").value_or("");
  return out;
}

nlohmann::json DurableExecutionClient::describe(const std::string& arn) {
  return nlohmann::json::parse(
      call({"GET", config_.endpoint + "/2025-12-01/durable-executions/" + percentEncode(arn)}).body);
}

nlohmann::json DurableExecutionClient::list(const std::string& function, const ListFilter& filter) {
  nlohmann::json all = nlohmann::json::array();
  std::optional<std::string> marker;
  do {
    std::string query;
    auto add = [&](const std::string& k, const std::string& v) {
      query += (query.empty() ? "?" : "&") + k + "=" + percentEncode(v);
    };
    if (filter.name) add("DurableExecutionName", *filter.name);
    for (const std::string& s : filter.statuses) add("Statuses", s);
    if (filter.reverseOrder) add("ReverseOrder", "true");
    if (filter.maxItems > 0) add("MaxItems", std::to_string(filter.maxItems));
    if (marker) add("Marker", *marker);
    nlohmann::json page =
        nlohmann::json::parse(call({"GET", config_.endpoint + "/2025-12-01/functions/" + percentEncode(function) +
                                               "/durable-executions" + query})
                                  .body);
    for (auto& e : page.value("DurableExecutions", nlohmann::json::array())) all.push_back(std::move(e));
    marker =
        page.contains("NextMarker") ? std::optional<std::string>(page["NextMarker"].get<std::string>()) : std::nullopt;
  } while (marker);
  return all;
}

nlohmann::json DurableExecutionClient::history(const std::string& arn, bool includeExecutionData) {
  nlohmann::json all = nlohmann::json::array();
  std::optional<std::string> marker;
  do {
    std::string url = config_.endpoint + "/2025-12-01/durable-executions/" + percentEncode(arn) + "/history" +
                      "?IncludeExecutionData=" + (includeExecutionData ? "true" : "false");
    if (marker) url += "&Marker=" + percentEncode(*marker);
    nlohmann::json page = nlohmann::json::parse(call({"GET", url}).body);
    for (auto& e : page.value("Events", nlohmann::json::array())) all.push_back(std::move(e));
    marker =
        page.contains("NextMarker") ? std::optional<std::string>(page["NextMarker"].get<std::string>()) : std::nullopt;
  } while (marker);
  return all;
}

nlohmann::json DurableExecutionClient::stop(const std::string& arn, const std::optional<nlohmann::json>& error) {
  HttpRequest req{"POST", config_.endpoint + "/2025-12-01/durable-executions/" + percentEncode(arn) + "/stop"};
  if (error) req.body = error->dump();
  return nlohmann::json::parse(call(std::move(req)).body);
}

nlohmann::json DurableExecutionClient::redrive(const std::string& arn) {
  return nlohmann::json::parse(
      call({"POST", config_.endpoint + "/2025-12-01/durable-executions/" + percentEncode(arn) + "/redrive"}).body);
}

void DurableExecutionClient::sendCallbackSuccess(const std::string& callbackId, const std::string& result) {
  HttpRequest req{
      "POST", config_.endpoint + "/2025-12-01/durable-execution-callbacks/" + percentEncode(callbackId) + "/succeed"};
  req.body = result;
  setHeader(req.headers, "Content-Type", "application/octet-stream");
  call(std::move(req));
}

void DurableExecutionClient::sendCallbackFailure(const std::string& callbackId, const nlohmann::json& error) {
  HttpRequest req{"POST",
                  config_.endpoint + "/2025-12-01/durable-execution-callbacks/" + percentEncode(callbackId) + "/fail"};
  req.body = error.dump();
  call(std::move(req));
}

void DurableExecutionClient::sendCallbackHeartbeat(const std::string& callbackId) {
  call({"POST",
        config_.endpoint + "/2025-12-01/durable-execution-callbacks/" + percentEncode(callbackId) + "/heartbeat"});
}

}  // namespace rwd::lambda
