// hello_workflow: the shortest durable workflow — load a user, wait one minute, send an
// email. Run it with:
//   rewind-run build/examples/hello_workflow/libhello_workflow.so --event '{"userId":"alice"}' --skip-time
#include "hello_workflow.hpp"

#include <rewind/handler.hpp>

namespace hello {

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
