// Random ids through RAND_bytes.
#include "random_ids.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace rwd::server::internal {

namespace {

std::vector<unsigned char> randomBytes(std::size_t n) {
  std::vector<unsigned char> b(n);
  if (RAND_bytes(b.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("[rewind.server.random] OpenSSL RAND_bytes failed");
  return b;
}

std::string hex(const std::vector<unsigned char>& b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (unsigned char c : b) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

std::string randomHex(std::size_t bytes) { return hex(randomBytes(bytes)); }

std::string randomUuid() {
  std::vector<unsigned char> b = randomBytes(16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string h = hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace rwd::server::internal
