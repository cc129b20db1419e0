// The in-house MD5 behind positional operation ids (sdk/src/md5.cpp) against OpenSSL on
// inputs of every length around the block boundaries (RFC 1321's vectors: validation_test).
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "md5.hpp"

namespace {

std::string hex(const unsigned char* d, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 0xf];
  }
  return out;
}

std::string ours(const std::string& s) {
  std::array<std::uint8_t, 16> d = rwd::internal::md5(s);
  return hex(d.data(), d.size());
}

std::string openssl(const std::string& s) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(s.data(), s.size(), d.data(), &len, EVP_md5(), nullptr), 1);
  return hex(d.data(), len);
}

TEST(Md5Test, AgreesWithOpenSslAtEveryLengthAroundTheBlockBoundaries) {
  std::mt19937 rng(20261204);
  for (std::size_t n = 0; n <= 300; ++n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    ASSERT_EQ(ours(s), openssl(s)) << "length " << n;
  }
  std::string big(1 << 20, 'x');
  EXPECT_EQ(ours(big), openssl(big));
}

}  // namespace
