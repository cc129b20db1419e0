// JSON conversions for std::chrono durations and system-clock time points, so that
// rwd::Duration, rwd::TimePoint (and a user's struct members of those types) are
// checkpointable with the default serdes. The payload is compact and lossless: a
// duration is its count in its own unit (rwd::Duration: whole seconds), a time point
// the count of its duration since the Unix epoch (rwd::TimePoint: milliseconds).
//
//   auto due = ctx.step("due", [&] { return billing.nextDueDate(); });  // rwd::TimePoint
//
// Only system_clock time points convert: a steady_clock reading means nothing in the
// next process that replays it. A program that already defines an adl_serializer for
// these std::chrono types cannot also include this header.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

namespace nlohmann {

template <class Rep, class Period>
struct adl_serializer<std::chrono::duration<Rep, Period>> {
  template <class BasicJson>
  static void to_json(BasicJson& j, const std::chrono::duration<Rep, Period>& d) {
    j = d.count();
  }
  template <class BasicJson>
  static void from_json(const BasicJson& j, std::chrono::duration<Rep, Period>& d) {
    d = std::chrono::duration<Rep, Period>(j.template get<Rep>());
  }
};

template <class Duration>
struct adl_serializer<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;
  template <class BasicJson>
  static void to_json(BasicJson& j, const TimePoint& t) {
    j = t.time_since_epoch().count();
  }
  template <class BasicJson>
  static void from_json(const BasicJson& j, TimePoint& t) {
    t = TimePoint(Duration(j.template get<typename Duration::rep>()));
  }
};

}  // namespace nlohmann
