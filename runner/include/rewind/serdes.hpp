// Serialization of checkpointed values. A Serdes<T> maps T to and from an optional
// payload string (no value = no Payload); the default writes compact JSON through
// nlohmann/json's to_json/from_json. Every checkpointed value goes through its serdes,
// on the first run too, so the handler always sees deserialize(serialize(v)).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

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

template <class T>
Payload jsonSerialize(const T& value) {
  static_assert(IsJsonSerializable<T>::value,
                "rwd: this result type has no JSON serialization. Add to_json/from_json for it "
                "(e.g. NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Type, fields...)) or pass a custom serdes "
                "in the operation's config.");
  return Json(value).dump();
}

template <class T>
T jsonDeserialize(const Payload& payload) {
  if (!payload) return Json(nullptr).template get<T>();
  return Json::parse(*payload).template get<T>();
}

}  // namespace internal

// The default JSON serdes for T.
template <class T>
Serdes<T> jsonSerdes() {
  return Serdes<T>{[](const T& v) { return internal::jsonSerialize<T>(v); },
                   [](const Payload& p) { return internal::jsonDeserialize<T>(p); }};
}

// Serializes with `serdes` when set, else with the default JSON serdes.
template <class T>
Payload serializeWith(const Serdes<T>& serdes, const T& value) {
  if (serdes.serialize) return serdes.serialize(value);
  return internal::jsonSerialize<T>(value);
}

template <class T>
T deserializeWith(const Serdes<T>& serdes, const Payload& payload) {
  if (serdes.deserialize) return serdes.deserialize(payload);
  return internal::jsonDeserialize<T>(payload);
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
  } else {
    return internal::jsonDeserialize<T>(payload);
  }
}

}  // namespace rwd
