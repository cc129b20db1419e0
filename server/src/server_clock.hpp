// ServerClock: rewind-server's time. Real time by default; with a scale s, virtual time
// runs s times as fast as the machine's clock (a 1-hour wait takes 3.6 s at 1000), and it
// continues across restarts from where the database left it plus the downtime, scaled.
//
// Thread-safety: all members may be called from any thread after construction.
#pragma once

#include <chrono>

#include "rewind/time.hpp"

namespace rwd::server::internal {

class ServerClock {
 public:
  // `resumeFrom`: the virtual time the database last recorded and the real time it did so
  // (zero when new); the clock starts at resumeFrom + (realNow - recordedAt) * scale.
  ServerClock(double scale, TimePoint resumeFrom, TimePoint recordedAt);

  TimePoint now() const;
  // The real time to wait until virtual time `t` (zero when it has passed).
  std::chrono::steady_clock::duration realDelayUntil(TimePoint t) const;
  double scale() const noexcept { return scale_; }
  static TimePoint realNow();

 private:
  double scale_;
  TimePoint virtualBase_;
  std::chrono::steady_clock::time_point steadyBase_;
};

}  // namespace rwd::server::internal
