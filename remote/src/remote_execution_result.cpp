// A remote execution read back from its history, and the same views of it as a local
// run's (toJson, the printed timeline).
#include "rewind/remote_execution_result.hpp"

#include <ostream>

#include <fmt/format.h>

#include "rewind/execution_views.hpp"
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
  if (result_) j["Result"] = payloadAsJson(*result_);
  if (error_) j["Error"] = rwd::toJson(*error_);
  j["Operations"] = operationsToJson(operations_);
  j["Invocations"] = invocationsToJson(invocations_);
  j["History"] = historyJson_;
  makeValidUtf8(j);
  return j;
}

void RemoteExecutionResult::print(std::ostream& out) const {
  out << fmt::format("execution {}  {}\n", toString(status_), arn_);
  if (result_) out << fmt::format("result: {}\n", *result_);
  if (error_) out << fmt::format("error: {}: {}\n", error_->errorType, error_->errorMessage);
  out << fmt::format("invocations: {}\n", invocations_.size());
  printOperationTree(out, operations_, history_.empty() ? TimePoint{} : history_.front().timestamp);
}

}  // namespace rwd
