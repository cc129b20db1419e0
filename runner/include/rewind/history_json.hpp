// JSON forms of history events as GetDurableExecutionHistory writes them (operation
// records and updates: operation_json.hpp, included here).
#pragma once

#include <vector>

#include "rewind/operation.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

Json toJson(const HistoryEvent& event);
Json historyToJson(const std::vector<HistoryEvent>& events);

}  // namespace rwd
