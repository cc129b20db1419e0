// Matching rules of DESIGN.md section 2. The reference model's matcher.py is the
// executable statement of the same rules; where it relies on Python equality quirks
// (1 == True) Rewind is strict: a bool only matches a bool.
#include "matcher.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "py_regex.hpp"
#include "python_json.hpp"

namespace rwd::conformance {

namespace {

struct MismatchError {
  Mismatch mismatch;
};

[[noreturn]] void mismatch(std::string path, std::string message) {
  throw MismatchError{{std::move(path), std::move(message)}};
}

// A short rendering of a value for messages.
std::string show(const Value& v) {
  std::string s = v.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (s.size() > 240) s = s.substr(0, 237) + "...";
  return s;
}

bool isNumber(const Value& v) { return v.is_number(); }

bool numbersEqual(const Value& a, const Value& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    if (a.is_number_unsigned() != b.is_number_unsigned()) {
      const Value& s = a.is_number_unsigned() ? b : a;  // signed
      const Value& u = a.is_number_unsigned() ? a : b;  // unsigned
      auto sv = s.get<std::int64_t>();
      return sv >= 0 && static_cast<std::uint64_t>(sv) == u.get<std::uint64_t>();
    }
    return a.is_number_unsigned() ? a.get<std::uint64_t>() == b.get<std::uint64_t>()
                                  : a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  return a.get<double>() == b.get<double>();
}

// `${NAME}` (the whole string) -> NAME.
std::optional<std::string> bindingName(std::string_view s) {
  if (s.size() < 4 || !s.starts_with("${") || !s.ends_with("}")) return std::nullopt;
  std::string_view name = s.substr(2, s.size() - 3);
  if (name.empty()) return std::nullopt;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name[0])) return std::nullopt;
  for (char c : name)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return std::nullopt;
  return std::string(name);
}

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

// str() of a YAML value, as the reference model takes Variables.
std::string pythonStr(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return pythonText(v);
}

}  // namespace

Variables generateVariables(const Value& spec, std::uint64_t seed) {
  Variables out;
  if (!spec.is_object() || !spec.contains("Variables") || !spec["Variables"].is_object()) return out;
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  for (const auto& [name, raw] : spec["Variables"].items()) {
    std::string text = pythonStr(raw);
    std::string value;
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t start = text.find("${GEN_STR:", i);
      if (start == std::string::npos) break;
      std::size_t digits = start + 10;
      std::size_t end = digits;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      if (end == digits || end >= text.size() || text[end] != '}') {
        value += text.substr(i, digits - i);
        i = digits;
        continue;
      }
      value += text.substr(i, start - i);
      // The suite uses a few dozen characters; a huge n is a typo that would allocate
      // gigabytes (or overflow stoul).
      std::string_view count = std::string_view(text).substr(digits, end - digits);
      if (count.size() > 6 || std::stoul(std::string(count)) > kMaxGenStrLength)
        throw std::invalid_argument(
            fmt::format("Variables.{}: ${{GEN_STR:{}}} is longer than {} characters "
                        "[rewind.conformance.bad_variable]",
                        name, count, kMaxGenStrLength));
      std::size_t n = std::stoul(std::string(count));
      for (std::size_t k = 0; k < n; ++k) value += kAlphabet[pick(rng)];
      i = end + 1;
    }
    value += text.substr(i);
    out.emplace_back(name, std::move(value));
  }
  return out;
}

Value substitute(const Value& value, const Variables& variables) {
  auto text = [&](std::string s) {
    for (const auto& [name, v] : variables) s = replaceAll(std::move(s), fmt::format("${{{}}}", name), v);
    return s;
  };
  if (value.is_string()) return text(value.get<std::string>());
  if (value.is_array()) {
    Value out = Value::array();
    for (const auto& item : value) out.push_back(substitute(item, variables));
    return out;
  }
  if (value.is_object()) {
    Value out = Value::object();
    for (const auto& [k, v] : value.items()) out[text(k)] = substitute(v, variables);
    return out;
  }
  return value;
}

bool isRegexReference(std::string_view text, std::string* pattern) {
  if (text.size() < 5 || !text.starts_with("${/") || !text.ends_with("/}")) return false;
  if (pattern) *pattern = std::string(text.substr(3, text.size() - 5));
  return true;
}

bool regexSearch(const std::string& pattern, std::string_view subject) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<PyRegex>, std::less<>> cache;
  std::shared_ptr<PyRegex> re;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(pattern);
    if (it == cache.end()) it = cache.emplace(pattern, std::make_shared<PyRegex>(pattern)).first;
    re = it->second;
  }
  return re->search(subject);
}

Matcher::Matcher(const Variables& prebound) {
  for (const auto& [name, v] : prebound) bindings_[name] = v;
}

std::optional<Mismatch> Matcher::match(const Value& expected, const Value& actual, const std::string& path) {
  try {
    check(expected, actual, path);
  } catch (const MismatchError& e) {
    return e.mismatch;
  }
  return std::nullopt;
}

