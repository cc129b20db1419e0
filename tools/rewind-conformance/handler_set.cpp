// Merging the registries of several handler libraries.
#include "handler_set.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace rwd::conformance {

std::string HandlerSet::origin(std::string_view id) const {
  auto it = byName_.find(id);
  return it == byName_.end() ? std::string() : it->second.second;
}

void HandlerSet::add(const HandlerRegistry& registry, const std::string& origin) {
  for (const HandlerDefinition& def : registry.all()) {
    auto [it, inserted] = byName_.try_emplace(def.name, &def, origin);
    if (!inserted)
      throw std::runtime_error(
          fmt::format("handler name '{}' is registered by both {} and {}", def.name, it->second.second, origin));
    all_.push_back(&def);
  }
}

const HandlerDefinition* HandlerSet::handler(std::string_view id) const {
  auto it = byName_.find(id);
  if (it == byName_.end() || it->second.first->kind != HandlerKind::Durable) return nullptr;
  return it->second.first;
}

}  // namespace rwd::conformance
