// DurableExecutionClient: the Lambda API's calls that manage durable executions from
// outside — Invoke with DurableExecutionName, GetDurableExecution,
// ListDurableExecutionsByFunction, GetDurableExecutionHistory, StopDurableExecution and
// SendDurableExecutionCallbackSuccess/Failure/Heartbeat — signed with SigV4, against AWS
// or rewind-server (any endpoint). Answers are the service model's JSON.
//
//   rwd::lambda::CurlHttpClient http;
//   rwd::lambda::DurableExecutionClient client(http, {"http://127.0.0.1:9000", "us-east-1", creds});
//   auto started = client.start("hello", "first", R"({"userId":"u1"})", rwd::lambda::InvocationType::Event);
//   nlohmann::json events = client.history(started.durableExecutionArn);  // every page
//
// Thread-safety: one call at a time (the HttpClient is shared).
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rewind/lambda/http.hpp"
#include "rewind/lambda/sigv4.hpp"

namespace rwd::lambda {

// A call the service answered with an error: status, x-amzn-ErrorType and message.
// what() starts with [rewind.client.<ErrorType>] (or [rewind.client.transport]).
class ExecutionClientError : public std::runtime_error {
 public:
  ExecutionClientError(long status, std::string errorType, const std::string& message);
  long status() const noexcept { return status_; }
  const std::string& errorType() const noexcept { return errorType_; }

 private:
  long status_;
  std::string errorType_;
};

enum class InvocationType { RequestResponse, Event };

struct ExecutionClientConfig {
  std::string endpoint;  // base URL without a trailing '/'
  std::string region = "us-east-1";
  AwsCredentials credentials;
  std::chrono::milliseconds requestTimeout{0};                 // 0: none (a synchronous Invoke may take long)
  std::function<std::chrono::system_clock::time_point()> now;  // the signing time
};

struct StartedExecution {
  std::string durableExecutionArn;
  long statusCode = 0;        // 200 (RequestResponse) or 202 (Event)
  std::string payload;        // RequestResponse: the result, or the error object
  std::string functionError;  // X-Amz-Function-Error ("Unhandled" when the execution failed)
};

struct ListFilter {
  std::optional<std::string> name;
  std::vector<std::string> statuses;  // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, STOPPED
  bool reverseOrder = false;
  int maxItems = 0;  // per page; 0: the service's default
};

class DurableExecutionClient {
 public:
  DurableExecutionClient(HttpClient& http, ExecutionClientConfig config);

  StartedExecution start(const std::string& function, const std::optional<std::string>& name,
                         const std::string& payload, InvocationType type = InvocationType::RequestResponse);
  nlohmann::json describe(const std::string& durableExecutionArn);
  // Every matching execution (all pages), as DurableExecutions items.
  nlohmann::json list(const std::string& function, const ListFilter& filter = {});
  // Every event (all pages), oldest first.
  nlohmann::json history(const std::string& durableExecutionArn, bool includeExecutionData = true);
  nlohmann::json stop(const std::string& durableExecutionArn, const std::optional<nlohmann::json>& error = {});
  // rewind-server's extension (POST .../durable-executions/ARN/redrive): a FAILED,
  // TIMED_OUT or STOPPED execution runs again from its point of failure. Returns
  // {"RedriveTimestamp": seconds}.
  nlohmann::json redrive(const std::string& durableExecutionArn);
  void sendCallbackSuccess(const std::string& callbackId, const std::string& result);
  void sendCallbackFailure(const std::string& callbackId, const nlohmann::json& error);
  void sendCallbackHeartbeat(const std::string& callbackId);

 private:
  HttpResponse call(HttpRequest request);

  HttpClient& http_;
  ExecutionClientConfig config_;
};

}  // namespace rwd::lambda
