// JsonWireService: a DurableService that sends every request and response through the
// durable API's JSON (written, logged, parsed back) before passing it on: the wire
// without the network. makeWireExecutor runs each invocation of a local runner that
// way, through the SDK's entry point, on the runner's detached service.
#pragma once

#include <cstdint>

#include "rewind/durable_service.hpp"
#include "rewind/handler.hpp"
#include "rewind/local_runner.hpp"
#include "wire_log.hpp"

namespace rwd::testing {

class JsonWireService final : public DurableService {
 public:
  JsonWireService(DurableService& inner, WireLog* log) : inner_(inner), log_(log) {}
  CheckpointDurableExecutionResponse checkpointDurableExecution(
      const CheckpointDurableExecutionRequest& request) override;
  GetDurableExecutionStateResponse getDurableExecutionState(const GetDurableExecutionStateRequest& request) override;

 private:
  DurableService& inner_;
  WireLog* log_;
};

struct WireExecutorOptions {
  std::uint64_t seed = 1;  // the runner's seed (retry jitter)
  HandlerConfig handlerConfig{};
  WireLog* log = nullptr;  // optional
  int maxItems = 0;        // >0: the invocation input carries this many records and a NextMarker
};

// Runs every invocation of `handler` through JSON: the input, each checkpoint and state
// call and the output cross JsonWireService, and the response's updates are the ones
// the detached service applied.
InvocationExecutor makeWireExecutor(RawHandler handler, WireExecutorOptions options);

// Splits `input`'s records after the first `maxItems` (NextMarker = the index of the next).
void pageInvocationInput(DurableExecutionInvocationInput& input, int maxItems);

}  // namespace rwd::testing
