// Serialization of checkpointed values. A Serdes<T> maps T to and from an optional
// payload string (no value = no Payload); the default writes compact JSON through
// nlohmann/json's to_json/from_json (integers and plain strings take a shortcut that
// writes and reads the same text). Every checkpointed value goes through its serdes,
// on the first run too, so the handler always sees deserialize(serialize(v)); a batch
// with the default serdes returns the result it built from its items' round-tripped
// values, which is what deserializing its checkpoint rebuilds.
#pragma once

#include <charconv>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include <nlohmann/json.hpp>

#include "rewind/chrono_serdes.hpp"  // rwd::Duration / rwd::TimePoint are checkpointable
#include "rewind/json_text.hpp"

namespace rwd {

using Json = nlohmann::json;
using Payload = std::optional<std::string>;

template <class T>
struct Serdes {
  std::function<Payload(const T&)> serialize;
  std::function<T(const Payload&)> deserialize;

  explicit operator bool() const { return serialize && deserialize; }
};

// void results write no payload and read nothing.
template <>
struct Serdes<void> {
  explicit operator bool() const { return true; }
};

namespace internal {

template <class T, class = void>
struct IsJsonSerializable : std::false_type {};
template <class T>
struct IsJsonSerializable<T, std::void_t<decltype(std::declval<Json&>() = std::declval<const T&>()),
                                         decltype(std::declval<const Json&>().template get<T>())>>
    : std::true_type {};

// True when `s` is written inside JSON quotes as it is: printable ASCII, no quote, no
// backslash (the fast path of the string serdes; anything else goes through nlohmann).
inline bool plainJsonString(std::string_view s) noexcept {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  return true;
}

// The message of a type without JSON conversions (the type is the T of the
// jsonSerialize<T> / jsonDeserialize<T> the compiler names next to it).
#define REWIND_NO_JSON_MESSAGE                                                                             \
  "rwd: this type has no JSON conversion (it is the T of the template the compiler names below). "    \
  "Add `void to_json(nlohmann::json&, const T&)` and `void from_json(const nlohmann::json&, T&)` in T's " \
  "namespace (or NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(T, fields...)), or pass a custom rwd::Serdes<T> "    \
  "in the operation's config"

template <class T>
Payload jsonSerialize(const T& value) {
  static_assert(IsJsonSerializable<T>::value, REWIND_NO_JSON_MESSAGE);
  if constexpr (!IsJsonSerializable<T>::value) {
    return std::nullopt;  // the static_assert above is the error; nothing more to report
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, end);  // what nlohmann writes for an integer, without a Json tree
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (plainJsonString(value)) {
      std::string out;
      out.reserve(value.size() + 2);
      out.push_back('"');
      out += value;
      out.push_back('"');
      return out;
    }
    return dumpJson(Json(value));  // not UTF-8: U+FFFD (json_text.hpp)
  } else {
    return dumpJson(Json(value));
  }
}

template <class T>
T jsonDeserializeChecked(const Payload& payload) {
  if (!payload) return Json(nullptr).template get<T>();
  const std::string& text = *payload;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    T v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    std::size_t digit = !text.empty() && text[0] == '-' ? 1 : 0;  // JSON has no "+1" and no "01"
    bool leadingZero = text.size() > digit + 1 && text[digit] == '0';
    if (ec == std::errc() && end == text.data() + text.size() && !leadingZero) return v;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
      std::string_view inner(text.data() + 1, text.size() - 2);
      if (plainJsonString(inner)) return std::string(inner);
    }
  }
  return parseJson(text).template get<T>();  // everything else, and every edge case
}

// Reading needs only from_json (an event type may have nothing else).
template <class T, class = void>
struct IsJsonDeserializable : std::false_type {};
template <class T>
struct IsJsonDeserializable<T, std::void_t<decltype(std::declval<const Json&>().template get<T>())>>
    : std::true_type {};

template <class T>
T jsonDeserialize(const Payload& payload) {
  static_assert(IsJsonDeserializable<T>::value, REWIND_NO_JSON_MESSAGE);
  if constexpr (!IsJsonDeserializable<T>::value) {
    throw std::logic_error("unreachable: T has no JSON conversion");
  } else {
    return jsonDeserializeChecked<T>(payload);
  }
}

}  // namespace internal

// The default JSON serdes for T.
template <class T>
Serdes<T> jsonSerdes() {
  return Serdes<T>{[](const T& v) { return internal::jsonSerialize<T>(v); },
                   [](const Payload& p) { return internal::jsonDeserialize<T>(p); }};
}

namespace internal {
// Where no config (so no custom serdes) can be given, a type without JSON conversion is a
// compile error that says what to add.
template <class T>
constexpr void requireJsonSerdes() {
  static_assert(std::is_void_v<T> || IsJsonSerializable<T>::value, REWIND_NO_JSON_MESSAGE);
}
// Callback results: std::string and Payload take the raw text; anything else is JSON.
template <class T>
constexpr void requireCallbackSerdes() {
  static_assert(std::is_same_v<T, std::string> || std::is_same_v<T, Payload> || IsJsonSerializable<T>::value,
                REWIND_NO_JSON_MESSAGE);
}

// A type without JSON conversion needs a custom serdes; whether the config carries one
// is only known at run time, so the JSON fallback is not instantiated for such a type
// and a missing serdes is this clear error instead of a compile error.
[[noreturn]] void throwMissingSerdes(const char* mangledTypeName);
}  // namespace internal

// Serializes with `serdes` when set, else with the default JSON serdes.
template <class T>
Payload serializeWith(const Serdes<T>& serdes, const T& value) {
  if (serdes.serialize) return serdes.serialize(value);
  if constexpr (internal::IsJsonSerializable<T>::value) {
    return internal::jsonSerialize<T>(value);
  } else {
    internal::throwMissingSerdes(typeid(T).name());
  }
}

template <class T>
T deserializeWith(const Serdes<T>& serdes, const Payload& payload) {
  if (serdes.deserialize) return serdes.deserialize(payload);
  if constexpr (internal::IsJsonSerializable<T>::value) {
    return internal::jsonDeserialize<T>(payload);
  } else {
    internal::throwMissingSerdes(typeid(T).name());
  }
}

// Callback payloads: std::string receives the raw payload text (empty when there is
// none); any other T is read with from_json.
template <class T>
T deserializeCallbackPayload(const Serdes<T>& serdes, const Payload& payload) {
  if (serdes.deserialize) return serdes.deserialize(payload);
  if constexpr (std::is_same_v<T, std::string>) {
    return payload.value_or(std::string());
  } else if constexpr (std::is_same_v<T, Payload>) {
    return payload;
  } else if constexpr (internal::IsJsonSerializable<T>::value) {
    return internal::jsonDeserialize<T>(payload);
  } else {
    internal::throwMissingSerdes(typeid(T).name());
  }
}

}  // namespace rwd
