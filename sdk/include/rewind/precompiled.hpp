// The headers a handler file includes, for a precompiled header (rewind_precompile_headers()
// in CMake; or `g++ -x c++-header` of this file with your flags, then `-include
// rewind/precompiled.hpp`). Parsing them is a third of a typical handler file's compile
// time (bench/compile_cost.sh): once per target instead of once per file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rewind/handler.hpp"
#include "rewind/retry.hpp"
