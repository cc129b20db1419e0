// The process-wide effect ledger and the fault plan of the current checker run.
#include "rewind/checker/effect_ledger.hpp"

#include "rewind/checker/fault_injection.hpp"

namespace rwd::checker {

void EffectLedger::record(std::string_view kind, std::string_view key) {
  {
    std::lock_guard lock(mu_);
    ++events_;
    ++counts_[{std::string(kind), std::string(key)}];
  }
  if (listener_) listener_(Event{std::string(kind), std::string(key), std::nullopt});
}

void EffectLedger::recordIdempotent(std::string_view kind, std::string_view key, std::string_view idempotencyKey) {
  {
    std::lock_guard lock(mu_);
    ++events_;
    // The key space is per kind: two services may reuse one idempotency key.
    std::string seen = std::string(kind) + '\x1f' + std::string(idempotencyKey);
    if (seenKeys_.insert(std::move(seen)).second) ++counts_[{std::string(kind), std::string(key)}];
  }
  if (listener_) listener_(Event{std::string(kind), std::string(key), std::string(idempotencyKey)});
}

void EffectLedger::apply(const Event& e) {
  if (e.idempotencyKey)
    recordIdempotent(e.kind, e.key, *e.idempotencyKey);
  else
    record(e.kind, e.key);
}

void EffectLedger::setListener(std::function<void(const Event&)> listener) { listener_ = std::move(listener); }

EffectCounts EffectLedger::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::size_t EffectLedger::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

void EffectLedger::clear() {
  std::lock_guard lock(mu_);
  events_ = 0;
  counts_.clear();
  seenKeys_.clear();
}

EffectLedger& EffectLedger::global() {
  static EffectLedger ledger;
  return ledger;
}

const FaultPlan*& FaultPlan::active() {
  static const FaultPlan* plan = nullptr;
  return plan;
}

void faultPoint(const StepContext& sc) {
  const FaultPlan* plan = FaultPlan::active();
  if (!plan) return;
  for (const auto& [id, attempt] : plan->failures)
    if (id == sc.operationId() && attempt == sc.attempt())
      throw InjectedStepFailure("injected failure of step " + id + " attempt " + std::to_string(attempt));
}

}  // namespace rwd::checker
