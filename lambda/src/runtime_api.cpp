// Runtime API calls. Responses other than 2xx are errors: Lambda documents 400/403/413 for
// a bad post and 500 for "the runtime should exit".
#include "rewind/lambda/runtime_api.hpp"

#include <nlohmann/json.hpp>

#include "rewind/lambda/url.hpp"

namespace rwd::lambda {

std::string RuntimeError::toJson() const {
  nlohmann::json j = {{"errorMessage", errorMessage}, {"errorType", errorType}, {"stackTrace", stackTrace}};
  // An exception message need not be UTF-8: replace what JSON cannot carry.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

RuntimeApiClient::RuntimeApiClient(HttpClient& http, std::string address)
    : http_(http), base_("http://" + std::move(address) + "/2018-06-01/runtime") {}

RuntimeInvocation RuntimeApiClient::next() {
  HttpResponse res = http_.send({"GET", base_ + "/invocation/next"});
  if (res.status != 200) {
    throw RuntimeApiError(
        "[rewind.lambda.runtime_api] GET invocation/next answered " + std::to_string(res.status) + ": " + res.body,
        res.status);
  }
  RuntimeInvocation inv;
  inv.requestId = res.header("Lambda-Runtime-Aws-Request-Id").value_or("");
  if (inv.requestId.empty()) {
    throw RuntimeApiError("[rewind.lambda.runtime_api] invocation/next has no Lambda-Runtime-Aws-Request-Id header",
                          res.status);
  }
  if (auto deadline = res.header("Lambda-Runtime-Deadline-Ms")) {
    try {
      inv.deadlineMs = std::stoll(*deadline);
    } catch (const std::exception&) {
      inv.deadlineMs = 0;
    }
  }
  inv.invokedFunctionArn = res.header("Lambda-Runtime-Invoked-Function-Arn").value_or("");
  inv.traceId = res.header("Lambda-Runtime-Trace-Id").value_or("");
  inv.clientContext = res.header("Lambda-Runtime-Client-Context").value_or("");
  inv.cognitoIdentity = res.header("Lambda-Runtime-Cognito-Identity").value_or("");
  inv.payload = std::move(res.body);
  inv.headers = std::move(res.headers);
  return inv;
}

void RuntimeApiClient::postResponse(const std::string& requestId, const std::string& body) {
  post("/invocation/" + percentEncode(requestId) + "/response", body, nullptr);
}

void RuntimeApiClient::postError(const std::string& requestId, const RuntimeError& error) {
  post("/invocation/" + percentEncode(requestId) + "/error", error.toJson(), &error.errorType);
}

void RuntimeApiClient::postInitError(const RuntimeError& error) {
  post("/init/error", error.toJson(), &error.errorType);
}

void RuntimeApiClient::post(const std::string& path, const std::string& body, const std::string* errorType) {
  HttpRequest req{"POST", base_ + path, {{"Content-Type", "application/json"}}, body};
  if (errorType) req.headers.emplace_back("Lambda-Runtime-Function-Error-Type", *errorType);
  HttpResponse res = http_.send(req);
  if (res.status < 200 || res.status >= 300) {
    throw RuntimeApiError(
        "[rewind.lambda.runtime_api] POST " + path + " answered " + std::to_string(res.status) + ": " + res.body,
        res.status);
  }
}

}  // namespace rwd::lambda
