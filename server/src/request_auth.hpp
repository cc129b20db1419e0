// RequestAuthenticator: rewind-server's optional SigV4 check of API requests against the
// configured access keys, answered as the Lambda service answers (403 with
// x-amzn-ErrorType UnrecognizedClientException, InvalidSignatureException, ...).
//
// The signature is recomputed with the client's own signer (rwd::lambda::signRequest) over
// the request as received: the headers its SignedHeaders names, the raw path and query,
// the body's SHA-256 and the credential scope's region and service (which must be this
// server's region and "lambda"). X-Amz-Date must lie within 15 minutes of `now`.
// Session tokens are signed over but not checked (there is no STS here).
//
//   RequestAuthenticator auth({{"AKID", "secret", ""}}, "us-east-1");
//   auth.verify({"POST", "/2015-03-31/functions/f/invocations", headers, body}, system_clock::now());
//   // throws ServiceError when the request is not signed by a known key
//
// Thread-safety: verify() is const and may run on many threads.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "rewind/lambda/sigv4.hpp"

namespace rwd::server::internal {

struct ReceivedRequest {
  std::string method;
  std::string target;  // the request line's path and query, still percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class RequestAuthenticator {
 public:
  RequestAuthenticator(std::vector<rwd::lambda::AwsCredentials> keys, std::string region);

  // Returns the access key id that signed `request`; throws ServiceError (403, or 400
  // IncompleteSignatureException for a malformed Authorization header) otherwise.
  std::string verify(const ReceivedRequest& request, std::chrono::system_clock::time_point now) const;

 private:
  std::vector<rwd::lambda::AwsCredentials> keys_;
  std::string region_;
};

}  // namespace rwd::server::internal
