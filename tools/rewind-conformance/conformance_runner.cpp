// One requirement: load, substitute Variables, run with the runner, match. The order
// of the checks (history, result, logs) follows the reference model, so that bindings
// made in the history are visible to the others.
#include "conformance_runner.hpp"

#include <cmath>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "log_records.hpp"
#include "matcher.hpp"
#include "not_implemented.hpp"
#include "python_json.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"
#include "yaml_value.hpp"

namespace rwd::conformance {

std::string_view toString(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "PASS";
    case Verdict::Fail:
      return "FAIL";
    case Verdict::Skip:
      return "SKIP";
    case Verdict::NotImplemented:
      return "NOT-IMPLEMENTED";
    case Verdict::OptionalFailed:
      return "OPTIONAL-FAILED";
  }
  return "?";
}

namespace {

// PyYAML truthiness of a flag (`AsyncInvoke: true`, `optional: true`).
bool truthy(const Value& spec, const char* key) {
  if (!spec.contains(key)) return false;
  const Value& v = spec[key];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_null()) return false;
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
  return false;
}

std::optional<std::string> errorField(const Value& src, const char* key) {
  if (!src.contains(key) || src[key].is_null()) return std::nullopt;
  const Value& v = src[key];
  return v.is_string() ? v.get<std::string>() : pythonJsonDumps(v);
}

// A `failure` action's error: its Payload object (or, without one, the action's own
// ErrorType/ErrorMessage/... keys), unchanged.
ErrorObject failureError(const Value& action) {
  const Value& src = action.contains("Payload") && action["Payload"].is_object() ? action["Payload"] : action;
  ErrorObject e;
  e.errorType = errorField(src, "ErrorType").value_or("");
  e.errorMessage = errorField(src, "ErrorMessage").value_or("");
  e.errorData = errorField(src, "ErrorData");
  if (src.contains("StackTrace") && !src["StackTrace"].is_null()) {
    std::vector<std::string> lines;
    if (src["StackTrace"].is_array()) {
      for (const auto& line : src["StackTrace"])
        lines.push_back(line.is_string() ? line.get<std::string>() : line.dump());
    } else {
      lines.push_back(pythonText(src["StackTrace"]));
    }
    e.stackTrace = std::move(lines);
  }
  return e;
}

Duration actionDelay(const Value& action, std::size_t index) {
  if (!action.contains("Delay") || action["Delay"].is_null()) return Duration{0};
  const Value& d = action["Delay"];
  // Bounded (ten years) before the conversion: a larger value, infinity or NaN would
  // overflow it or the virtual clock.
  constexpr double kMaxDelay = 315360000;
  if (!d.is_number() || d.is_boolean() || !(d.get<double>() >= 0 && d.get<double>() <= kMaxDelay))
    throw std::invalid_argument(fmt::format(
        "CallbackActions[{}].Delay must be a non-negative number of seconds, at most {}", index, kMaxDelay));
  // The virtual clock counts whole seconds; a fractional delay rounds up.
  return Duration{static_cast<Duration::rep>(std::ceil(d.get<double>()))};
}

std::string describeError(const std::optional<ErrorObject>& e) {
  if (!e) return {};
  return e->errorMessage.empty() ? e->errorType : fmt::format("{}: {}", e->errorType, e->errorMessage);
}

}  // namespace

std::size_t applyCallbackActions(const Value& actions, LocalDurableTestRunner& runner) {
  return applyCallbackActions(
      actions,
      CallbackActionSink{
          [&runner](std::string name, CallbackResponse r) { runner.onCallback(std::move(name), std::move(r)); },
          [&runner](CallbackNameMatcher m, CallbackResponse r) { runner.onCallback(std::move(m), std::move(r)); }});
}

