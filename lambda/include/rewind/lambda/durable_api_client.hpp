// The Lambda durable execution API over HTTPS: CheckpointDurableExecution and
// GetDurableExecutionState (botocore lambda/2015-03-31: POST and GET on
// /2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint|state), signed with
// SigV4, retried on throttling, 5xx and transport failures with capped exponential backoff
// and full jitter, the same ClientToken on every attempt of one checkpoint. Errors come
// back as DurableApiError with the service's error type (x-amzn-ErrorType).
//
//   rwd::lambda::DurableApiClient api(http, config, services);
//   nlohmann::json out = api.checkpoint(arn, {{"CheckpointToken", token}, {"Updates", updates}});
//   token = out["CheckpointToken"];
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "rewind/lambda/http.hpp"
#include "rewind/lambda/sigv4.hpp"

namespace rwd::lambda {

struct RetryPolicy {
  int maxAttempts = 5;                       // including the first
  std::chrono::milliseconds baseDelay{100};  // the n-th retry waits up to base * 2^(n-1)
  std::chrono::milliseconds maxDelay{5000};  // cap of one wait (also of a Retry-After)
};

struct DurableApiConfig {
  std::string endpoint;  // base URL, e.g. https://lambda.us-east-1.amazonaws.com
  std::string region;
  AwsCredentials credentials;
  RetryPolicy retry{};
  std::chrono::milliseconds requestTimeout{30000};
};

// What the client needs from the world, injected (library code reads no clock and no
// random source itself).
struct DurableApiServices {
  std::function<std::chrono::system_clock::time_point()> now;  // the signing time
  std::function<void(std::chrono::milliseconds)> sleep;        // a backoff wait
  std::function<std::uint64_t()> random;                       // jitter and ClientTokens
};

// A durable API call that failed for good. what() starts with a stable id:
// [rewind.lambda.invalid_checkpoint_token], [rewind.lambda.request_rejected] (any other
// 4xx), [rewind.lambda.throttled], [rewind.lambda.service_error] (5xx),
// [rewind.lambda.transport] or [rewind.lambda.bad_response].
class DurableApiError : public std::runtime_error {
 public:
  enum class Kind { InvalidCheckpointToken, RequestRejected, Throttled, ServiceError, Transport, BadResponse };
  DurableApiError(Kind kind, long status, std::string errorType, std::string serviceMessage, int attempts,
                  const std::string& what);
  Kind kind() const noexcept { return kind_; }
  long status() const noexcept { return status_; }  // 0 without an HTTP response
  const std::string& errorType() const noexcept { return errorType_; }
  const std::string& serviceMessage() const noexcept { return serviceMessage_; }
  int attempts() const noexcept { return attempts_; }
  // The execution cannot go on (a 4xx other than throttling and an invalid checkpoint
  // token): retrying the invocation would fail the same way.
  bool failsExecution() const noexcept { return kind_ == Kind::RequestRejected; }

 private:
  Kind kind_;
  long status_;
  std::string errorType_;
  std::string serviceMessage_;
  int attempts_;
};

// Thread-safety: one call at a time (the HttpClient is shared between attempts).
class DurableApiClient {
 public:
  DurableApiClient(HttpClient& http, DurableApiConfig config, DurableApiServices services);

  // POST .../checkpoint with `body` (the request's JSON without DurableExecutionArn). A
  // body without ClientToken gets a fresh UUID, kept for every retry. Returns the
  // response's JSON (CheckpointToken, NewExecutionState).
  nlohmann::json checkpoint(const std::string& durableExecutionArn, nlohmann::json body);

  // GET .../state?CheckpointToken=..&Marker=..&MaxItems=.. Returns {Operations, NextMarker}.
  nlohmann::json getState(const std::string& durableExecutionArn, const std::string& checkpointToken,
                          const std::optional<std::string>& marker, std::optional<int> maxItems);

  const DurableApiConfig& config() const noexcept { return config_; }

 private:
  nlohmann::json call(const std::string& operation, HttpRequest request);
  std::string executionPath(const std::string& durableExecutionArn) const;
  std::string newClientToken();

  HttpClient& http_;
  DurableApiConfig config_;
  DurableApiServices services_;
};

}  // namespace rwd::lambda
