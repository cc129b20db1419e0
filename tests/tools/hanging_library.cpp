// Handlers that outlive any invocation timeout (#16.12), for the tools' --invocation-timeout:
// "slow-steps" keeps calling durable operations (stopped at the next one), "stuck" sits in
// a step body that never returns (the process ends with exit status 124).
#include <chrono>
#include <thread>

#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"

namespace {

using namespace std::chrono_literals;

int slowSteps(const rwd::Json&, rwd::DurableContext& ctx) {
  int n = 0;
  while (true)
    n += ctx.step("slow", [](rwd::StepContext&) {
      std::this_thread::sleep_for(20ms);
      return 1;
    });
  return n;
}

int stuck(const rwd::Json&, rwd::DurableContext& ctx) {
  return ctx.step("stuck", [](rwd::StepContext&) {
    while (true) std::this_thread::sleep_for(10ms);
    return 0;
  });
}

}  // namespace

REWIND_HANDLER("slow-steps", slowSteps);
REWIND_HANDLER("stuck", stuck);