std::size_t applyCallbackActions(const Value& actions, const CallbackActionSink& runner) {
  if (actions.is_null()) return 0;
  if (!actions.is_array()) throw std::invalid_argument("CallbackActions must be a list");
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const Value& action = actions[i];
    if (!action.is_object()) throw std::invalid_argument(fmt::format("CallbackActions[{}] must be a mapping", i));
    std::string op = action.contains("Operation") && action["Operation"].is_string()
                         ? action["Operation"].get<std::string>()
                         : std::string();
    CallbackResponse response;
    if (op == "success") {
      // Python's json.dumps of the payload, separators and escapes included; no
      // Payload key, no result.
      response = CallbackResponse::success(action.contains("Payload") ? Payload(pythonJsonDumps(action["Payload"]))
                                                                      : Payload());
    } else if (op == "failure") {
      response = CallbackResponse::failure(failureError(action));
    } else if (op == "heartbeat") {
      response = CallbackResponse::heartbeat();
    } else {
      throw std::invalid_argument(
          fmt::format("CallbackActions[{}]: unknown Operation '{}' (success, failure or heartbeat)", i, op));
    }
    response = response.after(actionDelay(action, i));

    if (!action.contains("CallbackName"))
      throw std::invalid_argument(fmt::format("CallbackActions[{}] needs a CallbackName ('*' for any)", i));
    const Value& name = action["CallbackName"];
    std::string pattern;
    if (!name.is_string()) {
      // As in the reference model, a typed name (a number, a bool) equals no callback
      // name, which are strings.
      runner.byMatcher(CallbackNameMatcher([](const std::vector<std::string>&) { return false; }), response);
    } else if (isRegexReference(name.get<std::string>(), &pattern)) {
      regexSearch(pattern, "");  // reports an invalid pattern now, not at the first callback
      runner.byMatcher(CallbackNameMatcher([pattern](const std::vector<std::string>& names) {
                         for (const auto& n : names)
                           if (regexSearch(pattern, n)) return true;
                         return false;
                       }),
                       response);
    } else {
      runner.byName(name.get<std::string>(), response);
    }
  }
  return actions.size();
}

namespace {

// The requirement on a deployed function: the same matching, on the service's history.
Report runThroughEndpoint(const Requirement& requirement, const Value& spec, const Variables& variables,
                          const RunSettings& settings, bool optional) {
  Report report;
  auto fail = [&](std::string message) {
    report.verdict = optional ? Verdict::OptionalFailed : Verdict::Fail;
    report.message = std::move(message);
    return report;
  };
  const Value none;
  auto field = [&](const char* key) -> const Value& { return spec.contains(key) ? spec[key] : none; };
  const Value actions =
      truthy(spec, "AsyncInvoke") && spec.contains("CallbackActions") ? spec["CallbackActions"] : Value();
  try {
    applyCallbackActions(actions, CallbackActionSink{[](std::string, CallbackResponse) {},
                                                     [](CallbackNameMatcher, CallbackResponse) {}});
  } catch (const std::exception& e) {
    return fail(fmt::format("invalid CallbackActions: {}", e.what()));
  }
  const Value input = spec.contains("Input") ? spec["Input"] : Value();
  const std::string inputText = input.dump(-1, ' ', false, Value::error_handler_t::replace);
  // Without an ExpectedResult, the expected events decide: once each expected EventId is
  // there, the rest of the execution (a one-hour wait, say) need not be waited for.
  const Value& expectedResult = field("ExpectedResult");
  const Value& expectedHistory = field("ExpectedExecutionHistory");
  std::int64_t lastExpectedId = 0;
  if (expectedHistory.is_array())
    for (const Value& ev : expectedHistory)
      if (ev.is_object() && ev.contains("EventId") && ev["EventId"].is_number_integer())
        lastExpectedId = std::max(lastExpectedId, ev["EventId"].get<std::int64_t>());
  const bool historyDecides =
      (expectedResult.is_null() || (expectedResult.is_object() && expectedResult.empty())) && lastExpectedId > 0;
  auto settled = [&](const Value& history) {
    if (!historyDecides) return false;
    for (const Value& ev : history)
      if (ev.is_object() && ev.contains("EventId") && ev["EventId"].is_number_integer() &&
          ev["EventId"].get<std::int64_t>() >= lastExpectedId)
        return true;
    return false;
  };
  EndpointOutcome out;
  try {
    out = settings.endpoint(requirement.id, inputText, actions, settled);
  } catch (const std::exception& e) {
    return fail(fmt::format("through {}: {}", settings.endpointName, e.what()));
  }
  if (!out.hosted) {
    report.verdict = Verdict::Skip;
    report.message = out.why;
    return report;
  }
  report.ran = true;
  report.history = std::move(out.history);
  report.status = std::move(out.status);
  report.result = std::move(out.result);
  report.error = std::move(out.error);
  Matcher matcher(variables);
  std::optional<Mismatch> miss = matchHistory(expectedHistory, report.history, matcher);
  if (!miss) miss = matchResult(expectedResult, report.status, report.result, report.error, matcher);
  if (miss) return fail(miss->describe());
  if (!field("ExpectedLogs").is_null()) {
    report.verdict = Verdict::Skip;
    report.message = fmt::format(
        "history and result match through {}; ExpectedLogs not checked (the log records stay in the function's "
        "process)",
        settings.endpointName);
    return report;
  }
  report.verdict = Verdict::Pass;
  report.message = fmt::format("{} events through {}", report.history.size(), settings.endpointName);
  return report;
}

}  // namespace

