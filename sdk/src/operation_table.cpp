// The SDK's table of records received over a wire, and the recovery of positional step
// ids (not a member of the service's Operation shape) from the ids it hashes to.
#include "operation_table.hpp"

#include "invocation.hpp"

namespace rwd::internal {

const Operation* OperationTable::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &ops_[it->second];
}

std::optional<std::size_t> OperationTable::indexOf(std::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void OperationTable::recoverStepId(Operation& op) {
  std::string parentStep;
  std::string parentKey = op.parentId.value_or("");
  if (op.parentId) {
    const Operation* parent = find(*op.parentId);
    if (!parent || parent->stepId.empty()) return;  // unknown parent: keep the wire id as is
    parentStep = parent->stepId;
  }
  // Children are mostly created in order: resume after the last match, then scan from 1.
  std::uint32_t& last = lastChild_[parentKey];
  constexpr std::uint32_t kSearch = 1u << 16;
  for (std::uint32_t n = last + 1; n <= last + kSearch; ++n) {
    std::string candidate = childStepId(parentStep, n);
    if (operationIdFor(candidate) == op.id) {
      op.stepId = std::move(candidate);
      last = n;
      return;
    }
  }
  for (std::uint32_t n = 1; n <= last; ++n) {
    std::string candidate = childStepId(parentStep, n);
    if (operationIdFor(candidate) == op.id) {
      op.stepId = std::move(candidate);
      return;
    }
  }
}

void OperationTable::merge(std::vector<Operation>&& records) {
  for (Operation& op : records) {
    if (op.type == OperationType::Execution) continue;
    auto it = index_.find(op.id);
    if (it != index_.end()) {
      if (op.stepId.empty()) op.stepId = ops_[it->second].stepId;
      ops_[it->second] = std::move(op);
      continue;
    }
    if (op.stepId.empty()) recoverStepId(op);
    index_.emplace(op.id, ops_.size());
    ops_.push_back(std::move(op));
  }
}

}  // namespace rwd::internal
