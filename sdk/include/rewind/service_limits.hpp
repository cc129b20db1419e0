// The durable execution service's payload limits, as the SDK and the local runner
// enforce them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rwd::internal {

inline constexpr std::size_t kMaxErrorBytes = 32768;
inline constexpr std::size_t kMaxCheckpointBytes = 750 * 1024;
inline constexpr std::size_t kMaxUpdatesPerCheckpoint = 250;
inline constexpr std::size_t kLargeResultBytes = 256 * 1024;
// The service model's ranges (botocore lambda 2015-03-31): WaitSeconds and
// NextAttemptDelaySeconds 1-31,622,400 (366 days); callback timeouts a 32-bit integer.
inline constexpr std::int64_t kMaxDelaySeconds = 31622400;
inline constexpr std::int64_t kMaxCallbackTimeoutSeconds = 2147483647;

}  // namespace rwd::internal
