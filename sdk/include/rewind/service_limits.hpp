// The durable execution service's payload limits, as the SDK and the local runner
// enforce them.
#pragma once

#include <cstddef>

namespace rwd::internal {

inline constexpr std::size_t kMaxErrorBytes = 32768;
inline constexpr std::size_t kMaxCheckpointBytes = 750 * 1024;
inline constexpr std::size_t kMaxUpdatesPerCheckpoint = 250;
inline constexpr std::size_t kLargeResultBytes = 256 * 1024;

}  // namespace rwd::internal
