// The HttpClient over libcurl: one easy handle per client, so a connection to the same
// host is reused across calls (the Runtime API and the durable API are called in a loop).
#pragma once

#include <memory>

#include "rewind/lambda/http.hpp"

namespace rwd::lambda {

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  HttpResponse send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwd::lambda
