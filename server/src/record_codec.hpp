// How rewind-server stores operation records and history events: an operation as its
// document JSON (operation_json.hpp; ISO timestamps with milliseconds, StepId) plus the
// members the service keeps but the API does not show (a wait's duration, a callback's
// timeouts and last heartbeat, a chained invoke's target and input) under "Rewind"; a
// history event as GetDurableExecutionHistory returns it (epoch-second timestamps).
#pragma once

#include <string>

#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd::server::internal {

std::string encodeRecord(const Operation& op);
Operation decodeRecord(const std::string& text);  // throws std::invalid_argument

// The event in the service model's wire form: the history JSON of history_json.hpp with
// every timestamp as epoch seconds (the rest-json protocol's default).
Json wireEvent(const HistoryEvent& event);

// An operation in the wire form, with what the API shows only.
Json wireOperation(const Operation& op);

}  // namespace rwd::server::internal
