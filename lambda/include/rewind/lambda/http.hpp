// HTTP requests and responses as plain values, and the HttpClient interface the Lambda
// transport sends them through (libcurl in production, fakes in tests).
//
//   rwd::lambda::HttpRequest req{"GET", "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next"};
//   rwd::lambda::HttpResponse res = client.send(req);
//   if (res.status == 200) use(res.body, res.header("Lambda-Runtime-Aws-Request-Id"));
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwd::lambda {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The value of header `name` (case-insensitive), or nullopt.
std::optional<std::string> findHeader(const HttpHeaders& headers, std::string_view name);
// Replaces every header called `name` (case-insensitive) by one with `value`.
void setHeader(HttpHeaders& headers, std::string_view name, std::string value);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, already percent-encoded: scheme://host[:port]/path[?query]
  HttpHeaders headers{};
  std::string body{};
  // Whole-request limit; zero means none (the Runtime API's /next is a long poll).
  std::chrono::milliseconds timeout{0};
  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers{};
  std::string body{};
  std::optional<std::string> header(std::string_view name) const { return findHeader(headers, name); }
};

// The request never got an HTTP answer (connection refused, reset, timed out, bad URL).
// what() starts with [rewind.lambda.http_transport].
class HttpTransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Sends one request and returns the response, whatever its status. Throws
// HttpTransportError when there is no response. Thread-safety: one thread at a time per
// client (implementations may keep a connection open between calls).
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

}  // namespace rwd::lambda
