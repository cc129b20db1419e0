// yaml-cpp node tree -> Value with PyYAML's typing (YAML 1.1 implicit resolvers and
// constructors of yaml.SafeLoader), including merge keys.
#include "yaml_value.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "py_regex.hpp"

namespace rwd::conformance {

namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

const PyRegex& boolPattern() {
  static const PyRegex re("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  return re;
}
const PyRegex& nullPattern() {
  static const PyRegex re("^(?:~|null|Null|NULL|)$");
  return re;
}
const PyRegex& intPattern() {
  static const PyRegex re(
      "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$");
  return re;
}
const PyRegex& floatPattern() {
  static const PyRegex re(
      "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  return re;
}

std::string withoutUnderscores(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

bool isTrue(std::string_view s) {
  return s == "yes" || s == "Yes" || s == "YES" || s == "true" || s == "True" || s == "TRUE" || s == "on" ||
         s == "On" || s == "ON";
}

// Python's int(text, base) for the digits left after the sign and prefix; falls back to
// a double beyond 64 bits (Python's ints are unbounded, JSON numbers are not).
Value integer(bool negative, std::string_view digits, int base) {
  std::uint64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
    if (__builtin_mul_overflow(v, static_cast<std::uint64_t>(base), &v) ||
        __builtin_add_overflow(v, static_cast<std::uint64_t>(d), &v))
      overflow = true;
  }
  if (overflow) {
    double d = 0;
    for (char c : digits) d = d * base + (c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    return negative ? -d : d;
  }
  std::uint64_t u = v;
  if (!negative) {
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(u);
    return u;
  }
  if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1)
    return static_cast<std::int64_t>(0 - u);
  return -static_cast<double>(u);
}

// yaml.constructor.SafeConstructor.construct_yaml_int.
Value constructInt(std::string_view text) {
  std::string v = withoutUnderscores(text);
  bool negative = false;
  std::string_view s = v;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::int64_t{0};
  if (s.starts_with("0b")) return integer(negative, s.substr(2), 2);
  if (s.starts_with("0x")) return integer(negative, s.substr(2), 16);
  if (s.starts_with("0")) return integer(negative, s.substr(1), 8);
  if (s.find(':') != std::string_view::npos) {
    // Sexagesimal: 1:30 -> 90 (beyond 64 bits, a double, as integer() does).
    double total = 0;
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t end = s.find(':', start);
      if (end == std::string_view::npos) end = s.size();
      Value part = integer(false, s.substr(start, end - start), 10);
      total = total * 60 + part.get<double>();
      start = end + 1;
    }
    if (total < 9.2e18) {
      auto whole = static_cast<std::int64_t>(total);
      return negative ? -whole : whole;
    }
    return negative ? -total : total;
  }
  return integer(negative, s, 10);
}

// yaml.constructor.SafeConstructor.construct_yaml_float.
Value constructFloat(std::string_view text) {
  std::string v = withoutUnderscores(text);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = 1;
  std::string_view s = v;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = -1;
    s.remove_prefix(1);
  }
  if (s == ".inf") return sign * std::numeric_limits<double>::infinity();
  if (s == ".nan") return std::numeric_limits<double>::quiet_NaN();
  if (s.find(':') != std::string_view::npos) {
    double total = 0;
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t end = s.find(':', start);
      if (end == std::string_view::npos) end = s.size();
      total = total * 60 + std::strtod(std::string(s.substr(start, end - start)).c_str(), nullptr);
      start = end + 1;
    }
    return sign * total;
  }
  std::string digits(s);
  if (!digits.empty() && digits.back() == '.') digits += '0';
  if (!digits.empty() && digits.front() == '.') digits.insert(digits.begin(), '0');
  // strtod, not stod: Python's float() gives inf for 1e999 where stod throws.
  return sign * std::strtod(digits.c_str(), nullptr);
}

// Text Python's float() reads that the implicit resolver does not: 1e5, 1.5e3.
bool exponentFloat(std::string_view text) {
  static const PyRegex re("^[-+]?(?:[0-9][0-9_]*)(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$");
  return re.fullMatch(text);
}

[[noreturn]] void fail(const YAML::Node& node, const std::string& message) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) throw std::runtime_error(message);
  throw std::runtime_error(fmt::format("line {}: {}", mark.line + 1, message));
}

Value scalarValue(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "?" || tag.empty()) return resolvePlainScalar(text);
  if (tag == "!") return text;  // quoted or block scalar: always a string
  if (tag.starts_with(kTagPrefix)) {
    std::string_view kind = std::string_view(tag).substr(kTagPrefix.size());
    if (kind == "str") return text;
    if (kind == "null") return nullptr;
    if (kind == "bool") return isTrue(text);
    // An explicit tag on text its constructor cannot read: PyYAML raises ValueError.
    if (kind == "int") {
      if (!intPattern().fullMatch(text)) fail(node, fmt::format("!!int '{}' is not an integer", text));
      return constructInt(text);
    }
    if (kind == "float") {
      if (!floatPattern().fullMatch(text) && !intPattern().fullMatch(text) && !exponentFloat(text))
        fail(node, fmt::format("!!float '{}' is not a number", text));
      return constructFloat(text);
    }
  }
  fail(node, fmt::format("unsupported YAML tag {} (safe_load would refuse it)", tag));
}

std::string keyText(const YAML::Node& key);
Value toValue(const YAML::Node& node);

void mergeInto(Value& target, const Value& source, const YAML::Node& where) {
  if (!source.is_object()) fail(where, "a merge key (<<) needs a mapping or a list of mappings");
  for (const auto& [k, v] : source.items())
    if (!target.contains(k)) target[k] = v;
}

Value mappingValue(const YAML::Node& node) {
  Value out = Value::object();
  std::vector<Value> merges;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<") {
      Value m = toValue(entry.second);
      if (m.is_array()) {
        for (auto& part : m) merges.push_back(part);
      } else {
        merges.push_back(std::move(m));
      }
      continue;
    }
    out[keyText(key)] = toValue(entry.second);
  }
  for (const auto& m : merges) mergeInto(out, m, node);
  return out;
}

// JSON object keys are strings: a typed key becomes its text as json.dumps writes it.
std::string keyText(const YAML::Node& key) {
  if (!key.IsScalar()) {
    if (key.IsNull()) return "null";
    fail(key, "a mapping key must be a scalar");
  }
  Value v = scalarValue(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "null";
  return v.dump();
}

Value toValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == std::string(kTagPrefix) + "str") return std::string();
      return nullptr;
    }
    case YAML::NodeType::Scalar:
      return scalarValue(node);
    case YAML::NodeType::Sequence: {
      Value out = Value::array();
      for (const auto& item : node) out.push_back(toValue(item));
      return out;
    }
    case YAML::NodeType::Map:
      return mappingValue(node);
  }
  return nullptr;
}

}  // namespace

Value resolvePlainScalar(std::string_view text) {
  if (nullPattern().fullMatch(text)) return nullptr;
  if (boolPattern().fullMatch(text)) return isTrue(text);
  if (intPattern().fullMatch(text)) return constructInt(text);
  if (floatPattern().fullMatch(text)) return constructFloat(text);
  return std::string(text);
}

Value parseYaml(std::string_view text) {
  try {
    return toValue(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(e.what());
  } catch (const std::runtime_error&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
}

Value loadYamlFile(const std::string& path) {
  try {
    return toValue(YAML::LoadFile(path));
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(fmt::format("{}: cannot read the file", path));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace rwd::conformance
