// OperationTable: the SDK's own copy of an execution's records, built from the
// operations a service sends over a wire (invocation input, checkpoint responses, state
// pages). Records keep their address for the table's life; a record sent again replaces
// the old one in place.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rewind/execution_state_view.hpp"
#include "rewind/operation.hpp"

namespace rwd::internal {

class OperationTable final : public ExecutionStateView {
 public:
  const Operation* find(std::string_view id) const override;
  std::optional<std::size_t> indexOf(std::string_view id) const override;
  const std::deque<Operation>& operations() const noexcept override { return ops_; }

  // Adds or replaces each record (EXECUTION records are not part of the replay log and
  // are skipped). A record without a positional step id (the wire has none) gets it
  // back from its parent's and its Id, which is md5 of the step id.
  void merge(std::vector<Operation>&& records);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  void recoverStepId(Operation& op);

  std::deque<Operation> ops_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  // Per parent id ("" = root): the last child number matched, where the search resumes.
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> lastChild_;
};

}  // namespace rwd::internal
