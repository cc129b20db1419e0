// A consumer of the Rewind package: one handler, run on the local runner.
#include <iostream>

#include <rewind/local_runner.hpp>

int main() {
  rwd::LocalDurableTestRunner runner([](const std::string& name, rwd::DurableContext& ctx) {
    auto greeting = ctx.step("greet", [&](rwd::StepContext&) { return "hello " + name; });
    ctx.wait("pause", std::chrono::seconds(5));
    return greeting;
  });
  const auto& result = runner.run(std::string("consumer"));
  std::cout << result.getResult().get<std::string>() << "\n";
  return result.getStatus() == rwd::ExecutionStatus::Succeeded ? 0 : 1;
}
