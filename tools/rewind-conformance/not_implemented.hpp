// Requirements Rewind deliberately does not run, each with the reason. The runner
// reports them as NOT-IMPLEMENTED (counted as skipped), never as a silent pass. The
// list is documented in tools/conformance/README.md; keep both in step.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace rwd::conformance {

struct NotImplemented {
  std::string_view id;
  std::string_view reason;
};

std::span<const NotImplemented> notImplementedRequirements();
// The reason `id` is not implemented, or nullopt.
std::optional<std::string_view> notImplementedReason(std::string_view id);

}  // namespace rwd::conformance
