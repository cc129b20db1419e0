// The HttpClient over libcurl: one easy handle per client, so a connection to the same
// host is reused across calls (the Runtime API and the durable API are called in a loop).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rewind/lambda/http.hpp"

namespace rwd::lambda {

class CurlHttpClient final : public HttpClient {
 public:
  // `caBundle`: the PEM file of trusted CAs for https; empty keeps libcurl's built-in
  // default (which is the build machine's path: see findCaBundle).
  explicit CurlHttpClient(std::string caBundle = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  HttpResponse send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The CA bundle to trust: SSL_CERT_FILE when set, else the first existing of Amazon
// Linux's (/etc/pki/tls/certs/ca-bundle.crt, /etc/pki/ca-trust/extracted/pem/
// tls-ca-bundle.pem) and Debian's (/etc/ssl/certs/ca-certificates.crt) paths, else "".
// A libcurl bundled from a Debian build would otherwise look for Debian's path on
// provided.al2023 and fail every https call.
std::string findCaBundle(const std::function<std::optional<std::string>(const std::string&)>& env,
                         const std::function<bool(const std::string&)>& exists);

}  // namespace rwd::lambda
