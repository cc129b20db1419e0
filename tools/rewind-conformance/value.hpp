// The value type of requirement files: JSON that keeps the key order of the YAML
// source, so that a payload re-encoded the way Python does keeps its key order too.
#pragma once

#include <nlohmann/json.hpp>

namespace rwd::conformance {

using Value = nlohmann::ordered_json;

}  // namespace rwd::conformance
