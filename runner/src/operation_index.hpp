// OperationIndex: the positions of an execution's operation records by id, kept next to
// the records (ExecutionStore). Open addressing with linear probing over the records
// themselves: a slot holds a position + 1, and a lookup compares the record's id. Copying
// or clearing it is one vector operation, with no allocation per id (a node-based map of
// 16-character ids allocated twice per record, and again for every copy of the store).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace rwd::internal {

class OperationIndex {
 public:
  // `records[p].id` is the id of the record at position p.
  template <class Records>
  std::optional<std::size_t> find(std::string_view id, const Records& records) const {
    if (slots_.empty()) return std::nullopt;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hashOf(id) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots_[i];
      if (s == 0) return std::nullopt;
      if (records[s - 1].id == id) return s - 1;
    }
  }

  // Adds the record about to be appended at position `count()` (positions are 0, 1, 2...).
  template <class Records>
  void append(std::string_view id, const Records& records) {
    if ((count_ + 1) * 2 > slots_.size()) grow(records);
    place(id, count_);
    ++count_;
  }

  std::size_t count() const noexcept { return count_; }
  void clear() noexcept {
    slots_.clear();
    count_ = 0;
  }

 private:
  static std::size_t hashOf(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }

  void place(std::string_view id, std::size_t position) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hashOf(id) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(position + 1);
  }

  template <class Records>
  void grow(const Records& records) {
    slots_.assign(slots_.empty() ? 64 : slots_.size() * 2, 0);
    for (std::size_t p = 0; p < count_; ++p) place(records[p].id, p);
  }

  std::vector<std::uint32_t> slots_;  // a power of two in size, at most half full
  std::size_t count_ = 0;
};

}  // namespace rwd::internal