Report runRequirement(const Requirement& requirement, const HandlerSet& handlers, const RunSettings& settings) {
  Report report;
  if (auto reason = notImplementedReason(requirement.id)) {
    report.verdict = Verdict::NotImplemented;
    report.message = std::string(*reason);
    return report;
  }
  const HandlerDefinition* def = handlers.handler(requirement.id);
  if (!def && !settings.endpoint) {
    report.verdict = Verdict::Skip;
    report.message = fmt::format("no handler registered for {}", requirement.id);
    return report;
  }

  Value raw;
  try {
    raw = loadYamlFile(requirement.path.string());
  } catch (const std::exception& e) {
    report.verdict = Verdict::Fail;
    report.message = fmt::format("cannot read the requirement: {}", e.what());
    return report;
  }
  if (!raw.is_object()) {
    report.verdict = Verdict::Fail;
    report.message = "the requirement file is not a mapping";
    return report;
  }
  const bool optional = truthy(raw, "optional");
  auto fail = [&](std::string message) {
    report.verdict = optional ? Verdict::OptionalFailed : Verdict::Fail;
    report.message = std::move(message);
    return report;
  };

  Variables variables;
  try {
    variables = generateVariables(raw, settings.seed);
  } catch (const std::invalid_argument& e) {
    return fail(fmt::format("{}: {}", requirement.displayPath, e.what()));
  }
  Value spec = Value::object();
  for (const auto& [k, v] : raw.items())
    if (k != "Variables") spec[k] = v;
  spec = substitute(spec, variables);

  if (settings.endpoint) return runThroughEndpoint(requirement, spec, variables, settings, optional);

  RunnerOptions options;
  options.skipTime = true;
  options.seed = settings.seed;
  options.invocationTimeout = settings.invocationTimeout;
  options.invocationTimeoutGrace = settings.invocationTimeoutGrace;
  options.handlerConfig = def->config;
  options.handlerConfig.plugins.insert(options.handlerConfig.plugins.end(), settings.plugins.begin(),
                                       settings.plugins.end());
  const Value actions =
      truthy(spec, "AsyncInvoke") && spec.contains("CallbackActions") ? spec["CallbackActions"] : Value();
  // When actions exist, a callback none of them answers is an error; without actions,
  // callbacks are left to time out.
  options.failOnUnansweredCallback = actions.is_array() && !actions.empty();
  // Logger records also go to stdout, so that they keep their place among the lines
  // plugins print there (see log_records.hpp).
  options.logStream = &std::cout;
  // The handler's event is the Input's JSON (absent: null).
  const Value input = spec.contains("Input") ? spec["Input"] : Value();
  const std::string inputText = input.dump(-1, ' ', false, Value::error_handler_t::replace);
  // Invoke targets and callback answers, on a fresh runner.
  auto prepare = [&](LocalDurableTestRunner& r) {
    for (const HandlerDefinition* target : handlers.all()) {
      if (target->kind == HandlerKind::Function) {
        r.registerFunction(target->name, target->function);
      } else {
        r.registerDurableFunction(target->name, target->handler, target->config);
      }
    }
    applyCallbackActions(actions, r);
  };
  LocalDurableTestRunner runner(def->handler, options);
  try {
    prepare(runner);
  } catch (const std::exception& e) {
    return fail(fmt::format("invalid CallbackActions: {}", e.what()));
  }
  const ExecutionResult* result = nullptr;
  // What the handler and its plugins print on stdout while it runs are log records too.
  StdoutCapture capture;
  try {
    result = &runner.runPayload(inputText);
  } catch (const std::exception& e) {
    capture.release();
    return fail(fmt::format("runner error: {}", e.what()));
  }
  const std::string printed = capture.release();
  report.ran = true;
  report.history = Value(historyToJson(result->getHistoryEvents()));
  report.status = std::string(toString(result->getStatus()));
  report.result = result->getResultPayload();
  report.error =
      result->getStatus() == ExecutionStatus::Running ? result->getBlockedReason() : describeError(result->getError());
  report.logs = mergeLogRecords(result->getLogs(), printed);

  Matcher matcher(variables);
  std::optional<Mismatch> miss;
  const Value none;
  auto field = [&](const char* key) -> const Value& { return spec.contains(key) ? spec[key] : none; };
  miss = matchHistory(field("ExpectedExecutionHistory"), report.history, matcher);
  if (!miss) miss = matchResult(field("ExpectedResult"), report.status, report.result, report.error, matcher);
  if (!miss) miss = matchLogs(field("ExpectedLogs"), report.logs, matcher);
  if (miss) return fail(miss->describe());

  if (settings.transport) {
    // The same execution with every invocation run through the transport: its history
    // must be the in-process one, event for event.
    RunnerOptions remoteOptions = options;
    remoteOptions.logStream = nullptr;
    const ExecutionResult* remote = nullptr;
    std::unique_ptr<LocalDurableTestRunner> remoteRunner;
    try {
      remoteOptions.invocationExecutor = settings.transport(requirement.id, handlers.origin(requirement.id));
      remoteRunner = std::make_unique<LocalDurableTestRunner>(def->handler, remoteOptions);
      prepare(*remoteRunner);
      remote = &remoteRunner->runPayload(inputText);
    } catch (const std::exception& e) {
      return fail(fmt::format("through the {} transport: {}", settings.transportName, e.what()));
    }
    Value history(historyToJson(remote->getHistoryEvents()));
    if (history != report.history) {
      std::size_t i = 0;
      while (i < history.size() && i < report.history.size() && history[i] == report.history[i]) ++i;
      return fail(fmt::format("through the {} transport the history differs at event {}: {} (in process: {})",
                              settings.transportName, i, i < history.size() ? history[i].dump() : "none",
                              i < report.history.size() ? report.history[i].dump() : "none"));
    }
    if (std::string(toString(remote->getStatus())) != report.status || remote->getResultPayload() != report.result)
      return fail(fmt::format("through the {} transport the execution ended {} (in process: {})",
                              settings.transportName, toString(remote->getStatus()), report.status));
  }

  report.verdict = Verdict::Pass;
  report.message =
      fmt::format("{} invocation(s), {} events", result->getInvocations().size(), result->getHistoryEvents().size());
  if (settings.transport) report.message += fmt::format(", the same through the {} transport", settings.transportName);
  return report;
}

}  // namespace rwd::conformance
