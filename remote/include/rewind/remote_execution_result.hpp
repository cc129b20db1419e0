// RemoteExecutionResult: a remote execution as its history tells it, with the getters
// of ExecutionResult (status, result, error, operations, invocations, history, print,
// toJson), so that a test body reads it as it reads a local run's.
//
//   auto r = rwd::RemoteExecutionResult::fromHistory(arn, client.history(arn));
//   r.print(std::cout);
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "rewind/local_runner.hpp"
#include "rewind/operation.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

class RemoteExecutionResult {
 public:
  // From GetDurableExecutionHistory's events (an "Events" array or a document holding
  // it). Throws std::invalid_argument ([rewind.history.bad_event]) on a malformed event.
  static RemoteExecutionResult fromHistory(std::string executionArn, const Json& events);

  ExecutionStatus getStatus() const noexcept { return status_; }
  const Payload& getResultPayload() const noexcept { return result_; }
  Json getResult() const;  // the result's JSON (null without one)
  template <class T>
  T getResultAs() const {
    return getResult().get<T>();
  }
  const std::optional<ErrorObject>& getError() const noexcept { return error_; }
  const std::vector<Operation>& getOperations() const noexcept { return operations_; }
  const std::vector<InvocationRecord>& getInvocations() const noexcept { return invocations_; }
  const std::vector<HistoryEvent>& getHistoryEvents() const noexcept { return history_; }
  const std::string& getExecutionArn() const noexcept { return arn_; }
  const Payload& getInput() const noexcept { return input_; }
  // The events as the service returned them.
  const Json& historyJson() const noexcept { return historyJson_; }
  // Status, result, operations, invocations and history as one JSON document, in the
  // shape of ExecutionResult::toJson (rewind-run --json).
  Json toJson() const;
  // The timeline ExecutionResult::print writes.
  void print(std::ostream& out) const;

 private:
  ExecutionStatus status_ = ExecutionStatus::Running;
  Payload result_;
  Payload input_;
  std::optional<ErrorObject> error_;
  std::vector<Operation> operations_;
  std::vector<InvocationRecord> invocations_;
  std::vector<HistoryEvent> history_;
  Json historyJson_ = Json::array();
  std::string arn_;
};

}  // namespace rwd
