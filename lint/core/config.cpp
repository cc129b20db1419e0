// LintConfig: parsing with yaml-cpp; emitting with yaml-cpp's emitter.
#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rwd::lint {

LintConfig parseConfig(std::string_view yaml, const std::string& origin) {
  LintConfig config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": invalid YAML: " + e.what());
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) throw ConfigError(origin + ": expected a YAML mapping");
  try {
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "Checks") {
        config.checks = value.as<std::string>();
      } else if (key == "WarningsAsErrors") {
        config.warningsAsErrors = value.as<std::string>();
      } else if (key == "HeaderFilterRegex") {
        config.headerFilterRegex = value.as<std::string>();
      } else if (key == "CheckOptions") {
        if (value.IsMap()) {
          for (const auto& option : value) {
            config.checkOptions[option.first.as<std::string>()] = option.second.as<std::string>();
          }
        } else if (value.IsSequence()) {  // clang-tidy's older list form
          for (const auto& option : value) {
            config.checkOptions[option["key"].as<std::string>()] = option["value"].as<std::string>();
          }
        } else if (!value.IsNull()) {
          throw ConfigError(origin + ": CheckOptions must be a mapping");
        }
      } else {
        throw ConfigError(origin + ": unknown key '" + key +
                          "' (expected Checks, WarningsAsErrors, "
                          "HeaderFilterRegex, CheckOptions)");
      }
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": " + e.what());
  }
  return config;
}

LintConfig loadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::stringstream text;
  text << in.rdbuf();
  return parseConfig(text.str(), path);
}

std::optional<std::string> findConfigFile(const std::string& directory) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(directory, ec);
  if (ec) return std::nullopt;
  while (true) {
    std::filesystem::path candidate = dir / kConfigFileName;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

LintConfig mergeConfig(const LintConfig& base, const LintConfig& override) {
  LintConfig merged = base;
  if (override.checks) {
    merged.checks = base.checks ? *base.checks + "," + *override.checks : *override.checks;
  }
  if (override.warningsAsErrors) merged.warningsAsErrors = override.warningsAsErrors;
  if (override.headerFilterRegex) merged.headerFilterRegex = override.headerFilterRegex;
  for (const auto& [key, value] : override.checkOptions) merged.checkOptions[key] = value;
  return merged;
}

std::string dumpConfig(const LintConfig& effective, const std::map<std::string, std::string>& allOptions) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "Checks" << YAML::Value << YAML::SingleQuoted << effective.checks.value_or(kDefaultChecks);
  out << YAML::Key << "WarningsAsErrors" << YAML::Value << YAML::SingleQuoted
      << effective.warningsAsErrors.value_or("");
  out << YAML::Key << "HeaderFilterRegex" << YAML::Value << YAML::SingleQuoted
      << effective.headerFilterRegex.value_or("");
  out << YAML::Key << "CheckOptions" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : allOptions) {
    out << YAML::Key << key << YAML::Value << YAML::SingleQuoted << value;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace rwd::lint
