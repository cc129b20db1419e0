// UTF-8 validation and repair for text written as JSON (rewind/json_text.hpp).
#include "rewind/json_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

namespace rwd {
namespace {

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 when it is not one
// (Unicode Table 3-7: the well-formed byte sequences).
std::size_t sequenceLength(std::string_view s) noexcept {
  auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  std::uint8_t c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](std::size_t i, std::uint8_t lo = 0x80, std::uint8_t hi = 0xBF) {
    return i < s.size() && b(i) >= lo && b(i) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// Bytes of the maximal ill-formed subpart at the start of `s` (called where no well-formed
// sequence starts): the lead byte and the continuation bytes that could still have
// completed it, so "\xE2\x82" followed by ASCII is one U+FFFD, not two.
std::size_t illFormedLength(std::string_view s) noexcept {
  auto c = static_cast<std::uint8_t>(s[0]);
  std::size_t need = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // the range of the first continuation byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2, lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2, hi = 0x9F;
  } else if (c == 0xF0) {
    need = 3, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3, hi = 0x8F;
  } else {
    return 1;
  }
  std::size_t i = 1;
  for (std::size_t k = 0; k < need && i < s.size(); ++k, ++i) {
    auto b = static_cast<std::uint8_t>(s[i]);
    if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) break;
  }
  return i;
}

}  // namespace

bool isValidUtf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    // ASCII eight bytes at a time (names and ids mostly are).
    if (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    std::uint8_t c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = sequenceLength(text.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string toValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequenceLength(text.substr(i));
    if (n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += illFormedLength(text.substr(i));
    }
  }
  return out;
}

void makeValidUtf8(nlohmann::json& j) {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    if (!isValidUtf8(s)) s = toValidUtf8(s);
  } else if (j.is_array()) {
    for (auto& e : j) makeValidUtf8(e);
  } else if (j.is_object()) {
    bool badKey = false;
    for (auto it = j.begin(); it != j.end(); ++it) {
      makeValidUtf8(it.value());
      badKey = badKey || !isValidUtf8(it.key());
    }
    if (badKey) {
      nlohmann::json fixed = nlohmann::json::object();
      for (auto it = j.begin(); it != j.end(); ++it) fixed[toValidUtf8(it.key())] = std::move(it.value());
      j = std::move(fixed);
    }
  }
}

std::string dumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parseJson(std::string_view text) { return nlohmann::json::parse(text); }

std::optional<std::int64_t> wholeNumberIn(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) noexcept {
  if (v.is_number_unsigned()) {
    std::uint64_t u = v.get<std::uint64_t>();
    if (hi < 0 || u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    std::int64_t x = static_cast<std::int64_t>(u);
    return x < lo ? std::nullopt : std::optional(x);
  }
  if (v.is_number_integer()) {
    std::int64_t x = v.get<std::int64_t>();
    return x < lo || x > hi ? std::nullopt : std::optional(x);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    // Compared as doubles before any conversion; 2^63 itself is out of int64_t's range.
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d >= 9223372036854775808.0 ||
        std::trunc(d) != d)
      return std::nullopt;
    std::int64_t x = static_cast<std::int64_t>(d);
    return x < lo || x > hi ? std::nullopt : std::optional(x);
  }
  return std::nullopt;
}

}  // namespace rwd
