#include "workflow.hpp"

#include <chrono>

#include <rewind/handler.hpp>

namespace consumer {

std::string approval(const Request& request, rwd::DurableContext& ctx) {
  int cents = ctx.step("price", [&](rwd::StepContext&) { return request.amount * 100; });
  if (cents < 10000) return request.id + ": auto";
  std::string verdict =
      ctx.waitForCallback("approve", [](const std::string&, rwd::StepContext&) {}, {.timeout = std::chrono::hours(8)});
  return request.id + ": " + verdict;
}

}  // namespace consumer

REWIND_HANDLER("approval", consumer::approval);
