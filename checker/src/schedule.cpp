// Schedules as JSON and as reproduce tokens.
#include "rewind/checker/schedule.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "rewind/json_text.hpp"
#include "rewind/service_limits.hpp"

namespace rwd::checker {

namespace {

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64[(buf << (6 - bits)) & 63];
  return out;
}

std::string unbase64url(std::string_view in) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kB64.find(c);
    if (pos == std::string_view::npos)
      throw std::invalid_argument(fmt::format("[rewind.checker.bad_token] unexpected character '{}' in token", c));
    buf = (buf << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

template <class E>
E enumFrom(const Json& j, std::string_view field, std::initializer_list<E> all) {
  std::string s = j.get<std::string>();
  for (E e : all)
    if (toString(e) == s) return e;
  throw std::invalid_argument(fmt::format("[rewind.checker.bad_schedule] unknown {} '{}'", field, s));
}

}  // namespace

std::string_view toString(CrashSide s) {
  switch (s) {
    case CrashSide::EffectLost:
      return "EffectLost";
    case CrashSide::CheckpointPersisted:
      return "CheckpointPersisted";
    case CrashSide::MidStep:
      return "MidStep";
  }
  return "?";
}

std::string_view toString(CallbackAnswerKind k) {
  switch (k) {
    case CallbackAnswerKind::Success:
      return "Success";
    case CallbackAnswerKind::Failure:
      return "Failure";
    case CallbackAnswerKind::Timeout:
      return "Timeout";
    case CallbackAnswerKind::Heartbeat:
      return "Heartbeat";
  }
  return "?";
}

Json toJson(const Schedule& s) {
  Json j = Json::object();
  j["crashes"] = Json::array();
  for (const auto& c : s.crashes) j["crashes"].push_back({{"at", c.at}, {"side", toString(c.side)}});
  j["callbackAnswers"] = Json::array();
  for (const auto& a : s.callbackAnswers)
    j["callbackAnswers"].push_back({{"kind", toString(a.kind)},
                                    {"payload", a.payload ? Json(*a.payload) : Json(nullptr)},
                                    {"delaySeconds", a.delaySeconds}});
  j["stepFailures"] = Json::array();
  for (const auto& f : s.stepFailures)
    j["stepFailures"].push_back({{"operationId", f.operationId}, {"attempt", f.attempt}});
  j["branchSeed"] = s.branchSeed;
  j["jitterSeed"] = s.jitterSeed;
  if (s.input) j["input"] = *s.input;
  return j;
}

Schedule scheduleFromJson(const Json& j) {
  // A whole number in [lo, hi] (a float or an out-of-range value is not converted: that
  // is undefined behaviour).
  auto whole = [](const Json& v, const char* what, std::int64_t lo, std::int64_t hi) {
    std::optional<std::int64_t> n = wholeNumberIn(v, lo, hi);
    if (!n)
      throw std::invalid_argument(
          fmt::format("[rewind.checker.bad_schedule] {} is {}, not a whole number in {}..{}", what,
                      v.dump().substr(0, 100), lo, hi));
    return *n;
  };
  // A seed: any unsigned 64-bit integer.
  auto seed = [](const Json& o, const char* key, std::uint64_t fallback) {
    if (!o.contains(key)) return fallback;
    const Json& v = o.at(key);
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    throw std::invalid_argument(fmt::format("[rewind.checker.bad_schedule] {} is {}, not an unsigned 64-bit integer",
                                            key, v.dump().substr(0, 100)));
  };
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  try {
    Schedule s;
    for (const Json& c : j.value("crashes", Json::array()))
      s.crashes.push_back({static_cast<std::size_t>(whole(c.at("at"), "a crash's 'at'", 0, kMax)),
                           enumFrom(c.at("side"), "crash side",
                                    {CrashSide::EffectLost, CrashSide::CheckpointPersisted, CrashSide::MidStep})});
    for (const Json& a : j.value("callbackAnswers", Json::array()))
      s.callbackAnswers.push_back(
          {enumFrom(a.at("kind"), "callback answer",
                    {CallbackAnswerKind::Success, CallbackAnswerKind::Failure, CallbackAnswerKind::Timeout,
                     CallbackAnswerKind::Heartbeat}),
           a.contains("payload") && !a.at("payload").is_null() ? std::optional(a.at("payload").get<std::string>())
                                                                : std::nullopt,
           // At most a callback's longest timeout: the answer's time is computed on the clock.
           a.contains("delaySeconds") ? whole(a.at("delaySeconds"), "a callback answer's delaySeconds", 0,
                                              internal::kMaxCallbackTimeoutSeconds)
                                      : std::int64_t{1}});
    for (const Json& f : j.value("stepFailures", Json::array()))
      s.stepFailures.push_back({f.at("operationId").get<std::string>(),
                                static_cast<int>(whole(f.at("attempt"), "a step failure's attempt",
                                                       std::numeric_limits<int>::min(),
                                                       std::numeric_limits<int>::max()))});
    s.branchSeed = seed(j, "branchSeed", 0);
    s.jitterSeed = seed(j, "jitterSeed", 1);
    if (j.contains("input")) s.input = j.at("input").get<std::string>();
    return s;
  } catch (const Json::exception& e) {
    throw std::invalid_argument(fmt::format("[rewind.checker.bad_schedule] {}", e.what()));
  }
}

std::string toToken(const Schedule& s) { return "rw1." + base64url(toJson(s).dump()); }

Schedule scheduleFromToken(std::string_view token) {
  if (token.substr(0, 4) != "rw1.")
    throw std::invalid_argument("[rewind.checker.bad_token] a reproduce token starts with 'rw1.'");
  Json j = Json::parse(unbase64url(token.substr(4)), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::invalid_argument("[rewind.checker.bad_token] the token does not decode to a schedule");
  return scheduleFromJson(j);
}

std::string describe(const Schedule& s) {
  std::vector<std::string> parts;
  for (const auto& c : s.crashes) parts.push_back(fmt::format("crash {}@{}", toString(c.side), c.at));
  for (std::size_t i = 0; i < s.callbackAnswers.size(); ++i)
    parts.push_back(
        fmt::format("callback#{} {}+{}s", i, toString(s.callbackAnswers[i].kind), s.callbackAnswers[i].delaySeconds));
  for (const auto& f : s.stepFailures)
    parts.push_back(fmt::format("fail step {} attempt {}", f.operationId, f.attempt));
  if (s.branchSeed) parts.push_back(fmt::format("branch order seed {}", s.branchSeed));
  if (s.jitterSeed != 1) parts.push_back(fmt::format("jitter seed {}", s.jitterSeed));
  if (s.input) parts.push_back(fmt::format("input {}", *s.input));
  if (parts.empty()) return "crash-free";
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace rwd::checker
