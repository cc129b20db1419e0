// Conformance handlers of the map family (requirement ids 9.x).
#include <algorithm>
#include <cctype>
#include <set>

#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::BatchResult;
using rwd::DurableContext;
using rwd::MapConfig;
using rwd::StepContext;

using Items = std::vector<Json>;

Items itemsOf(const Json& event) { return event.is_array() ? event.get<Items>() : Items{}; }

MapConfig<Json, Json> sequential(rwd::CompletionConfig completion = {}) {
  MapConfig<Json, Json> config;
  config.maxConcurrency = 1;
  config.completionConfig = completion;
  return config;
}

// An item function returning "ok-<i>" (or `value`), failing for the listed indices.
auto itemFn(std::set<std::size_t> failing, std::optional<std::string> value = std::nullopt) {
  return [failing = std::move(failing), value = std::move(value)](DurableContext&, const Json&, std::size_t i,
                                                                  const Items&) -> Json {
    if (failing.count(i)) fail("item " + std::to_string(i) + " failed");
    return value ? *value : "ok-" + std::to_string(i);
  };
}

Json projection(const BatchResult<Json>& r, bool withStatus, bool withFailures) {
  Json out{{"completionReason", rwd::toString(r.completionReason)},
           {"successCount", r.successCount()},
           {"totalCount", r.totalCount()}};
  if (withStatus) out["status"] = rwd::toString(r.status());
  if (withFailures) out["failureCount"] = r.failureCount();
  return out;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// 9.1: a named map whose items each run one step.
Json mapBasic(const Json& event, DurableContext& ctx) {
  return ctx
      .map(
          "map", itemsOf(event),
          [](DurableContext& c, const Json& item, std::size_t, const Items&) {
            return c.step([&](StepContext&) { return Json("Hello, " + text(item) + "!"); }, noRetry<Json>());
          },
          sequential())
      .getResults();
}

// 9.2: the unnamed form; items doubled without an inner step.
Json mapUnnamed(const Json& event, DurableContext& ctx) {
  return ctx
      .map(
          itemsOf(event),
          [](DurableContext&, const Json& item, std::size_t, const Items&) {
            return Json(item.get<std::int64_t>() * 2);
          },
          sequential())
      .getResults();
}

// 9.4: no items.
Json mapEmpty(const Json& event, DurableContext& ctx) {
  return ctx
      .map("empty", itemsOf(event), [](DurableContext&, const Json& item, std::size_t, const Items&) { return item; })
      .getResults();
}

// 9.5: fail-fast (tolerated failure count 0): item 2 never starts.
Json mapFailFast(const Json&, DurableContext& ctx) {
  auto r = ctx.map("failfast", Items{"i0", "i1", "i2"}, itemFn({1}, "ok"), sequential({.toleratedFailureCount = 0}));
  return projection(r, true, true);
}

// 9.7: stops after two successes.
Json mapMinSuccessful(const Json&, DurableContext& ctx) {
  auto r = ctx.map("min-successful", Items{"i0", "i1", "i2", "i3"}, itemFn({}), sequential({.minSuccessful = 2}));
  return projection(r, false, false);
}

// 9.8: one failure within a tolerance of one: all items complete.
Json mapToleratedFailure(const Json&, DurableContext& ctx) {
  auto r = ctx.map("tolerated", Items{"i0", "i1", "i2"}, itemFn({1}), sequential({.toleratedFailureCount = 1}));
  return projection(r, true, true);
}

// 9.10: failures over 25 % of all items stop the map.
Json mapTolerancePercentage(const Json&, DurableContext& ctx) {
  auto r = ctx.map("tolerated-pct", Items{"i0", "i1", "i2", "i3"}, itemFn({0, 1}),
                   sequential({.toleratedFailurePercentage = 25}));
  return projection(r, false, true);
}

// 9.11: three items, at most two at a time.
Json mapConcurrent(const Json&, DurableContext& ctx) {
  MapConfig<Json, Json> config;
  config.maxConcurrency = 2;
  return ctx
      .map(
          "concurrent", Items{"i0", "i1", "i2"},
          [](DurableContext&, const Json&, std::size_t i, const Items&) { return Json("r" + std::to_string(i)); },
          config)
      .getResults();
}

// 9.13: items named by an item namer.
Json mapItemNamer(const Json& event, DurableContext& ctx) {
  MapConfig<Json, Json> config = sequential();
  config.itemNamer = [](const Json& item, std::size_t) { return "item-" + text(item); };
  return ctx
      .map(
          "named-items", itemsOf(event),
          [](DurableContext&, const Json& item, std::size_t, const Items&) {
            return Json(item.get<std::int64_t>() * 10);
          },
          config)
      .getResults();
}

// 9.14: a per-item serdes ("wrapped:" + raw text).
Json mapItemSerdes(const Json&, DurableContext& ctx) {
  MapConfig<Json, std::string> config;
  config.maxConcurrency = 1;
  config.itemSerdes.serialize = [](const std::string& v) -> rwd::Payload { return "wrapped:" + v; };
  config.itemSerdes.deserialize = [](const rwd::Payload& p) { return p.value_or("wrapped:").substr(8); };
  return ctx
      .map(
          "serdes", Items{"x", "y"},
          [](DurableContext&, const Json& item, std::size_t, const Items&) { return upper(text(item)); }, config)
      .getResults();
}

// 9.16: item results whose total exceeds 256 KiB (the map is checkpointed with
// ReplayChildren).
Json mapLargeResults(const Json&, DurableContext& ctx) {
  auto r = ctx.map(
      "large", Items{1, 2, 3, 4},
      [](DurableContext&, const Json& item, std::size_t, const Items&) {
        std::string unit = text(item);
        std::string out;
        constexpr std::size_t kCopies = std::size_t{70} * 1024;
        out.reserve(unit.size() * kCopies);
        for (std::size_t k = 0; k < kCopies; ++k) out += unit;
        return Json(out);
      },
      sequential());
  return {{"successCount", r.successCount()}, {"totalCount", r.totalCount()}};
}

// 9.17: a map, then a wait; the replay rebuilds the map's result from the log.
Json mapThenWait(const Json&, DurableContext& ctx) {
  auto r = ctx.map(
      "then-wait", Items{"a", "b"},
      [](DurableContext&, const Json& item, std::size_t, const Items&) { return Json(upper(text(item))); },
      sequential());
  ctx.wait(1s);
  return r.getResults();
}

// The operation-level serdes of 9.19 / 9.20: "OPSERDE:" + the comma-joined results.
rwd::Serdes<BatchResult<std::string>> opSerde() {
  rwd::Serdes<BatchResult<std::string>> serdes;
  serdes.serialize = [](const BatchResult<std::string>& b) -> rwd::Payload {
    std::string out = "OPSERDE:";
    bool first = true;
    for (const auto& r : b.getResults()) {
      if (!first) out += ",";
      first = false;
      out += r;
    }
    return out;
  };
  serdes.deserialize = [](const rwd::Payload& p) {
    BatchResult<std::string> b;
    b.completionReason = rwd::CompletionReason::AllCompleted;
    std::string rest = p.value_or("OPSERDE:").substr(8);
    std::size_t index = 0;
    std::size_t start = 0;
    while (!rest.empty() && start <= rest.size()) {
      std::size_t end = rest.find(',', start);
      if (end == std::string::npos) end = rest.size();
      b.all.push_back({index++, rwd::BatchItemStatus::Succeeded, rest.substr(start, end - start), std::nullopt});
      start = end + 1;
    }
    return b;
  };
  return serdes;
}

MapConfig<Json, std::string> opSerdeConfig() {
  MapConfig<Json, std::string> config;
  config.maxConcurrency = 1;
  config.serdes = opSerde();
  return config;
}

// 9.19: an operation-level serdes for the whole map result.
Json mapOperationSerdes(const Json&, DurableContext& ctx) {
  return ctx
      .map(
          "op-serde", Items{"x", "y"},
          [](DurableContext&, const Json& item, std::size_t, const Items&) { return upper(text(item)); },
          opSerdeConfig())
      .getResults();
}

// 9.20: as 9.19, then a wait: the replay deserializes the checkpointed result.
Json mapOperationSerdesReplay(const Json&, DurableContext& ctx) {
  auto r = ctx.map(
      "op-serde-replay", Items{"x", "y"},
      [](DurableContext&, const Json& item, std::size_t, const Items&) { return upper(text(item)); }, opSerdeConfig());
  ctx.wait(1s);
  return r.getResults();
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("9.1", conformance::mapBasic);
REWIND_HANDLER("9.2", conformance::mapUnnamed);
REWIND_HANDLER("9.4", conformance::mapEmpty);
REWIND_HANDLER("9.5", conformance::mapFailFast);
REWIND_HANDLER("9.7", conformance::mapMinSuccessful);
REWIND_HANDLER("9.8", conformance::mapToleratedFailure);
REWIND_HANDLER("9.10", conformance::mapTolerancePercentage);
REWIND_HANDLER("9.11", conformance::mapConcurrent);
REWIND_HANDLER("9.13", conformance::mapItemNamer);
REWIND_HANDLER("9.14", conformance::mapItemSerdes);
REWIND_HANDLER("9.16", conformance::mapLargeResults);
REWIND_HANDLER("9.17", conformance::mapThenWait);
REWIND_HANDLER("9.19", conformance::mapOperationSerdes);
REWIND_HANDLER("9.20", conformance::mapOperationSerdesReplay);
