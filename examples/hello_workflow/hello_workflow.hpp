// hello_workflow: the shortest durable workflow — load a user, wait one minute, send an
// email.
#pragma once

#include <string>

#include <rewind/durable_context.hpp>

namespace hello {

struct Request {
  std::string userId;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Request, userId)

struct User {
  std::string id;
  std::string email;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(User, id, email)

std::string helloWorkflow(const Request& request, rwd::DurableContext& ctx);

}  // namespace hello
