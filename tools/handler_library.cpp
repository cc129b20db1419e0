// dlopen/dlsym of a handler library's versioned entry point.
#include "handler_library.hpp"

#include <dlfcn.h>

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

}  // namespace rwd::tools
