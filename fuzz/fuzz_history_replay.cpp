// libFuzzer target: a recorded history given to `rewind-check replay --history`
// (checker/src/history_replay.cpp): any JSON document, replayed against a handler that
// uses every kind of operation. Contract: a report, or std::invalid_argument carrying
// [rewind.checker.bad_history]; never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "rewind/checker/history_replay.hpp"
#include "rewind/durable_context.hpp"

namespace {

using namespace std::chrono_literals;

rwd::Json workflow(const rwd::Json& event, rwd::DurableContext& ctx) {
  std::string a = ctx.step("a", [] { return std::string("A"); });
  ctx.wait("pause", 5s);
  int b = ctx.runInChildContext("child", [](rwd::DurableContext& c) { return c.step("inner", [] { return 2; }); });
  std::string cb = ctx.waitForCallback("approve", [](const std::string&, rwd::StepContext&) {}, {.timeout = 1h});
  auto mapped = ctx.map("items", std::vector<int>{1, 2},
                        [](rwd::DurableContext& c, const int& v, std::size_t, const std::vector<int>&) {
                          return c.step("double", [v] { return v * 2; });
                        });
  return rwd::Json{{"a", a}, {"b", b}, {"cb", cb}, {"n", mapped.successCount()}, {"event", event}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rwd::Json doc = rwd::Json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;  // rewind-check rejects non-JSON before replaying
  static const rwd::RawHandler handler = rwd::makeHandler(workflow);
  try {
    auto report = rwd::checker::replayHistory(handler, doc, rwd::Payload("null"));
    (void)report.explain();
  } catch (const std::invalid_argument& e) {
    if (!rwd::fuzz::hasStableId(e.what())) rwd::fuzz::unexpected("fuzz_history_replay", e.what());
  } catch (const std::exception& e) {
    rwd::fuzz::unexpected("fuzz_history_replay", e.what());
  }
  return 0;
}
