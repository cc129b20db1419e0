// The server's scaled clock. It is the one place that reads the machine's clocks.
#include "server_clock.hpp"

#include <algorithm>

namespace rwd::server::internal {

TimePoint ServerClock::realNow() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

ServerClock::ServerClock(double scale, TimePoint resumeFrom, TimePoint recordedAt)
    : scale_(scale > 0 ? scale : 1.0), steadyBase_(std::chrono::steady_clock::now()) {
  TimePoint real = realNow();
  if (resumeFrom == TimePoint{} || scale_ == 1.0) {
    virtualBase_ = std::max(real, resumeFrom);
  } else {
    auto downtime = std::max(std::chrono::milliseconds{0}, real - recordedAt);
    virtualBase_ = resumeFrom +
                   std::chrono::milliseconds{static_cast<std::int64_t>(static_cast<double>(downtime.count()) * scale_)};
  }
}

TimePoint ServerClock::now() const {
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - steadyBase_);
  auto scaled = static_cast<std::int64_t>(static_cast<double>(elapsed.count()) * scale_ / 1000.0);
  return virtualBase_ + std::chrono::milliseconds{scaled};
}

std::chrono::steady_clock::duration ServerClock::realDelayUntil(TimePoint t) const {
  auto ahead = t - now();
  if (ahead.count() <= 0) return std::chrono::steady_clock::duration::zero();
  auto us = static_cast<std::int64_t>(static_cast<double>(ahead.count()) * 1000.0 / scale_) + 1;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::microseconds{us});
}

}  // namespace rwd::server::internal
