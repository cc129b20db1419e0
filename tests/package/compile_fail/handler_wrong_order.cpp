// Handler parameters in the wrong order: the context first, the event second.
// expect: handler parameters in the wrong order: a durable handler is `Result handler\(const Event& event,
// rwd::DurableContext& ctx\)`
#include <rewind/handler.hpp>

std::string greet(rwd::DurableContext& ctx, const std::string& name) {
  return ctx.step("greet", [&](rwd::StepContext&) { return "hello " + name; });
}
REWIND_HANDLER("greet", greet);
