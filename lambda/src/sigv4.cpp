// SigV4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// with OpenSSL 3's EVP digest and EVP_MAC HMAC (the HMAC_* and SHA256() calls are
// deprecated in 3.0). Canonical URI: the already-encoded path, dot segments and empty
// segments removed, then encoded once more — what botocore does for every service but S3.
#include "rewind/lambda/sigv4.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "rewind/lambda/url.hpp"

namespace rwd::lambda {
namespace {

using Digest = std::array<unsigned char, 32>;

std::string toHex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xF]);
  }
  return out;
}

Digest hmacSha256(std::string_view key, std::string_view data) {
  Digest out{};
  std::size_t outLen = 0;
  char digestName[] = "SHA256";
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, digestName, nullptr, key.data(), key.size(),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), out.size(), &outLen) ||
      outLen != out.size()) {
    throw std::runtime_error("[rewind.lambda.crypto] HMAC-SHA256 failed in OpenSSL");
  }
  return out;
}

std::string_view asView(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses inner runs of whitespace to one space (SigV4's Trimall).
std::string trimAll(std::string_view v) {
  std::string out;
  bool pendingSpace = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pendingSpace = !out.empty();
    } else {
      if (pendingSpace) out.push_back(' ');
      pendingSpace = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string canonicalUri(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string normalized = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) normalized += '/';
    normalized += segments[i];
  }
  if (path.size() > 1 && path.back() == '/' && !segments.empty()) normalized += '/';
  return percentEncode(normalized, /*keepSlash=*/true);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Pairs re-encoded in the canonical way, sorted by key then value.
std::string canonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    auto next = query.find('&', pos);
    if (next == std::string_view::npos) next = query.size();
    std::string_view pair = query.substr(pos, next - pos);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      pairs.emplace_back(percentEncode(percentDecode(key)), percentEncode(percentDecode(value)));
    }
    pos = next + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

bool excludedFromSigning(std::string_view lowerName) {
  static constexpr std::array<std::string_view, 12> kExcluded = {
      "authorization", "connection",        "expect",  "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
      "trailer",       "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
  return std::find(kExcluded.begin(), kExcluded.end(), lowerName) != kExcluded.end();
}

std::string formatAmzDate(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr)) {
    throw std::runtime_error("[rewind.lambda.crypto] SHA-256 failed in OpenSSL");
  }
  return toHex(out, len);
}

SigningResult signRequest(HttpRequest& request, const AwsCredentials& credentials, const std::string& region,
                          const std::string& service, std::chrono::system_clock::time_point now) {
  UrlParts url = splitUrl(request.url);
  const std::string amzDate = formatAmzDate(now);
  const std::string date = amzDate.substr(0, 8);

  std::erase_if(request.headers, [](const auto& h) { return lower(h.first) == "authorization"; });
  setHeader(request.headers, "Host", url.host);
  setHeader(request.headers, "X-Amz-Date", amzDate);
  if (!credentials.sessionToken.empty()) {
    setHeader(request.headers, "X-Amz-Security-Token", credentials.sessionToken);
  } else {
    std::erase_if(request.headers, [](const auto& h) { return lower(h.first) == "x-amz-security-token"; });
  }

  // Headers by lower-case name; repeated names join their values with ','.
  std::vector<std::pair<std::string, std::string>> signedHeaders;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(trimAll(name));
    if (excludedFromSigning(key)) continue;
    auto it = std::find_if(signedHeaders.begin(), signedHeaders.end(), [&](const auto& h) { return h.first == key; });
    if (it == signedHeaders.end()) {
      signedHeaders.emplace_back(key, trimAll(value));
    } else {
      it->second += "," + trimAll(value);
    }
  }
  std::sort(signedHeaders.begin(), signedHeaders.end());
  std::string canonicalHeaders;
  std::string signedNames;
  for (const auto& [name, value] : signedHeaders) {
    canonicalHeaders += name + ":" + value + "\n";
    if (!signedNames.empty()) signedNames += ';';
    signedNames += name;
  }

  SigningResult result;
  std::string method = request.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  result.canonicalRequest = method + "\n" + canonicalUri(url.path) + "\n" + canonicalQuery(url.query) + "\n" +
                            canonicalHeaders + "\n" + signedNames + "\n" + sha256Hex(request.body);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  result.stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(result.canonicalRequest);

  Digest key = hmacSha256("AWS4" + credentials.secretAccessKey, date);
  key = hmacSha256(asView(key), region);
  key = hmacSha256(asView(key), service);
  key = hmacSha256(asView(key), "aws4_request");
  Digest signature = hmacSha256(asView(key), result.stringToSign);
  result.signature = toHex(signature.data(), signature.size());
  result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" + scope +
                         ", SignedHeaders=" + signedNames + ", Signature=" + result.signature;
  request.headers.emplace_back("Authorization", result.authorization);
  return result;
}

}  // namespace rwd::lambda
