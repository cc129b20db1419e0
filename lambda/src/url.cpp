// Percent-encoding and URL splitting for SigV4 and the durable API's paths.
#include "rewind/lambda/url.hpp"

#include <cctype>
#include <stdexcept>

namespace rwd::lambda {

std::string percentEncode(std::string_view text, bool keepSlash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~' || (keepSlash && c == '/');
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

UrlParts splitUrl(std::string_view url) {
  auto fail = [&]() -> UrlParts {
    throw std::invalid_argument("[rewind.lambda.bad_url] not an absolute http(s) URL: '" + std::string(url) + "'");
  };
  UrlParts parts;
  auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) return fail();
  parts.scheme = std::string(url.substr(0, schemeEnd));
  for (char& c : parts.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (parts.scheme != "http" && parts.scheme != "https") return fail();
  std::string_view rest = url.substr(schemeEnd + 3);
  auto hostEnd = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, hostEnd);
  if (host.empty()) return fail();
  std::string_view defaultPort = parts.scheme == "https" ? ":443" : ":80";
  if (host.ends_with(defaultPort)) host.remove_suffix(defaultPort.size());
  parts.host = std::string(host);
  for (char& c : parts.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  rest = hostEnd == std::string_view::npos ? std::string_view{} : rest.substr(hostEnd);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto q = rest.find('?');
  parts.path = std::string(rest.substr(0, q));
  if (parts.path.empty()) parts.path = "/";
  if (q != std::string_view::npos) parts.query = std::string(rest.substr(q + 1));
  return parts;
}

}  // namespace rwd::lambda
