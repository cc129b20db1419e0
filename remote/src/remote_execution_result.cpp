// A remote execution read back from its history, and the same views of it as a local
// run's (toJson, the printed timeline).
#include "rewind/remote_execution_result.hpp"

#include <map>
#include <ostream>

#include <fmt/format.h>

#include "rewind/history_json.hpp"
#include "rewind/history_reader.hpp"
#include "rewind/json_text.hpp"

namespace rwd {

RemoteExecutionResult RemoteExecutionResult::fromHistory(std::string executionArn, const Json& events) {
  RemoteExecutionResult r;
  r.arn_ = std::move(executionArn);
  r.historyJson_ = events.is_object() && events.contains("Events") ? events["Events"] : events;
  r.history_ = historyFromJson(r.historyJson_);
  r.operations_ = operationsFromHistory(r.history_);
  r.invocations_ = invocationsFromHistory(r.history_);
  HistoryOutcome outcome = outcomeFromHistory(r.history_);
  r.status_ = outcome.status;
  r.result_ = std::move(outcome.result);
  r.error_ = std::move(outcome.error);
  r.input_ = std::move(outcome.input);
  return r;
}

Json RemoteExecutionResult::getResult() const {
  if (!result_) return Json();
  return Json::parse(*result_);
}

Json RemoteExecutionResult::toJson() const {
  Json j{{"Status", toString(status_)}, {"ExecutionArn", arn_}};
  if (result_) {
    try {
      j["Result"] = Json::parse(*result_);
    } catch (const Json::parse_error&) {
      j["Result"] = *result_;
    }
  }
  if (error_) j["Error"] = rwd::toJson(*error_);
  j["Operations"] = operationsToJson(operations_);
  Json inv = Json::array();
  for (const auto& i : invocations_) {
    Json rec{{"Index", i.index},
             {"RequestId", i.requestId},
             {"Outcome", toString(i.outcome)},
             {"StartTimestamp", formatTimestamp(i.start)},
             {"EndTimestamp", formatTimestamp(i.end)}};
    if (i.error) rec["Error"] = rwd::toJson(*i.error);
    inv.push_back(std::move(rec));
  }
  j["Invocations"] = std::move(inv);
  j["History"] = historyJson_;
  makeValidUtf8(j);
  return j;
}

namespace {

std::string formatDuration(std::chrono::milliseconds d) {
  auto s = d.count() / 1000;
  if (d.count() % 1000 != 0) return fmt::format("{}ms", d.count());
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return s % 60 ? fmt::format("{}m{}s", s / 60, s % 60) : fmt::format("{}m", s / 60);
  if (s < 86400) return (s % 3600) ? fmt::format("{}h{}m", s / 3600, (s % 3600) / 60) : fmt::format("{}h", s / 3600);
  return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace

void RemoteExecutionResult::print(std::ostream& out) const {
  out << fmt::format("execution {}  {}\n", toString(status_), arn_);
  if (result_) out << fmt::format("result: {}\n", *result_);
  if (error_) out << fmt::format("error: {}: {}\n", error_->errorType, error_->errorMessage);
  out << fmt::format("invocations: {}\n", invocations_.size());
  std::map<std::string, std::vector<const Operation*>> children;
  std::vector<const Operation*> roots;
  for (const auto& op : operations_) {
    if (op.parentId)
      children[*op.parentId].push_back(&op);
    else
      roots.push_back(&op);
  }
  TimePoint epoch = history_.empty() ? TimePoint{} : history_.front().timestamp;
  auto line = [&](const Operation& op, const std::string& prefix, bool last, auto& self) -> void {
    std::string label = op.name ? *op.name : fmt::format("#{}", op.stepId.empty() ? op.id.str() : op.stepId);
    std::string extra;
    if (op.stepDetails && op.stepDetails->attempt > 1) extra += fmt::format(" attempts={}", op.stepDetails->attempt);
    if (op.waitDetails) extra += fmt::format(" wait={}s", op.waitDetails->durationSeconds);
    if (op.endTimestamp) extra += fmt::format(" took={}", formatDuration(*op.endTimestamp - op.startTimestamp));
    out << fmt::format("{}{}{} {}/{} {} @+{}{}\n", prefix, last ? "└─ " : "├─ ", label, toString(op.type),
                       toString(op.subType), toString(op.status), formatDuration(op.startTimestamp - epoch), extra);
    auto it = children.find(op.id);
    if (it == children.end()) return;
    for (std::size_t i = 0; i < it->second.size(); ++i)
      self(*it->second[i], prefix + (last ? "   " : "│  "), i + 1 == it->second.size(), self);
  };
  for (std::size_t i = 0; i < roots.size(); ++i) line(*roots[i], "", i + 1 == roots.size(), line);
}

}  // namespace rwd
