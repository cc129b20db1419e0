// History replay: one invocation over the recorded log, divergences explained.
#include "rewind/checker/history_replay.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "rewind/history_json.hpp"

namespace rwd::checker {

namespace {

Payload inputFromHistory(const Json& doc) {
  if (!doc.is_object() || !doc.contains("History")) return std::nullopt;
  for (const Json& ev : doc["History"]) {
    if (ev.value("EventType", std::string()) != "ExecutionStarted") continue;
    const Json& p = ev["ExecutionStartedDetails"]["Input"]["Payload"];
    if (p.is_string()) return p.get<std::string>();
    return std::nullopt;
  }
  return std::nullopt;
}

bool hasExecutionStarted(const Json& doc) {
  if (!doc.is_object() || !doc.contains("History")) return false;
  for (const Json& ev : doc["History"])
    if (ev.value("EventType", std::string()) == "ExecutionStarted") return true;
  return false;
}

}  // namespace

HistoryReplayReport replayHistory(const RawHandler& handler, const Json& document,
                                  const std::optional<Payload>& input) {
  std::vector<Operation> log;
  try {
    log = operationsFromJson(document);
  } catch (const std::exception& e) {
    throw std::invalid_argument(fmt::format("[rewind.checker.bad_history] {}", e.what()));
  }
  HistoryReplayReport report;
  report.operations = log.size();
  if (input) {
    report.input = *input;
  } else if (hasExecutionStarted(document)) {
    report.input = inputFromHistory(document);
  } else {
    throw std::invalid_argument(
        "[rewind.checker.bad_history] the document has no History with ExecutionStarted: pass the input (--event)");
  }
  report.outcome = replayInvocation(handler, log, report.input);
  if (report.outcome.divergence) {
    report.divergence =
        fmt::format("{}: {}", report.outcome.divergence->errorType, report.outcome.divergence->errorMessage);
  } else if (report.outcome.error &&
             report.outcome.error->errorMessage.find("[rewind.suspension.swallowed]") != std::string::npos) {
    report.divergence = report.outcome.error->errorMessage;
  } else if (report.outcome.outcome == InvocationOutcome::Succeeded && document.is_object() &&
             document.value("Status", std::string()) == "SUCCEEDED" && document.contains("Result")) {
    Json now = Json::parse(report.outcome.result.value_or("null"), nullptr, false);
    if (now != document["Result"])
      report.divergence = fmt::format(
          "the recorded execution succeeded with {}, the current code returns {} from the "
          "same checkpoints",
          document["Result"].dump(), report.outcome.result.value_or("null"));
  }
  return report;
}

std::string HistoryReplayReport::explain() const {
  std::string s =
      fmt::format("replayed {} recorded operation(s): the invocation ended {}", operations, toString(outcome.outcome));
  if (!outcome.newUpdates.empty())
    s += fmt::format(", with {} new checkpoint update(s) beyond the log", outcome.newUpdates.size());
  s += "\n";
  if (divergence)
    s += fmt::format("DIVERGENCE: {}\n", *divergence);
  else
    s += "OK: the current code replays the recorded log without divergence\n";
  return s;
}

}  // namespace rwd::checker
