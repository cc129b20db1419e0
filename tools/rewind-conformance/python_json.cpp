// json.dumps (ensure_ascii=True, default separators) and float repr, written out by
// hand: nlohmann's dump() uses compact separators and raw UTF-8.
#include "python_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace rwd::conformance {

namespace {

// Decodes one UTF-8 sequence at s[i]; an invalid byte decodes as U+FFFD (Python
// strings cannot hold invalid UTF-8, so there is no faithful alternative).
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int extra = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = byte(i + static_cast<std::size_t>(k));
    if ((cc & 0xc0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

void appendU(std::string& out, unsigned v) { out += fmt::format("\\u{:04x}", v); }

void appendString(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = nextCodePoint(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7e) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      appendU(out, static_cast<unsigned>(cp));
    } else {
      char32_t v = cp - 0x10000;
      appendU(out, static_cast<unsigned>(0xd800 + (v >> 10)));
      appendU(out, static_cast<unsigned>(0xdc00 + (v & 0x3ff)));
    }
  }
  out += '"';
}

void appendValue(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      out += "null";
      break;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case Value::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      break;
    case Value::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      break;
    case Value::value_t::number_float: {
      double d = v.get<double>();
      // json.dumps writes the JavaScript spellings of the non-finite floats.
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += pythonFloatRepr(d);
      }
      break;
    }
    case Value::value_t::string:
      appendString(out, v.get_ref<const std::string&>());
      break;
    case Value::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        appendValue(out, item);
      }
      out += ']';
      break;
    }
    case Value::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        appendString(out, key);
        out += ": ";
        appendValue(out, item);
      }
      out += '}';
      break;
    }
    case Value::value_t::binary:
    case Value::value_t::discarded:
      out += "null";
      break;
  }
}

}  // namespace

std::string pythonFloatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout rules (float_repr_style 'short').
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int decpt = exponent + 1;  // position of the decimal point relative to the digits
  std::string out = negative ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt) - digits.size(), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(decpt));
      out += '.';
      out += digits.substr(static_cast<std::size_t>(decpt));
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out += digits.substr(1);
  }
  out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out;
}

std::string pythonJsonDumps(const Value& value) {
  std::string out;
  appendValue(out, value);
  return out;
}

std::string pythonText(const Value& value) {
  switch (value.type()) {
    case Value::value_t::string:
      return value.get<std::string>();
    case Value::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Value::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case Value::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case Value::value_t::number_float:
      return pythonFloatRepr(value.get<double>());
    default:
      return pythonJsonDumps(value);
  }
}

}  // namespace rwd::conformance
