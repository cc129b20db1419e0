// dlopen/dlsym of a handler library's versioned entry point.
#include "handler_library.hpp"

#include <dlfcn.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rwd::tools {

std::shared_ptr<HandlerLibrary> HandlerLibrary::open(const std::string& path) {
  std::string p = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw std::runtime_error(fmt::format("cannot load handler library {}: {}", path, dlerror()));
  using Entry = HandlerRegistry* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "rewind_handler_registry_v1"));
  if (!entry)
    throw std::runtime_error(fmt::format(
        "{} is not a Rewind handler library: no rewind_handler_registry_v1 entry point (register handlers with "
        "REWIND_HANDLER)",
        path));
  HandlerRegistry* registry = entry();
  if (!registry || registry->abiVersion() != HandlerRegistry::kAbiVersion)
    throw std::runtime_error(fmt::format("{} was built for Rewind handler ABI {}, this tool reads ABI {}", path,
                                         registry ? registry->abiVersion() : -1, HandlerRegistry::kAbiVersion));
  if (!registry->duplicates().empty())
    throw std::runtime_error(
        fmt::format("{} registers handler name(s) twice: {}", path, fmt::join(registry->duplicates(), ", ")));
  return std::shared_ptr<HandlerLibrary>(new HandlerLibrary(path, handle, registry));
}

const HandlerDefinition& HandlerLibrary::durableHandler(const std::string& name) const {
  std::vector<const HandlerDefinition*> durable;
  for (const auto& d : registry_->all())
    if (d.kind == HandlerKind::Durable) durable.push_back(&d);
  if (name.empty()) {
    if (durable.empty()) throw std::runtime_error(fmt::format("{} registers no durable handlers (REWIND_HANDLER)", path_));
    if (durable.size() > 1) {
      std::vector<std::string> names;
      for (const auto* d : durable) names.push_back(d->name);
      throw std::runtime_error(fmt::format("{} has {} handlers ({}); choose one with --handler", path_, durable.size(),
                                           fmt::join(names, ", ")));
    }
    return *durable.front();
  }
  const HandlerDefinition* def = registry_->find(name);
  if (!def || def->kind != HandlerKind::Durable)
    throw std::runtime_error(fmt::format("no handler named '{}' in {}", name, path_));
  return *def;
}

std::string readEventArgument(const std::string& arg) {
  std::string text = arg;
  if (!arg.empty() && arg[0] == '@') {
    std::ifstream in(arg.substr(1));
    if (!in) throw std::runtime_error(fmt::format("cannot read event file {}", arg.substr(1)));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  try {
    return Json::parse(text).dump();
  } catch (const Json::parse_error& e) {
    throw std::runtime_error(fmt::format("the event is not valid JSON: {}", e.what()));
  }
}

}  // namespace rwd::tools
