// The handlers and invoke targets of every loaded library, by name: conformance
// handlers register under the requirement id ("1.17"), invoke targets under the
// function name the requirement invokes ("targetFunctionName").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/handler.hpp"

namespace rwd::conformance {

// Thread-safety: built once, then read-only.
class HandlerSet {
 public:
  // Adds every definition of `registry`. Throws std::runtime_error naming both origins
  // when a name is already taken by another library.
  void add(const HandlerRegistry& registry, const std::string& origin);

  // The durable handler registered under `id`, or nullptr.
  const HandlerDefinition* handler(std::string_view id) const;
  const std::vector<const HandlerDefinition*>& all() const noexcept { return all_; }
  // The library that registered `id` (empty when none did).
  std::string origin(std::string_view id) const;

 private:
  std::map<std::string, std::pair<const HandlerDefinition*, std::string>, std::less<>> byName_;
  std::vector<const HandlerDefinition*> all_;
};

}  // namespace rwd::conformance
