// libFuzzer target: invocation responses an executor returns (RunnerOptions::
// invocationExecutor; the runner applies them in runner/src/invocation_response.cpp).
// The input is JSON: a list of responses, one per invocation,
//   [{"updates": [{<OperationUpdate JSON>, "Fate": "Persist"|"DropAndCrash"|"PersistAndCrash"}],
//     "end": "Succeeded"|"Failed"|"InvocationFailed"|"Pending"|"Crashed",
//     "result": "<payload>", "error": {"ErrorType": ..., "ErrorMessage": ...}}, ...]
// Contract: the execution ends (or stays RUNNING/blocked) with its history readable, or
// run() throws an error carrying a stable id; never a crash or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "rewind/history_json.hpp"
#include "rewind/local_runner.hpp"

namespace {

std::optional<rwd::InvocationResponse> responseFromJson(const rwd::Json& j) {
  if (!j.is_object()) return std::nullopt;
  rwd::InvocationResponse r;
  if (auto u = j.find("updates"); u != j.end() && u->is_array()) {
    for (const auto& item : *u) {
      rwd::CheckpointRecord rec;
      try {
        rec.update = rwd::operationUpdateFromJson(item);
      } catch (const std::invalid_argument&) {
        return std::nullopt;  // the wire format's own rejection: not the runner's input
      }
      std::string fate = item.is_object() && item.contains("Fate") && item["Fate"].is_string()
                             ? item["Fate"].get<std::string>()
                             : "Persist";
      rec.fate = fate == "DropAndCrash"      ? rwd::CheckpointFate::DropAndCrash
                 : fate == "PersistAndCrash" ? rwd::CheckpointFate::PersistAndCrash
                                             : rwd::CheckpointFate::Persist;
      r.updates.push_back(std::move(rec));
    }
  }
  std::string end = j.contains("end") && j["end"].is_string() ? j["end"].get<std::string>() : "Pending";
  using E = rwd::InvocationResponse::End;
  r.end = end == "Succeeded"          ? E::Succeeded
          : end == "Failed"           ? E::Failed
          : end == "InvocationFailed" ? E::InvocationFailed
          : end == "Crashed"          ? E::Crashed
                                      : E::Pending;
  if (j.contains("result") && j["result"].is_string()) r.result = j["result"].get<std::string>();
  if (j.contains("error") && j["error"].is_object()) {
    const rwd::Json& e = j["error"];
    r.error = rwd::ErrorObject{e.value("ErrorType", std::string("Error")), e.value("ErrorMessage", std::string()),
                               std::nullopt, std::nullopt};
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rwd::Json doc = rwd::Json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.size() > 16) return 0;
  std::vector<rwd::InvocationResponse> responses;
  for (const auto& item : doc) {
    auto r = responseFromJson(item);
    if (!r) return 0;
    responses.push_back(std::move(*r));
  }
  rwd::RunnerOptions options;
  options.maxInvocations = 20;
  options.invocationExecutor = [&](const rwd::InvocationRequest& request, const rwd::InProcessInvocation&) {
    std::size_t i = static_cast<std::size_t>(request.index - 1);
    if (i < responses.size()) return responses[i];
    rwd::InvocationResponse none;
    none.end = rwd::InvocationResponse::End::Failed;
    none.error = rwd::ErrorObject{"Fuzz.Done", "no more responses", std::nullopt, std::nullopt};
    return none;
  };
  rwd::LocalDurableTestRunner runner(rwd::RawHandler([](const rwd::Payload& in, rwd::DurableContext&) { return in; }),
                                     options);
  try {
    const rwd::ExecutionResult& result = runner.runPayload(rwd::Payload("null"));
    (void)result.toJson().dump();
    while (result.getStatus() == rwd::ExecutionStatus::Running && runner.nextTimer()) runner.advanceToNextTimer();
  } catch (const std::exception& e) {
    if (!rwd::fuzz::hasStableId(e.what())) rwd::fuzz::unexpected("fuzz_invocation_response", e.what());
  }
  return 0;
}
