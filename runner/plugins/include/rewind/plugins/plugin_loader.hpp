// Loads plugin libraries (REWIND_PLUGIN, rewind/plugin_provider.hpp) by path: the
// equivalent of the AWS JS SDK's DURABLE_EXECUTION_PLUGINS, for tools and hosts that
// take plugins without recompiling.
//
//   rwd::RunnerOptions options;
//   for (auto& p : rwd::loadPluginLibraries(rwd::pluginLibrariesFromEnvironment()))
//     options.handlerConfig.plugins.push_back(p);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewind/plugin.hpp"

namespace rwd {

// The environment variable naming plugin libraries, comma-separated (the JS SDK's name).
inline constexpr const char* kPluginsEnvironmentVariable = "DURABLE_EXECUTION_PLUGINS";

// Splits a DURABLE_EXECUTION_PLUGINS value as the JS SDK does: comma-separated, entries
// trimmed; empty or blank means none. Throws std::invalid_argument
// ([rewind.plugin.load_failed]) on an empty entry or a library named twice.
std::vector<std::string> parsePluginLibraryList(std::string_view value);

// parsePluginLibraryList of the variable's value in this process's environment.
std::vector<std::string> pluginLibrariesFromEnvironment();

// dlopen()s each library (a bare file name is taken from the current directory), checks
// its rewind_plugin_provider_v1 entry point and API version, and creates one plugin
// from each, in order. Throws std::runtime_error with a one-line message ending in
// [rewind.plugin.load_failed] naming the library when one cannot be loaded, has no
// entry point, another API version, or its createPlugin() throws or returns null.
// Libraries stay loaded for the life of the process.
PluginList loadPluginLibraries(const std::vector<std::string>& libraries);

}  // namespace rwd
