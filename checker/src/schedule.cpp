// Schedules as JSON and as reproduce tokens.
#include "rewind/checker/schedule.hpp"

#include <fmt/format.h>

#include <stdexcept>

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
  try {
    Schedule s;
    for (const Json& c : j.value("crashes", Json::array()))
      s.crashes.push_back({c.at("at").get<std::size_t>(),
                           enumFrom(c.at("side"), "crash side",
                                    {CrashSide::EffectLost, CrashSide::CheckpointPersisted, CrashSide::MidStep})});
    for (const Json& a : j.value("callbackAnswers", Json::array()))
      s.callbackAnswers.push_back({enumFrom(a.at("kind"), "callback answer",
                                            {CallbackAnswerKind::Success, CallbackAnswerKind::Failure,
                                             CallbackAnswerKind::Timeout, CallbackAnswerKind::Heartbeat}),
                                   a.contains("payload") && !a.at("payload").is_null()
                                       ? std::optional(a.at("payload").get<std::string>())
                                       : std::nullopt,
                                   a.value("delaySeconds", std::int64_t{1})});
    for (const Json& f : j.value("stepFailures", Json::array()))
      s.stepFailures.push_back({f.at("operationId").get<std::string>(), f.at("attempt").get<int>()});
    s.branchSeed = j.value("branchSeed", std::uint64_t{0});
    s.jitterSeed = j.value("jitterSeed", std::uint64_t{1});
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
