// Conformance handlers of the wait family (requirement ids 2.x).
#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::DurableContext;

// 2.1: a single unnamed wait.
void waitBasic(const Json&, DurableContext& ctx) { ctx.wait(2s); }

// 2.2: a named wait.
void waitWithName(const Json&, DurableContext& ctx) { ctx.wait("custom_wait_name", 2s); }

// 2.4: a wait given in minutes (Duration 60).
void waitMinutes(const Json&, DurableContext& ctx) { ctx.wait(1min); }

// 2.5: a wait of one hour (Duration 3600).
void waitHours(const Json&, DurableContext& ctx) { ctx.wait(1h); }

}  // namespace
}  // namespace conformance

REWIND_HANDLER("2.1", conformance::waitBasic);
REWIND_HANDLER("2.2", conformance::waitWithName);
REWIND_HANDLER("2.4", conformance::waitMinutes);
REWIND_HANDLER("2.5", conformance::waitHours);
