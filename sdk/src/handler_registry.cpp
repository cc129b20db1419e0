// The per-library handler registry.
#include <algorithm>

#include "rewind/handler.hpp"

namespace rwd {

void HandlerRegistry::add(HandlerDefinition def) {
  if (find(def.name)) duplicates_.push_back(def.name);
  defs_.push_back(std::move(def));
}

const HandlerDefinition* HandlerRegistry::find(std::string_view name) const {
  auto it = std::find_if(defs_.begin(), defs_.end(), [&](const HandlerDefinition& d) { return d.name == name; });
  return it == defs_.end() ? nullptr : &*it;
}

}  // namespace rwd
