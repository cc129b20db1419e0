// Time as the durable runtime sees it: whole-second durations, millisecond time points,
// and the injectable Clock behind which the runner keeps its virtual clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rwd {

// Durations are whole seconds on the wire; std::chrono literals (2s, 1min, 8h) convert.
using Duration = std::chrono::seconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// 2025-01-01T00:00:00Z, the runner's default virtual epoch.
inline constexpr TimePoint kDefaultEpoch{std::chrono::milliseconds{1735689600000LL}};

// Source of "now" for the runtime. Library code never reads the wall clock directly.
// Thread-safety: implementations are used from one thread at a time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// ISO-8601 UTC with milliseconds: 2025-01-01T00:00:00.000Z.
std::string formatTimestamp(TimePoint t);

}  // namespace rwd
