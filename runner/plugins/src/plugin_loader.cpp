// Plugin libraries: dlopen, the versioned provider, one plugin per library.
#include "rewind/plugins/plugin_loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "rewind/plugin_provider.hpp"

namespace rwd {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void loadFailed(const std::string& library, const std::string& why) {
  throw std::runtime_error(fmt::format("cannot load plugin library {}: {} [rewind.plugin.load_failed]", library, why));
}

}  // namespace

std::vector<std::string> parsePluginLibraryList(std::string_view value) {
  std::vector<std::string> out;
  if (trim(value).empty()) return out;
  std::set<std::string, std::less<>> seen;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    std::string_view entry = trim(value.substr(start, end - start));
    if (entry.empty())
      throw std::invalid_argument(
          fmt::format("{} must list non-empty, comma-separated plugin libraries "
                      "[rewind.plugin.load_failed]",
                      kPluginsEnvironmentVariable));
    if (!seen.emplace(entry).second)
      throw std::invalid_argument(fmt::format("{} names plugin library '{}' twice [rewind.plugin.load_failed]",
                                              kPluginsEnvironmentVariable, entry));
    out.emplace_back(entry);
    start = end + 1;
  }
  return out;
}

std::vector<std::string> pluginLibrariesFromEnvironment() {
  const char* value = std::getenv(kPluginsEnvironmentVariable);
  return value ? parsePluginLibraryList(value) : std::vector<std::string>{};
}

PluginList loadPluginLibraries(const std::vector<std::string>& libraries) {
  PluginList out;
  for (const std::string& library : libraries) {
    std::string path = library.find('/') == std::string::npos ? "./" + library : library;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) loadFailed(library, dlerror());
    using Entry = const PluginProvider* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "rewind_plugin_provider_v1"));
    if (!entry) loadFailed(library, "no rewind_plugin_provider_v1 entry point (define it with REWIND_PLUGIN)");
    const PluginProvider* provider = entry();
    if (!provider || !provider->createPlugin) loadFailed(library, "its provider has no createPlugin");
    if (provider->pluginApiVersion != kPluginApiVersion)
      loadFailed(library, fmt::format("it declares plugin API version {}, this build supports version {}",
                                      provider->pluginApiVersion, kPluginApiVersion));
    std::shared_ptr<Plugin> plugin;
    try {
      plugin = provider->createPlugin();
    } catch (const std::exception& e) {
      loadFailed(library, fmt::format("createPlugin() of {} threw: {}", provider->pluginType, e.what()));
    }
    if (!plugin) loadFailed(library, fmt::format("createPlugin() of {} returned no plugin", provider->pluginType));
    out.push_back(std::move(plugin));
  }
  return out;
}

}  // namespace rwd
