// Handlers rewind-server's tests run in real bootstrap processes (rewind_add_lambda).
// The input is {"key": K}: K names the execution in what a handler tells the test
// (callback ids, written as "K ID\n" to $REWIND_SERVER_TEST_FIFO) and its marker files
// (in $REWIND_SERVER_TEST_DIR) that make a failure happen once only.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"
#include "rewind/retry.hpp"

namespace {

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::Json;

std::string keyOf(const Json& input) { return input.is_object() ? input.value("key", std::string("none")) : "none"; }

// True the first time `what` happens for `key` (a marker file records it).
bool firstTime(const std::string& key, const std::string& what) {
  const char* dir = std::getenv("REWIND_SERVER_TEST_DIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/" + what + "-" + key;
  if (std::ifstream(path).good()) return false;
  std::ofstream(path) << "1";
  return true;
}

void tellTest(const std::string& line) {
  const char* fifo = std::getenv("REWIND_SERVER_TEST_FIFO");
  if (!fifo) return;
  int fd = ::open(fifo, O_WRONLY);
  if (fd < 0) return;
  std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
  ::close(fd);
}

// Two steps around a 30-second wait.
std::string stepsAndWait(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  std::string greeting = ctx.step("greet", [key] { return "hello " + key; });
  ctx.wait("pause", 30s);
  return ctx.step("finish", [greeting] { return greeting + " done"; });
}

// Waits for a callback the test answers; the submitter tells the test the callback id.
std::string callback(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  std::string answer = ctx.waitForCallback(
      "approval", [key](const std::string& id, rwd::StepContext&) { tellTest(key + " " + id); }, {.timeout = 24h});
  return "approved:" + answer;
}

// The soak workflow: a step, a wait, a callback, a step.
std::string waitAndCallback(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  ctx.step("prepare", [key] { return key; });
  ctx.wait("cool-off", 30s);
  std::string answer = ctx.waitForCallback(
      "approval", [key](const std::string& id, rwd::StepContext&) { tellTest(key + " " + id); }, {.timeout = 24h});
  return ctx.step("finish", [key, answer] { return key + ":" + answer; });
}

// A callback nobody answers in time (10 s).
std::string callbackTimeout(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  return ctx.waitForCallback("late", [key](const std::string& id, rwd::StepContext&) { tellTest(key + " " + id); },
                             {.timeout = 10s});
}

// The process dies inside a step the first time (a crashed sandbox).
std::string crashOnce(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  ctx.step("before", [] { return 1; });
  ctx.step("fragile", [key] {
    if (firstTime(key, "crash")) std::_Exit(42);
    return 2;
  });
  return "survived";
}

// The first invocation hangs inside a step until the server kills it (invocation timeout).
std::string hangOnce(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  ctx.step("slow", [key] {
    if (firstTime(key, "hang"))
      for (;;) ::pause();
    return 1;
  });
  return "finished";
}

struct Flaky : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A step that fails its first attempt and is retried after a delay.
int retry(const Json&, DurableContext& ctx) {
  return ctx.step("flaky",
                  [](rwd::StepContext& sc) {
                    if (sc.attempt() < 2) throw Flaky("not yet");
                    return 7;
                  },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
}

// The remote runner's workflow (remote_runner_test.cpp runs it locally and through the
// server): a step, a wait, a callback the test answers, a step that succeeds on its
// second attempt.
std::string approvalFlow(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  std::string order = ctx.step("validate", [key] { return "order-" + key; });
  ctx.wait("cool-off", 30s);
  std::string answer = ctx.waitForCallback("approval", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  int sent = ctx.step("notify",
                      [](rwd::StepContext& sc) {
                        if (sc.attempt() < 2) throw Flaky("mail server busy");
                        return 2;
                      },
                      {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
  return order + ":" + answer + ":" + std::to_string(sent);
}

// A chained invoke of input["target"] (a name or an ARN) with input["payload"]: returns its
// result, or "caught TYPE: MESSAGE" when the invoke failed (the error the SDK got).
Json invoker(const Json& input, DurableContext& ctx) {
  try {
    return ctx.invoke("call", input.at("target").get<std::string>(), input.at("payload"));
  } catch (const rwd::InvokeError& e) {
    return "caught " + e.errorType() + ": " + e.message();
  }
}

// A failed execution.
int fails(const Json&, DurableContext& ctx) {
  return ctx.step("boom", []() -> int { throw std::runtime_error("kaput"); },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 1})});
}

// Fails in its second step while the file broken-KEY exists; counts the runs of its first
// step in prepared-KEY (one line each). A redrive after the file is removed succeeds.
std::string failsUntilFixed(const Json& input, DurableContext& ctx) {
  std::string key = keyOf(input);
  const char* env = std::getenv("REWIND_SERVER_TEST_DIR");
  std::string dir = env ? env : "/tmp";
  std::string prepared = ctx.step("prepare", [&] {
    std::ofstream(dir + "/prepared-" + key, std::ios::app) << "run\n";
    return "prepared " + key;
  });
  ctx.wait("settle", 30s);
  return ctx.step("deliver",
                  [&]() -> std::string {
                    if (std::ifstream(dir + "/broken-" + key).good()) throw Flaky("the mail server is down");
                    return prepared + " delivered";
                  },
                  {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 1})});
}

// Markup where the /ui pages must show text: a step named with a script, markup in the
// step's result (the input's "text") and in the execution's error.
std::string oddNames(const Json& input, DurableContext& ctx) {
  std::string text = input.is_object() ? input.value("text", std::string()) : std::string();
  ctx.step("<script>document.title='pwned'</script>", [text] { return text; });
  throw std::runtime_error("</pre><img src=x onerror=\"document.body.dataset.pwned='error'\">");
}

}  // namespace

REWIND_HANDLER("fails-until-fixed", failsUntilFixed);
REWIND_HANDLER("steps-and-wait", stepsAndWait);
REWIND_HANDLER("callback", callback);
REWIND_HANDLER("callback-timeout", callbackTimeout);
REWIND_HANDLER("wait-and-callback", waitAndCallback);
REWIND_HANDLER("crash-once", crashOnce);
REWIND_HANDLER("hang-once", hangOnce);
REWIND_HANDLER("retry", retry);
REWIND_HANDLER("fails", fails);
REWIND_HANDLER("odd-names", oddNames);
REWIND_HANDLER("approval-flow", approvalFlow);
REWIND_HANDLER("invoker", invoker);