void Matcher::check(const Value& exp, const Value& act, const std::string& path) {
  if (exp.is_string()) {
    const std::string& s = exp.get_ref<const std::string&>();
    if (s == "*") return;
    std::string pattern;
    if (isRegexReference(s, &pattern)) {
      bool found = false;
      try {
        found = regexSearch(pattern, pythonText(act));
      } catch (const std::invalid_argument& e) {
        mismatch(path, e.what());
      }
      if (!found) mismatch(path, fmt::format("regex /{}/ does not match {}", pattern, show(act)));
      return;
    }
    if (auto name = bindingName(s)) {
      auto it = bindings_.find(*name);
      if (it == bindings_.end()) {
        bindings_.emplace(*name, act);
      } else if (it->second != act) {
        mismatch(path, fmt::format("${{{}}} bound to {}, got {}", *name, show(it->second), show(act)));
      }
      return;
    }
  }
  if (exp.is_object()) {
    if (!act.is_object()) mismatch(path, fmt::format("expected an object, got {}", show(act)));
    for (const auto& [k, v] : exp.items()) {
      std::string sub = fmt::format("{}.{}", path, k);
      if (!act.contains(k)) mismatch(sub, "missing key");
      check(v, act[k], sub);
    }
    return;
  }
  if (exp.is_array()) {
    if (!act.is_array() || act.size() != exp.size())
      mismatch(path, fmt::format("expected a list of {}, got {}", exp.size(), show(act)));
    for (std::size_t i = 0; i < exp.size(); ++i) check(exp[i], act[i], fmt::format("{}[{}]", path, i));
    return;
  }
  if (isNumber(exp) && isNumber(act)) {
    if (!numbersEqual(exp, act)) mismatch(path, fmt::format("expected {}, got {}", show(exp), show(act)));
    return;
  }
  if (exp.type() != act.type() || exp != act) mismatch(path, fmt::format("expected {}, got {}", show(exp), show(act)));
}

std::optional<Mismatch> matchHistory(const Value& expected, const Value& actualEvents, Matcher& matcher) {
  if (expected.is_null()) return std::nullopt;
  if (!expected.is_array()) return Mismatch{"ExpectedExecutionHistory", "must be a list of events"};
  std::map<std::int64_t, const Value*> byId;
  for (const auto& ev : actualEvents)
    if (ev.is_object() && ev.contains("EventId") && ev["EventId"].is_number_integer())
      byId[ev["EventId"].get<std::int64_t>()] = &ev;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Value& exp = expected[i];
    if (!exp.is_object() || !exp.contains("EventId") || !exp["EventId"].is_number_integer())
      return Mismatch{fmt::format("ExpectedExecutionHistory[{}]", i), "an expected event needs an integer EventId"};
    std::int64_t id = exp["EventId"].get<std::int64_t>();
    std::string path = fmt::format("history[EventId={}]", id);
    auto it = byId.find(id);
    if (it == byId.end())
      return Mismatch{path, fmt::format("no such event (history has {} events)", actualEvents.size())};
    if (auto m = matcher.match(exp, *it->second, path)) return m;
  }
  return std::nullopt;
}

std::optional<Mismatch> matchResult(const Value& expected, std::string_view status,
                                    const std::optional<std::string>& resultPayload, std::string_view errorText,
                                    Matcher& matcher) {
  if (expected.is_null() || (expected.is_object() && expected.empty())) return std::nullopt;
  if (!expected.is_object()) return Mismatch{"ExpectedResult", "must be a mapping"};
  const Value expectedStatus = expected.contains("ExecutionStatus") ? expected["ExecutionStatus"] : Value();
  if (!expectedStatus.is_string() || expectedStatus.get<std::string>() != status) {
    std::string got(status);
    if (!errorText.empty()) got += fmt::format(" ({})", errorText);
    return Mismatch{"ExpectedResult.ExecutionStatus", fmt::format("expected {}, got {}", show(expectedStatus), got)};
  }
  if (expected.contains("Result") && status == "SUCCEEDED") {
    Value actual;
    if (resultPayload) {
      actual = Value::parse(*resultPayload, nullptr, false);
      if (actual.is_discarded())
        return Mismatch{"ExpectedResult.Result", fmt::format("the result is not JSON: {}", *resultPayload)};
    }
    return matcher.match(expected["Result"], actual, "ExpectedResult.Result");
  }
  return std::nullopt;
}

