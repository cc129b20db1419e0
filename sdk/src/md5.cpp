// MD5 as specified by RFC 1321 (section 3), one 64-byte block at a time.
#include "md5.hpp"

#include <cstring>

namespace rwd::internal {

namespace {

constexpr std::uint32_t kK[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

inline std::uint32_t rotl(std::uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

// The four rounds written out (one loop of four steps per round, constant shifts and
// functions), so that the compiler keeps a, b, c, d in registers without branching per step.
void block(std::uint32_t h[4], const unsigned char* p) {
  std::uint32_t m[16];
  for (int i = 0; i < 16; ++i)
    m[i] = static_cast<std::uint32_t>(p[4 * i]) | static_cast<std::uint32_t>(p[4 * i + 1]) << 8 |
           static_cast<std::uint32_t>(p[4 * i + 2]) << 16 | static_cast<std::uint32_t>(p[4 * i + 3]) << 24;
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  auto F = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (~x & z); };
  auto G = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (z & x) | (~z & y); };
  auto H = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; };
  auto I = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return y ^ (x | ~z); };
  for (int i = 0; i < 16; i += 4) {
    a = b + rotl(a + F(b, c, d) + m[i] + kK[i], 7);
    d = a + rotl(d + F(a, b, c) + m[i + 1] + kK[i + 1], 12);
    c = d + rotl(c + F(d, a, b) + m[i + 2] + kK[i + 2], 17);
    b = c + rotl(b + F(c, d, a) + m[i + 3] + kK[i + 3], 22);
  }
  for (int i = 16; i < 32; i += 4) {
    a = b + rotl(a + G(b, c, d) + m[(5 * i + 1) % 16] + kK[i], 5);
    d = a + rotl(d + G(a, b, c) + m[(5 * i + 6) % 16] + kK[i + 1], 9);
    c = d + rotl(c + G(d, a, b) + m[(5 * i + 11) % 16] + kK[i + 2], 14);
    b = c + rotl(b + G(c, d, a) + m[(5 * i + 16) % 16] + kK[i + 3], 20);
  }
  for (int i = 32; i < 48; i += 4) {
    a = b + rotl(a + H(b, c, d) + m[(3 * i + 5) % 16] + kK[i], 4);
    d = a + rotl(d + H(a, b, c) + m[(3 * i + 8) % 16] + kK[i + 1], 11);
    c = d + rotl(c + H(d, a, b) + m[(3 * i + 11) % 16] + kK[i + 2], 16);
    b = c + rotl(b + H(c, d, a) + m[(3 * i + 14) % 16] + kK[i + 3], 23);
  }
  for (int i = 48; i < 64; i += 4) {
    a = b + rotl(a + I(b, c, d) + m[(7 * i) % 16] + kK[i], 6);
    d = a + rotl(d + I(a, b, c) + m[(7 * i + 7) % 16] + kK[i + 1], 10);
    c = d + rotl(c + I(d, a, b) + m[(7 * i + 14) % 16] + kK[i + 2], 15);
    b = c + rotl(b + I(c, d, a) + m[(7 * i + 21) % 16] + kK[i + 3], 21);
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
}

}  // namespace

std::array<std::uint8_t, 16> md5(std::string_view data) noexcept {
  std::uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  while (n >= 64) {
    block(h, p);
    p += 64;
    n -= 64;
  }
  // Padding: 0x80, zeros, then the bit length (little-endian) in the last 8 bytes.
  unsigned char tail[128] = {};
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  std::size_t len = n + 1 + 8 <= 64 ? 64 : 128;
  std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[len - 8 + static_cast<std::size_t>(i)] = static_cast<unsigned char>(bits >> (8 * i));
  block(h, tail);
  if (len == 128) block(h, tail + 64);
  std::array<std::uint8_t, 16> out{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[static_cast<std::size_t>(4 * i + j)] = static_cast<std::uint8_t>(h[i] >> (8 * j));
  return out;
}

}  // namespace rwd::internal
