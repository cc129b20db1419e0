// libcurl behind HttpClient. curl_global_init runs once per process (it is not
// thread-safe, so a function-local static does it); each client owns one easy handle and
// resets its options per request, which keeps the connection cache.
#include "rewind/lambda/curl_http_client.hpp"

#include <curl/curl.h>

#include <string>

namespace rwd::lambda {
namespace {

void globalInit() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw HttpTransportError(std::string("[rewind.lambda.http_transport] curl_global_init failed: ") +
                             curl_easy_strerror(rc));
  }
}

size_t writeBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Collects "Name: value" lines; a new status line (after a 100 Continue or a redirect)
// starts the list over.
size_t writeHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
      }
      return s;
    };
    headers->emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

struct SList {
  curl_slist* list = nullptr;
  ~SList() { curl_slist_free_all(list); }
  void append(const std::string& s) {
    curl_slist* next = curl_slist_append(list, s.c_str());
    if (!next) throw HttpTransportError("[rewind.lambda.http_transport] out of memory building headers");
    list = next;
  }
};

}  // namespace

struct CurlHttpClient::Impl {
  CURL* easy = nullptr;
  std::string caBundle;
};

std::string findCaBundle(const std::function<std::optional<std::string>(const std::string&)>& env,
                         const std::function<bool(const std::string&)>& exists) {
  if (auto file = env("SSL_CERT_FILE"); file && !file->empty()) return *file;
  for (const char* path : {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                           "/etc/ssl/certs/ca-certificates.crt"}) {
    if (exists(path)) return path;
  }
  return {};
}

CurlHttpClient::CurlHttpClient(std::string caBundle) : impl_(std::make_unique<Impl>()) {
  impl_->caBundle = std::move(caBundle);
  globalInit();
  impl_->easy = curl_easy_init();
  if (!impl_->easy) throw HttpTransportError("[rewind.lambda.http_transport] curl_easy_init failed");
}

CurlHttpClient::~CurlHttpClient() { curl_easy_cleanup(impl_->easy); }

HttpResponse CurlHttpClient::send(const HttpRequest& request) {
  CURL* easy = impl_->easy;
  curl_easy_reset(easy);
  HttpResponse response;
  SList headerList;
  bool hasContentType = false;
  for (const auto& [name, value] : request.headers) {
    headerList.append(name + ": " + value);
    if (findHeader({{name, value}}, "Content-Type")) hasContentType = true;
  }
  // curl would add these on its own; the signer did not sign them, and a 100-continue
  // round trip only costs time.
  headerList.append("Expect:");
  if (!hasContentType) headerList.append("Content-Type:");
  headerList.append("Accept:");

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  if (!impl_->caBundle.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, impl_->caBundle.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headerList.list);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &writeBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &writeHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);

  CURLcode rc = curl_easy_perform(easy);
  if (rc != CURLE_OK) {
    std::string detail = errorBuffer[0] ? errorBuffer : curl_easy_strerror(rc);
    throw HttpTransportError("[rewind.lambda.http_transport] " + request.method + " " + request.url + ": " + detail);
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace rwd::lambda
