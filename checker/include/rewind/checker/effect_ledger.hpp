// The effect ledger: where workflows record the external effects they cause, keyed by
// what the effect is, so that the replay verifier can compare what users would see.
//
//   ctx.step("send-email", [&] {
//     mailer.send(to, body, idempotencyKey);
//     rwd::checker::recordIdempotentEffect("email", to, idempotencyKey);  // a deduplicating service
//   });
//
// Re-running an at-least-once step is legal; an effect happening more (or fewer) times
// than in the crash-free run is a finding. The ledger is process-wide and outlives the
// invocations the checker crashes (it models the external world). In the checker's fork
// mode an invocation runs in a child process: the child's records reach the parent's
// ledger as they are made (through the listener), so they survive the child. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace rwd::checker {

// (kind, key) -> how many times the external world saw it.
using EffectCounts = std::map<std::pair<std::string, std::string>, int>;

class EffectLedger {
 public:
  // An effect that happens every time it is performed (a non-idempotent API call).
  void record(std::string_view kind, std::string_view key);
  // An effect performed through a service that deduplicates by `idempotencyKey`:
  // counted once per key, however often it is performed.
  void recordIdempotent(std::string_view kind, std::string_view key, std::string_view idempotencyKey);
  EffectCounts counts() const;
  // How many record/recordIdempotent calls were made since clear() (deduplicated ones
  // included): the checker tells from it whether anything was recorded between two points.
  std::size_t events() const;
  void clear();

  // One record/recordIdempotent call (no idempotency key: record).
  struct Event {
    std::string kind;
    std::string key;
    std::optional<std::string> idempotencyKey;
  };
  // Records `e` as the call it describes would.
  void apply(const Event& e);
  // Called after every record/recordIdempotent, outside the ledger's lock (the checker's
  // fork mode forwards a child's effects to the parent with it). Set or reset it only
  // while nothing records; null: none.
  void setListener(std::function<void(const Event&)> listener);

  // The ledger user code records into (the checker clears and reads it around runs).
  static EffectLedger& global();

 private:
  mutable std::mutex mu_;
  EffectCounts counts_;
  std::set<std::string> seenKeys_;
  std::size_t events_ = 0;
  std::function<void(const Event&)> listener_;
};

inline void recordEffect(std::string_view kind, std::string_view key) { EffectLedger::global().record(kind, key); }
inline void recordIdempotentEffect(std::string_view kind, std::string_view key, std::string_view idempotencyKey) {
  EffectLedger::global().recordIdempotent(kind, key, idempotencyKey);
}

}  // namespace rwd::checker
