// The consumer's workflow: price a request (a step), ask for approval above a limit (a
// callback with a timeout), return the decision.
#pragma once

#include <string>

#include <nlohmann/json.hpp>
#include <rewind/durable_context.hpp>

namespace consumer {

struct Request {
  std::string id;
  int amount = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Request, id, amount)

std::string approval(const Request& request, rwd::DurableContext& ctx);

}  // namespace consumer
