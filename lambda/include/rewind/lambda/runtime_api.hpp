// The Lambda Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html)
// as a custom runtime on provided.al2023 uses it: fetch the next invocation, post its
// response or error, or report an initialization error.
//
//   rwd::lambda::RuntimeApiClient api(http, env.runtimeApi);
//   for (;;) {
//     rwd::lambda::RuntimeInvocation inv = api.next();
//     api.postResponse(inv.requestId, handle(inv.payload));
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rewind/lambda/http.hpp"

namespace rwd::lambda {

// One event from GET /2018-06-01/runtime/invocation/next.
struct RuntimeInvocation {
  std::string requestId;           // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadlineMs = 0;     // Lambda-Runtime-Deadline-Ms (epoch milliseconds)
  std::string invokedFunctionArn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string traceId;             // Lambda-Runtime-Trace-Id (also exported as _X_AMZN_TRACE_ID)
  std::string clientContext;       // Lambda-Runtime-Client-Context
  std::string cognitoIdentity;     // Lambda-Runtime-Cognito-Identity
  std::string payload;             // the event, as sent
  HttpHeaders headers{};           // every response header, for anything not named above
};

// Lambda's function error document: {"errorMessage", "errorType", "stackTrace"}; errorType
// also goes into the Lambda-Runtime-Function-Error-Type header.
struct RuntimeError {
  std::string errorType;
  std::string errorMessage;
  std::vector<std::string> stackTrace{};
  std::string toJson() const;
};

// The Runtime API answered with an unexpected status (e.g. 413 for a response over 6 MB,
// or 500: the runtime must exit). what() starts with [rewind.lambda.runtime_api].
class RuntimeApiError : public std::runtime_error {
 public:
  RuntimeApiError(const std::string& message, long status) : std::runtime_error(message), status_(status) {}
  long status() const noexcept { return status_; }

 private:
  long status_;
};

// Thread-safety: one thread at a time (as the Runtime API expects: one invocation at a time).
class RuntimeApiClient {
 public:
  // `address` is AWS_LAMBDA_RUNTIME_API ("host:port").
  RuntimeApiClient(HttpClient& http, std::string address);

  // Blocks until the next invocation arrives (a long poll without timeout).
  RuntimeInvocation next();
  void postResponse(const std::string& requestId, const std::string& body);
  void postError(const std::string& requestId, const RuntimeError& error);
  void postInitError(const RuntimeError& error);

 private:
  void post(const std::string& path, const std::string& body, const std::string* errorType);

  HttpClient& http_;
  std::string base_;
};

}  // namespace rwd::lambda
