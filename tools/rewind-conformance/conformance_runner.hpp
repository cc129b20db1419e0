// Runs one requirement file against the C++ handler registered for its id, with
// skip-time and the file's CallbackActions, and matches the result, the history and
// the logs by the rules of DESIGN.md section 2.
//
//   HandlerSet handlers;  handlers.add(library->registry(), library->path());
//   Report r = runRequirement(requirement, handlers, {.seed = 7});
//   if (r.verdict == Verdict::Fail) std::cout << r.message;  // first mismatching path
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "handler_set.hpp"
#include "requirement.hpp"
#include "rewind/plugin.hpp"
#include "value.hpp"

#include "rewind/local_runner.hpp"

namespace rwd {
class LocalDurableTestRunner;
}

namespace rwd::conformance {

enum class Verdict { Pass, Fail, Skip, NotImplemented, OptionalFailed };
std::string_view toString(Verdict v);  // PASS, FAIL, SKIP, NOT-IMPLEMENTED, OPTIONAL-FAILED

// Runs a requirement's invocations elsewhere (a transport: a bootstrap process behind the
// Lambda Runtime API): the executor for the handler `id` of library `origin`.
using TransportFactory = std::function<InvocationExecutor(const std::string& id, const std::string& origin)>;

// What one execution on a deployed function did: its history as
// GetDurableExecutionHistory returned it, its status (SUCCEEDED, ..., RUNNING when the
// events already settled the requirement), result and error text. `hosted` is false
// when the endpoint has no function for the requirement (`why` says so).
struct EndpointOutcome {
  bool hosted = true;
  std::string why;
  Value history = Value::array();
  std::string status;
  std::optional<std::string> result;
  std::string error;
};
// Runs requirement `id`'s execution on a deployed function: `input` (JSON text) is the
// Invoke payload, `actions` (the CallbackActions, substituted; null without) answer its
// callbacks through SendDurableExecutionCallback*. `settled(history)` is true once the
// events read so far decide the requirement (no ExpectedResult, every expected event
// there): the execution need not be waited for further.
using EndpointExecution =
    std::function<EndpointOutcome(const std::string& id, const std::string& input, const Value& actions,
                                  const std::function<bool(const Value& history)>& settled)>;

struct RunSettings {
  std::uint64_t seed = 7;  // the runner's seed (ids, jitter) and the Variables' generator
  PluginList plugins;      // registered after the handler's own (--plugin, DURABLE_EXECUTION_PLUGINS)
  // When set, each requirement that ran also runs through the transport, and fails
  // unless its history, status and result equal the in-process run's.
  TransportFactory transport;
  std::string transportName;  // for messages
  // Wall-clock limit of each invocation (RunnerOptions::invocationTimeout).
  std::optional<std::chrono::milliseconds> invocationTimeout;
  std::chrono::milliseconds invocationTimeoutGrace{5000};
  // When set, requirements run on deployed functions instead (rewind-conformance
  // --endpoint): no handler library is needed, and ExpectedLogs cannot be checked (the
  // records stay in the function's process): such a requirement whose history and result
  // match is SKIP, saying so.
  EndpointExecution endpoint;
  std::string endpointName;  // for messages
};

struct Report {
  Verdict verdict = Verdict::Skip;
  std::string message;  // PASS: a summary; FAIL: the first mismatch; SKIP: why
  // What the execution did (empty when it did not run).
  bool ran = false;
  Value history = Value::array();
  std::string status;
  std::optional<std::string> result;
  std::string error;
  std::vector<Value> logs;
};

Report runRequirement(const Requirement& requirement, const HandlerSet& handlers, const RunSettings& settings);

// Where CallbackActions go: a responder by callback name ("*": any), or by a matcher of
// the callback's names (a ${/re/} name, or one no callback can have).
struct CallbackActionSink {
  std::function<void(std::string name, CallbackResponse response)> byName;
  std::function<void(CallbackNameMatcher matcher, CallbackResponse response)> byMatcher;
};

// Registers a requirement's CallbackActions (already substituted) with `runner` (or
// `sink`). Returns how many were registered; throws std::invalid_argument naming the bad
// action.
std::size_t applyCallbackActions(const Value& actions, LocalDurableTestRunner& runner);
std::size_t applyCallbackActions(const Value& actions, const CallbackActionSink& sink);

}  // namespace rwd::conformance
