// Percent-encoding as the AWS SDKs do it (RFC 3986 unreserved characters kept), and the
// split of an absolute URL into the parts SigV4 signs.
//
//   std::string path = "/2025-12-01/durable-executions/" + rwd::lambda::percentEncode(arn) + "/state";
#pragma once

#include <string>
#include <string_view>

namespace rwd::lambda {

// Encodes every byte except A-Z a-z 0-9 - _ . ~ (and `/` when keepSlash), as %XX with
// upper-case hex: a URI path parameter (keepSlash false) or a query key/value.
std::string percentEncode(std::string_view text, bool keepSlash = false);

struct UrlParts {
  std::string scheme;  // "http" / "https"
  std::string host;    // host[:port], the port only when it is not the scheme's default
  std::string path;    // "/" when the URL has none; still percent-encoded
  std::string query;   // without '?'; still percent-encoded
};

// Splits `scheme://host[:port][/path][?query]`; throws std::invalid_argument
// ([rewind.lambda.bad_url]) on anything else.
UrlParts splitUrl(std::string_view url);

}  // namespace rwd::lambda
