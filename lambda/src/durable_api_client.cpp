// Durable API calls: signing, the retry loop and the mapping of error responses. Which
// errors are retried follows the AWS SDKs' standard retry mode (throttling errors, 5xx and
// transport errors); which failures fail the execution rather than the invocation follows
// the JS durable SDK's checkpoint manager (a 4xx other than 429 and "Invalid Checkpoint
// Token" is unrecoverable for the execution).
#include "rewind/lambda/durable_api_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "rewind/lambda/url.hpp"

namespace rwd::lambda {
namespace {

using nlohmann::json;

struct ServiceErrorInfo {
  std::string type;
  std::string message;
};

// botocore's rest-json error parsing: the type from x-amzn-ErrorType (before any ':'),
// else the body's "code" or "__type" (after any '#'); the message from "message" or
// "Message".
ServiceErrorInfo parseServiceError(const HttpResponse& res) {
  ServiceErrorInfo info;
  json body = json::parse(res.body, nullptr, false);
  if (auto header = res.header("x-amzn-ErrorType")) info.type = header->substr(0, header->find(':'));
  if (body.is_object()) {
    if (info.type.empty()) {
      for (const char* key : {"code", "__type", "Code"}) {
        if (body.contains(key) && body[key].is_string()) {
          info.type = body[key].get<std::string>();
          break;
        }
      }
      if (auto hash = info.type.rfind('#'); hash != std::string::npos) info.type = info.type.substr(hash + 1);
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      if (body.contains(key) && body[key].is_string()) {
        info.message = body[key].get<std::string>();
        break;
      }
    }
  }
  if (info.message.empty()) info.message = res.body.substr(0, 512);
  return info;
}

bool isThrottle(long status, const std::string& type) {
  return status == 429 || type == "TooManyRequestsException" || type == "ThrottlingException" || type == "Throttling" ||
         type == "RequestLimitExceeded";
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

DurableApiError::DurableApiError(Kind kind, long status, std::string errorType, std::string serviceMessage,
                                 int attempts, const std::string& what)
    : std::runtime_error(what),
      kind_(kind),
      status_(status),
      errorType_(std::move(errorType)),
      serviceMessage_(std::move(serviceMessage)),
      attempts_(attempts) {}

DurableApiClient::DurableApiClient(HttpClient& http, DurableApiConfig config, DurableApiServices services)
    : http_(http), config_(std::move(config)), services_(std::move(services)) {
  while (config_.endpoint.ends_with('/')) config_.endpoint.pop_back();
  if (config_.retry.maxAttempts < 1) config_.retry.maxAttempts = 1;
}

std::string DurableApiClient::executionPath(const std::string& durableExecutionArn) const {
  return config_.endpoint + "/2025-12-01/durable-executions/" + percentEncode(durableExecutionArn);
}

std::string DurableApiClient::newClientToken() {
  // A version-4 UUID from the injected random source.
  std::uint64_t hi = services_.random(), lo = services_.random();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

json DurableApiClient::checkpoint(const std::string& durableExecutionArn, json body) {
  if (!body.contains("ClientToken")) body["ClientToken"] = newClientToken();
  HttpRequest req{"POST",
                  executionPath(durableExecutionArn) + "/checkpoint",
                  {{"Content-Type", "application/json"}},
                  body.dump(-1, ' ', false, json::error_handler_t::replace)};
  return call("CheckpointDurableExecution", std::move(req));
}

json DurableApiClient::getState(const std::string& durableExecutionArn, const std::string& checkpointToken,
                                const std::optional<std::string>& marker, std::optional<int> maxItems) {
  std::string url = executionPath(durableExecutionArn) + "/state?CheckpointToken=" + percentEncode(checkpointToken);
  if (marker) url += "&Marker=" + percentEncode(*marker);
  if (maxItems) url += "&MaxItems=" + std::to_string(*maxItems);
  return call("GetDurableExecutionState", {"GET", url});
}

json DurableApiClient::call(const std::string& operation, HttpRequest request) {
  request.timeout = config_.requestTimeout;
  const RetryPolicy& retry = config_.retry;
  for (int attempt = 1;; ++attempt) {
    signRequest(request, config_.credentials, config_.region, "lambda", services_.now());
    std::optional<DurableApiError> failure;
    std::optional<std::chrono::milliseconds> retryAfter;
    try {
      HttpResponse res = http_.send(request);
      if (res.status >= 200 && res.status < 300) {
        json body = json::parse(res.body.empty() ? std::string("{}") : res.body, nullptr, false);
        if (!body.is_object()) {
          throw DurableApiError(DurableApiError::Kind::BadResponse, res.status, "", res.body.substr(0, 512), attempt,
                                "[rewind.lambda.bad_response] " + operation + " answered " +
                                    std::to_string(res.status) + " with a body that is not a JSON object");
        }
        return body;
      }
      ServiceErrorInfo err = parseServiceError(res);
      const std::string detail = operation + " failed with HTTP " + std::to_string(res.status) +
                                 (err.type.empty() ? "" : " " + err.type) + ": " + err.message;
      if (isThrottle(res.status, err.type)) {
        failure.emplace(DurableApiError::Kind::Throttled, res.status, err.type, err.message, attempt,
                        "[rewind.lambda.throttled] " + detail);
        if (auto after = res.header("Retry-After")) {
          try {
            retryAfter = std::chrono::milliseconds(static_cast<long long>(std::stod(*after) * 1000));
          } catch (const std::exception&) {
          }
        }
      } else if (res.status >= 500) {
        failure.emplace(DurableApiError::Kind::ServiceError, res.status, err.type, err.message, attempt,
                        "[rewind.lambda.service_error] " + detail);
      } else if (err.type == "InvalidParameterValueException" &&
                 startsWithIgnoreCase(err.message, "Invalid Checkpoint Token")) {
        throw DurableApiError(DurableApiError::Kind::InvalidCheckpointToken, res.status, err.type, err.message, attempt,
                              "[rewind.lambda.invalid_checkpoint_token] " + detail);
      } else {
        throw DurableApiError(DurableApiError::Kind::RequestRejected, res.status, err.type, err.message, attempt,
                              "[rewind.lambda.request_rejected] " + detail);
      }
    } catch (const HttpTransportError& e) {
      failure.emplace(DurableApiError::Kind::Transport, 0, "", e.what(), attempt,
                      "[rewind.lambda.transport] " + operation + ": " + e.what());
    }
    if (attempt >= retry.maxAttempts) {
      throw DurableApiError(failure->kind(), failure->status(), failure->errorType(), failure->serviceMessage(),
                            attempt,
                            std::string(failure->what()) + " (gave up after " + std::to_string(attempt) + " attempts)");
    }
    // Full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))]; a Retry-After
    // header is honoured up to the cap.
    auto ceiling = std::min<long long>(retry.maxDelay.count(), retry.baseDelay.count() << std::min(attempt - 1, 20));
    auto wait = std::chrono::milliseconds(
        ceiling > 0 ? static_cast<long long>(services_.random() % static_cast<std::uint64_t>(ceiling + 1)) : 0);
    if (retryAfter) wait = std::min(std::max(wait, *retryAfter), retry.maxDelay);
    services_.sleep(wait);
  }
}

}  // namespace rwd::lambda