namespace {

// Substitutes the history's bindings into a log match value.
Value withBindings(const Value& v, const Matcher& matcher) {
  if (!v.is_string()) return v;
  std::string s = v.get<std::string>();
  for (const auto& [name, bound] : matcher.bindings())
    s = replaceAll(std::move(s), fmt::format("${{{}}}", name), pythonText(bound));
  return s;
}

bool recordMatches(const Value& fields, const Value& record, const Matcher& matcher) {
  for (const auto& [key, rawWant] : fields.items()) {
    Value want = withBindings(rawWant, matcher);
    Value have = record.is_object() && record.contains(key) ? record[key] : Value();
    if (want.is_string()) {
      const std::string& w = want.get_ref<const std::string&>();
      if (w.size() >= 2 && w.front() == '/' && w.back() == '/') {
        if (have.is_null() || !regexSearch(w.substr(1, w.size() - 2), pythonText(have))) return false;
        continue;
      }
    }
    if (isNumber(want) && isNumber(have)) {
      if (!numbersEqual(want, have)) return false;
      continue;
    }
    if (want.type() != have.type() || want != have) return false;
  }
  return true;
}

std::optional<std::int64_t> countField(const Value& entry, const char* key) {
  if (!entry.contains(key) || entry[key].is_null()) return std::nullopt;
  if (!entry[key].is_number_integer()) throw std::invalid_argument(fmt::format("{} must be an integer", key));
  return entry[key].get<std::int64_t>();
}

// Index of the first record an anchor (`before:` / `after:`) designates, or
// records.size() when none does.
std::size_t anchorPosition(const Value& anchor, const Value& entries, const std::vector<Value>& records,
                           const Matcher& matcher);

// The range of records an entry counts: after the first record matching each `after:`
// anchor, before the first record matching any `before:` anchor. An anchor is an entry
// index, a `{match: ...}` mapping or a field mapping; `after:`/`before:` also take a list
// of them (the official plugin family writes `after:` as a list of field mappings).
std::pair<std::size_t, std::size_t> countedRange(const Value& entry, const Value& entries,
                                                 const std::vector<Value>& records, const Matcher& matcher) {
  auto anchors = [](const Value& v) {
    std::vector<const Value*> out;
    if (v.is_array()) {
      if (v.empty()) throw std::invalid_argument("an anchor list is empty");
      for (const auto& a : v) out.push_back(&a);
    } else {
      out.push_back(&v);
    }
    return out;
  };
  std::size_t from = 0;
  std::size_t to = records.size();
  if (entry.contains("after"))
    for (const Value* a : anchors(entry["after"])) {
      std::size_t at = anchorPosition(*a, entries, records, matcher);
      from = std::max(from, at >= records.size() ? records.size() : at + 1);
    }
  if (entry.contains("before"))
    for (const Value* a : anchors(entry["before"])) to = std::min(to, anchorPosition(*a, entries, records, matcher));
  return {from, to};
}

std::size_t anchorPosition(const Value& anchor, const Value& entries, const std::vector<Value>& records,
                           const Matcher& matcher) {
  const Value* fields = &anchor;
  if (anchor.is_number_integer()) {
    auto index = anchor.get<std::int64_t>();
    if (index < 0 || static_cast<std::size_t>(index) >= entries.size() ||
        !entries[static_cast<std::size_t>(index)].contains("match"))
      throw std::invalid_argument(fmt::format("anchor {} names no ExpectedLogs entry", index));
    fields = &entries[static_cast<std::size_t>(index)]["match"];
  } else if (anchor.is_object() && anchor.contains("match")) {
    fields = &anchor["match"];
  }
  if (!fields->is_object() || fields->empty())
    throw std::invalid_argument("an anchor is an entry index, a match mapping or a non-empty field mapping");
  for (std::size_t i = 0; i < records.size(); ++i)
    if (recordMatches(*fields, records[i], matcher)) return i;
  return records.size();
}

}  // namespace

std::optional<Mismatch> matchLogs(const Value& expected, const std::vector<Value>& rawRecords, Matcher& matcher) {
  if (expected.is_null()) return std::nullopt;
  if (!expected.is_array()) return Mismatch{"ExpectedLogs", "must be a list"};
  // A record that is a plain line rather than a JSON object reads as {message: line}.
  std::vector<Value> records;
  for (const auto& r : rawRecords) {
    if (r.is_string()) {
      Value parsed = Value::parse(r.get<std::string>(), nullptr, false);
      records.push_back(parsed.is_object() ? parsed : Value{{"message", r}});
    } else {
      records.push_back(r);
    }
  }
  for (std::size_t n = 0; n < expected.size(); ++n) {
    std::string path = fmt::format("ExpectedLogs[{}]", n);
    const Value& entry = expected[n];
    if (!entry.is_object() || !entry.contains("match") || !entry["match"].is_object())
      return Mismatch{path, "an entry needs a `match` mapping"};
    try {
      auto [from, to] = countedRange(entry, expected, records, matcher);
      std::int64_t count = 0;
      for (std::size_t i = from; i < to; ++i) count += recordMatches(entry["match"], records[i], matcher) ? 1 : 0;
      std::optional<std::int64_t> exact = countField(entry, "count");
      std::int64_t lo = countField(entry, "min_count").value_or(exact.value_or(1));
      std::optional<std::int64_t> hi = countField(entry, "max_count");
      if (!hi) hi = exact;
      if (count < lo || (hi && count > *hi))
        return Mismatch{path, fmt::format("{} matched {} record(s) (want {}..{})", show(entry["match"]), count, lo,
                                          hi ? std::to_string(*hi) : std::string("any"))};
    } catch (const std::invalid_argument& e) {
      return Mismatch{path, e.what()};
    }
  }
  return std::nullopt;
}

}  // namespace rwd::conformance
