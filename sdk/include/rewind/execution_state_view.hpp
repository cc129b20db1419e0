// ExecutionStateView: read access to an execution's operation records, in creation
// order, as the SDK core sees them during one invocation.
//
// The SDK builds its own view from the operations the service sends (the invocation
// input's InitialExecutionState and each checkpoint's NewExecutionState). An in-process
// service (the local runner) may instead lend its own records through this interface:
// nothing is copied and the view is updated in place by every checkpoint it applies.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string_view>

#include "rewind/operation.hpp"

namespace rwd {

class ExecutionStateView {
 public:
  virtual ~ExecutionStateView() = default;
  // The record with wire Id `id`, or null. Valid while the view lives; records are
  // updated in place.
  virtual const Operation* find(std::string_view id) const = 0;
  // The record's position in creation order.
  virtual std::optional<std::size_t> indexOf(std::string_view id) const = 0;
  // Every record, in creation order.
  virtual const std::deque<Operation>& operations() const noexcept = 0;
  std::size_t size() const noexcept { return operations().size(); }

 protected:
  ExecutionStateView() = default;
  ExecutionStateView(const ExecutionStateView&) = default;
  ExecutionStateView& operator=(const ExecutionStateView&) = default;
};

}  // namespace rwd
