// Handlers the transport tests run, in process and in a bootstrap process (loaded by
// name from this library): every kind of operation, a failure, many records.
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"
#include "rewind/retry.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::Json;

struct Flaky : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Steps, a retried step, a wait, a callback, a parallel fan-out, a child context, an
// invoke and logs: many invocations and every kind of operation.
std::string everyKind(const Json&, DurableContext& ctx) {
  ctx.logger().info("starting");
  int a = ctx.step("a", [] { return 1; });
  int b = ctx.step("flaky",
                   [](rwd::StepContext& sc) {
                     if (sc.attempt() < 2) throw Flaky("not yet");
                     return 2;
                   },
                   {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
  ctx.wait("pause", 5s);
  std::string verdict = ctx.waitForCallback("approve", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  auto r = ctx.parallel<int>("fan", {{"x", [](DurableContext& c) { return c.step("x1", [] { return 3; }); }},
                                     {"y", [](DurableContext& c) { return c.step("y1", [] { return 4; }); }}});
  int c = ctx.runInChildContext("child", [](DurableContext& child) { return child.step("inner", [] { return 5; }); });
  int d = ctx.invoke<int>("double", "doubler", 6);
  int sum = a + b + c + d;
  for (int v : r.getResults()) sum += v;
  ctx.logger().info("done");
  return verdict + ":" + std::to_string(sum);
}

// A failing step and a failed execution.
int failing(const Json&, DurableContext& ctx) {
  return ctx.step("boom", []() -> int { throw std::runtime_error("kaput"); },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 2})});
}

// Many records, so that the invocation after the wait pages its initial state.
int manyRecords(const Json&, DurableContext& ctx) {
  std::vector<int> items(150);
  for (int i = 0; i < 150; ++i) items[static_cast<std::size_t>(i)] = i;
  auto r = ctx.map("items", items, [](DurableContext& c, const int& v, std::size_t, const std::vector<int>&) {
    return c.step("sq", [v] { return v * v; });
  });
  ctx.wait("rest", 1s);
  int sum = 0;
  for (int v : r.getResults()) sum += v;
  return sum;
}

// An at-most-once step whose first attempt kills the process (in process: the runner's
// simulated crash; in a bootstrap: the process exits). The next invocation finds it
// STARTED, the retry runs attempt 2.
std::string crashesOnce(const Json&, DurableContext& ctx) {
  return ctx.step("fragile",
                  [](rwd::StepContext& sc) -> std::string {
                    if (sc.attempt() == 1) rwd::testing::simulateProcessCrash();
                    return "survived";
                  },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 2}),
                   .semantics = rwd::StepSemantics::AtMostOncePerRetry});
}

// As crashesOnce, but the first attempt hangs (only ever run in a bootstrap process: the
// test server's invocation timeout kills it).
std::string hangsOnce(const Json&, DurableContext& ctx) {
  return ctx.step("stuck",
                  [](rwd::StepContext& sc) -> std::string {
                    if (sc.attempt() == 1)
                      for (;;) ::pause();
                    return "unstuck";
                  },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 2}),
                   .semantics = rwd::StepSemantics::AtMostOncePerRetry});
}

// {"n": N} sequential steps in one invocation (the benchmarks' workflow).
int sequentialSteps(const Json& input, DurableContext& ctx) {
  int n = input.value("n", 100), sum = 0;
  for (int i = 0; i < n; ++i) sum += ctx.step([i] { return i; });
  return sum;
}

}  // namespace

REWIND_HANDLER("sequential-steps", sequentialSteps);
REWIND_HANDLER("every-kind", everyKind);
REWIND_HANDLER("failing", failing);
REWIND_HANDLER("many-records", manyRecords);
REWIND_HANDLER("crashes-once", crashesOnce);
REWIND_HANDLER("hangs-once", hangsOnce);
