// SigV4 verification: parse the Authorization header, find the key, check the date, then
// sign the received request again with rwd::lambda::signRequest and compare signatures.
// Messages are the Lambda service's own (with a [rewind.server.auth_*] id in front).
#include "request_auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "rewind/lambda/http.hpp"
#include "service_error.hpp"

namespace rwd::server::internal {

namespace {

constexpr auto kSkew = std::chrono::minutes(15);

ServiceError incomplete(const std::string& message) {
  return ServiceError(400, "IncompleteSignatureException", "[rewind.server.auth_incomplete] " + message);
}

ServiceError invalidSignature(const std::string& id, const std::string& message) {
  return ServiceError(403, "InvalidSignatureException", fmt::format("[rewind.server.{}] {}", id, message));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Authorization {
  std::string accessKeyId, date, region, service, terminator;
  std::vector<std::string> signedHeaders;
  std::string signature;
};

// "AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex"
Authorization parseAuthorization(std::string_view value) {
  value = trim(value);
  auto space = value.find(' ');
  std::string_view algorithm = value.substr(0, space);
  if (algorithm != "AWS4-HMAC-SHA256") throw incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'", algorithm));
  std::optional<std::string> credential, signedHeaders, signature;
  std::string_view rest = space == std::string_view::npos ? std::string_view{} : value.substr(space + 1);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view part = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq), v = part.substr(eq + 1);
    if (key == "Credential") credential = std::string(v);
    if (key == "SignedHeaders") signedHeaders = std::string(v);
    if (key == "Signature") signature = std::string(v);
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signedHeaders) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) throw incomplete(missing + fmt::format("Authorization={}", value));
  Authorization a;
  std::vector<std::string> scope;
  std::size_t from = 0;
  while (true) {
    auto slash = credential->find('/', from);
    scope.push_back(credential->substr(from, slash == std::string::npos ? std::string::npos : slash - from));
    if (slash == std::string::npos) break;
    from = slash + 1;
  }
  if (scope.size() != 5 || scope[0].empty())
    throw incomplete(
        fmt::format("Credential should be scoped to a valid region, service and date, as in "
                    "AKID/YYYYMMDD/REGION/SERVICE/aws4_request, got '{}'",
                    *credential));
  a.accessKeyId = scope[0];
  a.date = scope[1];
  a.region = scope[2];
  a.service = scope[3];
  a.terminator = scope[4];
  from = 0;
  while (from <= signedHeaders->size()) {
    auto semi = signedHeaders->find(';', from);
    std::string name = signedHeaders->substr(from, semi == std::string::npos ? std::string::npos : semi - from);
    if (!name.empty()) a.signedHeaders.push_back(lower(name));
    if (semi == std::string::npos) break;
    from = semi + 1;
  }
  a.signature = lower(*signature);
  return a;
}

// YYYYMMDDTHHMMSSZ as a time point, or nullopt.
std::optional<std::chrono::system_clock::time_point> parseAmzDate(const std::string& s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  std::tm tm{};
  auto num = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int fields[] = {num(0, 4), num(4, 2), num(6, 2), num(9, 2), num(11, 2), num(13, 2)};
  if (std::any_of(std::begin(fields), std::end(fields), [](int v) { return v < 0; })) return std::nullopt;
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string formatAmzDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

RequestAuthenticator::RequestAuthenticator(std::vector<rwd::lambda::AwsCredentials> keys, std::string region)
    : keys_(std::move(keys)), region_(std::move(region)) {}

std::string RequestAuthenticator::verify(const ReceivedRequest& request,
                                         std::chrono::system_clock::time_point now) const {
  auto header = [&](std::string_view name) { return rwd::lambda::findHeader(request.headers, name); };
  std::optional<std::string> value = header("Authorization");
  if (!value)
    throw ServiceError(403, "MissingAuthenticationTokenException",
                       "[rewind.server.auth_missing] Missing Authentication Token");
  Authorization a = parseAuthorization(*value);

  auto key = std::find_if(keys_.begin(), keys_.end(), [&](const auto& k) { return k.accessKeyId == a.accessKeyId; });
  if (key == keys_.end())
    throw ServiceError(403, "UnrecognizedClientException",
                       "[rewind.server.auth_unknown_key] The security token included in the request is invalid.");

  std::optional<std::string> amzDate = header("X-Amz-Date");
  if (!amzDate)
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  auto signedAt = parseAmzDate(*amzDate);
  if (!signedAt) throw incomplete(fmt::format("Date must be in ISO-8601 'basic format'. Got '{}'.", *amzDate));
  if (*signedAt < now - kSkew)
    throw invalidSignature("auth_expired", fmt::format("Signature expired: {} is now earlier than {} ({} - 15 min.)",
                                                       *amzDate, formatAmzDate(now - kSkew), formatAmzDate(now)));
  if (*signedAt > now + kSkew)
    throw invalidSignature("auth_not_yet_current",
                           fmt::format("Signature not yet current: {} is still later than {} ({} + 15 min.)", *amzDate,
                                       formatAmzDate(now + kSkew), formatAmzDate(now)));
  if (a.date != amzDate->substr(0, 8))
    throw invalidSignature("auth_scope_date",
                           fmt::format("Date in Credential scope does not match YYYYMMDD from "
                                       "ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
                                       a.date, amzDate->substr(0, 8), *amzDate));
  if (a.region != region_)
    throw invalidSignature("auth_scope_region",
                           fmt::format("Credential should be scoped to a valid region, not '{}'. ", a.region));
  if (a.service != "lambda")
    throw invalidSignature("auth_scope_service", "Credential should be scoped to correct service: 'lambda'. ");
  if (a.terminator != "aws4_request")
    throw invalidSignature(
        "auth_scope_terminator",
        fmt::format("Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ", a.terminator));
  std::set<std::string> names(a.signedHeaders.begin(), a.signedHeaders.end());
  if (!names.count("host"))
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  // The request as the client signed it: the headers it named, its raw target, its body.
  rwd::lambda::HttpRequest again;
  again.method = request.method;
  again.url = "http://" + header("Host").value_or("") + request.target;
  for (const auto& [name, v] : request.headers)
    if (names.count(lower(name))) again.headers.emplace_back(name, v);
  again.body = request.body;
  rwd::lambda::AwsCredentials credentials = *key;
  credentials.sessionToken = names.count("x-amz-security-token") ? header("X-Amz-Security-Token").value_or("") : "";
  rwd::lambda::SigningResult expected;
  try {
    expected = rwd::lambda::signRequest(again, credentials, a.region, a.service, *signedAt);
  } catch (const std::invalid_argument&) {
    expected.signature.clear();
  }
  if (expected.signature.size() != a.signature.size() ||
      CRYPTO_memcmp(expected.signature.data(), a.signature.data(), a.signature.size()) != 0)
    throw invalidSignature("auth_bad_signature",
                           "The request signature we calculated does not match the signature you provided. Check your "
                           "AWS Secret Access Key and signing method. Consult the service documentation for details.");
  return a.accessKeyId;
}

}  // namespace rwd::server::internal
