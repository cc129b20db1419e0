// The C++ half of the differential test (diff.py): a handler library whose handler "diff"
// interprets a random program (its input event) with Rewind's API. The Python half runs
// the same program on the reference model; diff.py compares outcomes and histories. The
// program format and each op's meaning are in tests/differential/README.md. The
// library also registers the chained-invoke targets "echo" and "fail" (REWIND_FUNCTION).
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rewind/durable_context.hpp"
#include "rewind/handler.hpp"

namespace {

using rwd::DurableContext;
using rwd::Json;

Json runOps(DurableContext& ctx, const Json& ops, const Json& item);

// Steps with "crash": true crash the process once per run (one run per rewind-run process).
bool firstCrash(const std::string& name) {
  static std::mutex mu;
  static std::set<std::string> crashed;
  std::lock_guard lock(mu);
  return crashed.insert(name).second;
}

rwd::CompletionConfig completionOf(const Json& op) {
  rwd::CompletionConfig c;
  if (op.contains("minSuccessful") && !op["minSuccessful"].is_null())
    c.minSuccessful = op["minSuccessful"].get<std::size_t>();
  if (op.contains("toleratedFailureCount") && !op["toleratedFailureCount"].is_null())
    c.toleratedFailureCount = op["toleratedFailureCount"].get<std::size_t>();
  if (op.contains("toleratedFailurePercentage") && !op["toleratedFailurePercentage"].is_null())
    c.toleratedFailurePercentage = op["toleratedFailurePercentage"].get<double>();
  return c;
}

std::optional<int> concurrencyOf(const Json& op) {
  if (!op.contains("maxConcurrency") || op["maxConcurrency"].is_null()) return std::nullopt;
  return op["maxConcurrency"].get<int>();
}

// "nesting": "flat" (Rewind only: the model has no FLAT batches; diff.py compares such a
// run's outcome with the NESTED run's).
rwd::Nesting nestingOf(const Json& op) {
  return op.value("nesting", std::string("nested")) == "flat" ? rwd::Nesting::Flat : rwd::Nesting::Nested;
}

Json summary(const rwd::BatchResult<Json>& r) {
  Json all = Json::array();
  for (const auto& it : r.all) {
    Json j{{"index", it.index}, {"status", rwd::toString(it.status)}};
    if (it.status == rwd::BatchItemStatus::Succeeded) j["result"] = it.result.value_or(Json());
    if (it.status == rwd::BatchItemStatus::Failed && it.error) j["error"] = it.error->errorMessage;
    all.push_back(std::move(j));
  }
  return Json{{"reason", rwd::toString(r.completionReason)}, {"all", std::move(all)}};
}

// "anonymous": true: the op is given to Rewind without a name (the program's name still
// keys crashes and error messages).
bool anonymous(const Json& op) { return op.value("anonymous", false); }

Json step(DurableContext& ctx, const Json& op, const Json& item) {
  const std::string name = op["name"].get<std::string>();
  const int failures = op.value("failures", 0);
  const int maxAttempts = op.value("maxAttempts", 1);
  const int delay = op.value("delay", 1);
  const bool crash = op.value("crash", false);
  rwd::StepConfig<Json> config;
  config.retryStrategy = [maxAttempts, delay](const rwd::ErrorInfo&, int attempt) {
    return rwd::RetryDecision{attempt < maxAttempts, std::chrono::seconds(delay)};
  };
  if (op.value("semantics", std::string("atLeastOnce")) == "atMostOnce")
    config.semantics = rwd::StepSemantics::AtMostOncePerRetry;
  auto body = [&](rwd::StepContext& sc) -> Json {
    if (crash && firstCrash(name)) rwd::testing::simulateProcessCrash();
    if (sc.attempt() <= failures) throw rwd::Error("DiffError", name + " attempt " + std::to_string(sc.attempt()));
    const Json& value = op["value"];
    return value == "$item" ? item : value;
  };
  return anonymous(op) ? ctx.step(body, config) : ctx.step(name, body, config);
}

// {"op":"condition"}: polls until the state reaches "polls" (or fails at "failAt");
// "noStrategy": no wait strategy (one poll).
Json condition(DurableContext& ctx, const Json& op) {
  const std::string name = op["name"].get<std::string>();
  const int polls = op["polls"].get<int>();
  const int delay = op["delay"].get<int>();
  const int failAt = op.value("failAt", 0);
  rwd::WaitForConditionConfig<int> config;
  config.initialState = 0;
  if (!op.value("noStrategy", false))
    config.waitStrategy = [polls, delay](const int& state, int) {
      return rwd::WaitDecision{state < polls, std::chrono::seconds(delay)};
    };
  auto check = [name, failAt](const int& state, rwd::StepContext&) {
    if (state + 1 == failAt) throw rwd::Error("DiffError", name + " poll " + std::to_string(failAt));
    return state + 1;
  };
  return anonymous(op) ? ctx.waitForCondition<int>(check, config) : ctx.waitForCondition<int>(name, check, config);
}

// {"op":"invoke"}: a chained invoke of one of the plain functions below, with the
// program's payload (none when "payload" is absent).
Json invoke(DurableContext& ctx, const Json& op) {
  const std::string name = op["name"].get<std::string>();
  const std::string target = op["target"].get<std::string>();
  std::optional<std::string> tenant;
  if (op.contains("tenant")) tenant = op["tenant"].get<std::string>();
  if (!op.contains("payload")) {
    if (anonymous(op) && !tenant) return ctx.invoke(target);  // the one-argument form
    rwd::InvokeConfig<rwd::NoPayload, Json> config;
    config.tenantId = tenant;
    return anonymous(op) ? ctx.invoke(target, rwd::noPayload, config) : ctx.invoke(name, target, rwd::noPayload, config);
  }
  rwd::InvokeConfig<Json, Json> config;
  config.tenantId = tenant;
  return anonymous(op) ? ctx.invoke(target, op["payload"], config) : ctx.invoke(name, target, op["payload"], config);
}

Json runPlain(DurableContext& ctx, const Json& op, const Json& item) {
  const std::string kind = op["op"].get<std::string>();
  const std::string name = op["name"].get<std::string>();
  if (kind == "step") return step(ctx, op, item);
  if (kind == "wait") {
    const auto seconds = std::chrono::seconds(op["seconds"].get<int>());
    anonymous(op) ? ctx.wait(seconds) : ctx.wait(name, seconds);
    return nullptr;
  }
  if (kind == "invoke") return invoke(ctx, op);
  if (kind == "throw") throw rwd::Error("DiffError", op["message"].get<std::string>());
  if (kind == "child") {
    auto body = [&](DurableContext& c) { return runOps(c, op["body"], item); };
    return anonymous(op) ? ctx.runInChildContext(body) : ctx.runInChildContext(name, body);
  }
  if (kind == "callback") {
    rwd::CallbackConfig<std::string> config;
    if (op.contains("timeout")) config.timeout = std::chrono::seconds(op["timeout"].get<int>());
    return Json(ctx.createCallback<std::string>(name, config).result());
  }
  if (kind == "condition") return condition(ctx, op);
  if (kind == "map") {
    std::vector<Json> items = op["items"].get<std::vector<Json>>();
    rwd::MapConfig<Json, Json> config;
    config.maxConcurrency = concurrencyOf(op);
    config.completionConfig = completionOf(op);
    if (!op.value("unnamedItems", false))
      config.itemNamer = [name](const Json&, std::size_t i) { return name + "-" + std::to_string(i); };
    config.nesting = nestingOf(op);
    auto fn = [&](DurableContext& c, const Json& value, std::size_t, const std::vector<Json>&) {
      return runOps(c, op["body"], value);
    };
    return summary(anonymous(op) ? ctx.map(items, fn, config) : ctx.map(name, items, fn, config));
  }
  if (kind == "parallel") {
    std::vector<rwd::Branch<Json>> branches;
    for (const Json& b : op["branches"]) {
      auto fn = [&b, &item](DurableContext& c) { return runOps(c, b["body"], item); };
      if (b.contains("name"))
        branches.emplace_back(b["name"].get<std::string>(), fn);
      else
        branches.emplace_back(fn);  // unnamed: Rewind's default name
    }
    rwd::ParallelConfig<Json> config;
    config.maxConcurrency = concurrencyOf(op);
    config.completionConfig = completionOf(op);
    config.nesting = nestingOf(op);
    return summary(anonymous(op) ? ctx.parallel(std::move(branches), config)
                                 : ctx.parallel(name, std::move(branches), config));
  }
  throw std::invalid_argument("unknown op " + kind);
}

Json runOp(DurableContext& ctx, const Json& op, const Json& item) {
  if (!op.value("catch", false)) return runPlain(ctx, op, item);
  try {
    return runPlain(ctx, op, item);
  } catch (const rwd::DurableError& e) {
    return Json{{"caught", e.message()}};
  }
}

Json runOps(DurableContext& ctx, const Json& ops, const Json& item) {
  Json results = Json::array();
  for (const Json& op : ops) results.push_back(runOp(ctx, op, item));
  return results;
}

Json interpret(const Json& program, DurableContext& ctx) { return runOps(ctx, program["body"], Json()); }

}  // namespace

REWIND_HANDLER("diff", interpret);

// Chained-invoke targets (plain functions): "echo" returns its input; "fail" throws
// ErrorType "DiffInvokeError" with its input as the message when that is a string.
REWIND_FUNCTION("echo", [](const Json& input) { return input; });
REWIND_FUNCTION("fail", [](const Json& input) -> Json {
  throw rwd::Error("DiffInvokeError", input.is_string() ? input.get<std::string>() : std::string("fail target"));
});
