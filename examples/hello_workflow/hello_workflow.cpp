// hello_workflow: the shortest durable workflow — load a user, wait one minute, send an
// email. Run it with:
//   rewind-run build/examples/hello_workflow/libhello_workflow.so --event '{"userId":"alice"}' --skip-time
#include <string>

#include <rewind/handler.hpp>

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

std::string helloWorkflow(const Request& request, rwd::DurableContext& ctx) {
  User user = ctx.step("load-user", [&](rwd::StepContext&) {
    return User{request.userId, request.userId + "@example.com"};
  });
  ctx.wait("wait-a-minute", std::chrono::minutes(1));
  return ctx.step("send-email", [&](rwd::StepContext& step) {
    step.logger().info("sending the welcome email to " + user.email);
    return "sent welcome email to " + user.email;
  });
}

}  // namespace hello

REWIND_HANDLER("hello", hello::helloWorkflow);
