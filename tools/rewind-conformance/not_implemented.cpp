// The explicit NOT-IMPLEMENTED list (see README.md in this folder).
#include "not_implemented.hpp"

#include <array>

namespace rwd::conformance {

namespace {
// Every requirement of the bundled suite is implemented: the list is empty. An entry
// reads {"1.17", "why Rewind cannot run it"}.
constexpr std::array<NotImplemented, 0> kNotImplemented{};
}  // namespace

std::span<const NotImplemented> notImplementedRequirements() { return kNotImplemented; }

std::optional<std::string_view> notImplementedReason(std::string_view id) {
  for (const NotImplemented& n : kNotImplemented)
    if (n.id == id) return n.reason;
  return std::nullopt;
}

}  // namespace rwd::conformance
