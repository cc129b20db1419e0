// The entry point of a plugin library: a shared library that rewind-run, rewind-check,
// rewind-conformance (--plugin LIB, or DURABLE_EXECUTION_PLUGINS=LIB[,LIB...]) and any
// program calling rwd::loadPluginLibraries() load without recompiling, as the AWS JS
// SDK loads the modules named in DURABLE_EXECUTION_PLUGINS.
//
//   // my_plugin.cpp, built as a SHARED library linked to rewind::runner
//   class AuditPlugin : public rwd::Plugin { ... };
//   REWIND_PLUGIN(AuditPlugin)
//
// The library exports `rewind_plugin_provider_v1`, returning a PluginProvider whose
// createPlugin() makes one plugin instance per loading runner (the JS SDK's
// durableExecutionPluginProvider.createPlugin()).
#pragma once

#include <memory>

#include "rewind/plugin.hpp"

namespace rwd {

// Version of the provider contract; a library built for another one is refused.
inline constexpr int kPluginApiVersion = 1;

struct PluginProvider {
  int pluginApiVersion = kPluginApiVersion;
  const char* pluginType = "";  // the plugin class, for messages
  std::shared_ptr<Plugin> (*createPlugin)() = nullptr;
};

}  // namespace rwd

// Defines the library's entry point for a default-constructible Plugin subclass.
#define REWIND_PLUGIN(PluginType)                                                                              \
  extern "C" __attribute__((visibility("default"))) const ::rwd::PluginProvider* rewind_plugin_provider_v1() { \
    static const ::rwd::PluginProvider provider{                                                               \
        ::rwd::kPluginApiVersion, #PluginType,                                                                 \
        []() -> std::shared_ptr<::rwd::Plugin> { return std::make_shared<PluginType>(); }};                    \
    return &provider;                                                                                          \
  }
