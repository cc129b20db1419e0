// AWS Signature Version 4 for an HttpRequest, as botocore's SigV4Auth computes it
// (tests compare with botocore on a table of requests).
//
//   rwd::lambda::signRequest(request, credentials, "us-east-1", "lambda", clock.now());
//   // request now carries Host, X-Amz-Date, X-Amz-Security-Token (when a session token
//   // is set) and Authorization.
#pragma once

#include <chrono>
#include <string>

#include "rewind/lambda/http.hpp"

namespace rwd::lambda {

struct AwsCredentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string sessionToken;  // empty for long-term keys
};

// The intermediate strings, for diagnostics and tests.
struct SigningResult {
  std::string canonicalRequest;
  std::string stringToSign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header's value
};

// Signs `request` in place at time `now`: sets Host (from the URL), X-Amz-Date,
// X-Amz-Security-Token and Authorization, replacing earlier values (a retried request is
// signed again). Every header already on the request is signed except those botocore
// leaves out (User-Agent, Expect, X-Amzn-Trace-Id, hop-by-hop headers). The body is
// hashed with SHA-256. Throws std::invalid_argument ([rewind.lambda.bad_url]) for a URL
// splitUrl rejects.
SigningResult signRequest(HttpRequest& request, const AwsCredentials& credentials, const std::string& region,
                          const std::string& service, std::chrono::system_clock::time_point now);

// Lower-case hex SHA-256 of `data` (EVP).
std::string sha256Hex(std::string_view data);

}  // namespace rwd::lambda
