// What the Lambda execution environment tells the transport through its environment
// variables: credentials, region, the durable API's endpoint and the Runtime API address.
// Read once at start-up through an injectable lookup, so tests never touch the process
// environment.
//
//   auto env = rwd::lambda::AwsEnvironment::fromLookup(rwd::lambda::processEnvironment());
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rewind/lambda/sigv4.hpp"

namespace rwd::lambda {

// Returns the variable's value, or nullopt when it is unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (getenv).
EnvironmentLookup processEnvironment();

struct AwsEnvironment {
  AwsCredentials credentials;
  std::string region;
  // The durable API's base URL without a trailing '/': AWS_ENDPOINT_URL_LAMBDA, else
  // AWS_ENDPOINT_URL, else https://lambda.<region>.amazonaws.com (the AWS SDKs' order).
  std::string lambdaEndpoint;
  std::string runtimeApi;  // AWS_LAMBDA_RUNTIME_API: host:port
  std::string handler;     // _HANDLER

  // Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (else
  // AWS_DEFAULT_REGION), the endpoint variables, AWS_LAMBDA_RUNTIME_API and _HANDLER.
  // Nothing is required here; what a caller needs is checked where it is used.
  static AwsEnvironment fromLookup(const EnvironmentLookup& lookup);
};

}  // namespace rwd::lambda
