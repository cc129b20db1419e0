// OperationIndex: the positions of an execution's operation records by id, kept next to
// the records (ExecutionStore). Open addressing with linear probing over the records
// themselves: a slot holds a position + 1 and 32 bits of the id's hash, and a lookup
// compares a record's id only when those bits match, so that probing past other ids
// reads no record (at a million records, each such read was two cache misses: the
// record and its id's heap buffer). The home slot is the hash's low bits, which the slot
// keeps: growing rehashes from the slots alone. Copying or clearing it is one vector
// operation, with no allocation per id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwd::internal {

// Whether a record's id is `id`: ids are compared on every lookup, and most are 16
// characters (two word comparisons instead of a call to memcmp).
inline bool sameId(std::string_view recordId, std::string_view id) noexcept {
  if (recordId.size() != id.size()) return false;
  if (id.size() == 16) {
    std::uint64_t a[2], b[2];
    std::memcpy(a, recordId.data(), 16);
    std::memcpy(b, id.data(), 16);
    return a[0] == b[0] && a[1] == b[1];
  }
  return std::memcmp(recordId.data(), id.data(), id.size()) == 0;
}

class OperationIndex {
 public:
  // `records[p].id` is the id of the record at position p.
  template <class Records>
  std::optional<std::size_t> find(std::string_view id, const Records& records) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint32_t hash = hashOf(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot s = slots_[i];
      if (s.position == 0) return std::nullopt;
      if (s.hash == hash && sameId(records[s.position - 1].id, id)) return s.position - 1;
    }
  }

  // Adds the record about to be appended at position `count()` (positions are 0, 1, 2...).
  void append(std::string_view id) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    place(Slot{static_cast<std::uint32_t>(count_ + 1), hashOf(id)});
    ++count_;
  }

  std::size_t count() const noexcept { return count_; }
  void clear() noexcept {
    slots_.clear();
    count_ = 0;
  }

 private:
  struct Slot {
    std::uint32_t position = 0;  // position + 1; 0: empty
    std::uint32_t hash = 0;      // the id's hash; its low bits are the home slot
  };

  // Operation ids are 16 hex characters (md5): two 8-byte words mixed; others go
  // through std::hash. Positions are 32-bit, so a table has at most 2^32 slots and 32
  // bits of hash place it.
  static std::uint32_t hashOf(std::string_view id) noexcept {
    std::uint64_t h;
    if (id.size() == 16) {
      std::uint64_t a, b;
      std::memcpy(&a, id.data(), 8);
      std::memcpy(&b, id.data() + 8, 8);
      h = a * 0x9e3779b97f4a7c15ULL ^ b;
      h ^= h >> 31;
      h *= 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 29;
    } else {
      h = std::hash<std::string_view>{}(id);
    }
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }

  void place(Slot slot) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = slot.hash & mask;
    while (slots_[i].position != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }

  void grow() {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.empty() ? 64 : slots_.size() * 2));
    for (const Slot& s : old)
      if (s.position != 0) place(s);
  }

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  std::size_t count_ = 0;
};

}  // namespace rwd::internal
