// Reads YAML into Values typed the way PyYAML's safe_load types them (the conformance
// files are written for it): plain `42` is an int, `'42'` a string, an empty value
// null, `true`/`yes`/`on` bools, `1.5` a float, `1e5` a string.
//
// yaml-cpp resolves no types: a plain scalar carries the tag "?", a quoted or block
// scalar "!", so the resolution below looks at the tag and then at PyYAML's implicit
// resolver patterns (YAML 1.1).
//
//   Value spec = loadYamlFile("step/1-1.yaml");
//   spec["Input"];  // "World"
#pragma once

#include <string>
#include <string_view>

#include "value.hpp"

namespace rwd::conformance {

// Throws std::runtime_error naming the file (and line) on unreadable or invalid YAML,
// and on tags safe_load would refuse.
Value loadYamlFile(const std::string& path);
Value parseYaml(std::string_view text);

// The value PyYAML gives an untagged plain scalar. Timestamps stay strings (JSON has
// no datetime); everything else is as in PyYAML.
Value resolvePlainScalar(std::string_view text);

}  // namespace rwd::conformance
