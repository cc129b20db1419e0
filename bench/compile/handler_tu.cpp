// A representative handler translation unit (what users write many of): typed event and
// result, steps with retries, map, a callback with timeouts, a saga step, waitUntil,
// invoke, registered with REWIND_HANDLER. bench/compile_cost.sh times its compilation.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <rewind/handler.hpp>
#include <rewind/retry.hpp>

namespace payouts {

using namespace std::chrono_literals;

struct Claim {
  std::string id;
  std::string customer;
  std::vector<std::string> checks;
  long long amountCents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Claim, id, customer, checks, amountCents)

struct Decision {
  std::string action;
  std::string reviewer;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Decision, action, reviewer)

struct Outcome {
  std::string status;
  int riskScore = 0;
  std::string transferId;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Outcome, status, riskScore, transferId)

Outcome payout(const Claim& claim, rwd::DurableContext& ctx) {
  bool valid = ctx.step("validate", [&](rwd::StepContext&) { return !claim.id.empty() && claim.amountCents > 0; });
  if (!valid) return {"rejected", 0, ""};
  auto risks =
      ctx.map("risk-checks", claim.checks,
              [&](rwd::DurableContext& item, const std::string& check, std::size_t, const std::vector<std::string>&) {
                return item.step("score", [&](rwd::StepContext&) { return static_cast<int>(check.size()); },
                                 {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 3})});
              },
              {.maxConcurrency = 4});
  int score = 0;
  for (int r : risks.getResults()) score += r;
  auto decision = ctx.waitForCallback<Decision>(
      "approval", [&](const std::string& callbackId, rwd::StepContext&) { (void)callbackId; },
      {.timeout = 24h, .heartbeatTimeout = 2h});
  if (decision.action != "approve") return {"declined", score, ""};
  std::string transfer = ctx.stepWithRollback<std::string>(
      "transfer", {.run = [&](rwd::StepContext&) { return claim.id + "/transfer"; },
                   .undo = [&](const rwd::ErrorInfo&, const std::string&, rwd::StepContext&) {}});
  ctx.waitUntil("payout-date", rwd::kDefaultEpoch + 72h);
  auto receipt = ctx.invoke("notify", "notifier", nlohmann::json{{"claim", claim.id}});
  (void)receipt;
  return {"paid", score, transfer};
}

}  // namespace payouts

REWIND_HANDLER("payout", payouts::payout);
