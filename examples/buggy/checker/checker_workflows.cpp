// Workflows for the replay verifier: six with a planted bug, each caught by the oracle
// (and mode) named in its comment, and correct counterparts that must pass with zero findings.
// Built as a handler library (rewind-check LIB --handler NAME) and used by checker_tests.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "rewind/checker/effect_ledger.hpp"
#include "rewind/handler.hpp"

using namespace std::chrono_literals;
using rwd::DurableContext;
using rwd::Json;
using rwd::StepContext;

namespace {

// BUG (determinism): each parcel's shipping is decided by the wall clock outside a step,
// so a replay may take the other branch and call a different operation at the same
// position. (Four decisions, so that a resumed run almost surely replays one that flips:
// a single coin would let a short exploration miss it by luck.)
std::string wallClockBranch(const Json&, DurableContext& ctx) {
  ctx.step("load-cart", [] { return 3; });
  std::string modes;
  for (int parcel = 0; parcel < 4; ++parcel) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())  // NOLINT: planted bug
                      .count();
    if (micros % 2 == 0)
      modes += ctx.step("ship-express", [] { return std::string("E"); });
    else
      modes += ctx.step("ship-ground", [] { return std::string("G"); });
  }
  return modes;
}

// BUG (result): `total` is mutated inside a step and read after it; when the step's
// result comes from the checkpoint, the body does not run and the total is wrong.
int closureMutation(const Json&, DurableContext& ctx) {
  int total = 0;
  ctx.step("add-items", [&] {
    total += 40;  // planted bug: return the value instead
    return true;
  });
  ctx.step("add-shipping", [&] {
    total += 2;
    return true;
  });
  return total;
}

// BUG (exactly-once, via the ledger): a non-idempotent charge in an at-least-once step;
// when the step's SUCCEED is lost the body re-runs and the customer pays twice.
std::string doubleCharge(const Json&, DurableContext& ctx) {
  std::string order = ctx.step("create-order", [] { return std::string("order-7"); });
  return ctx.step("charge", [&] {
    rwd::checker::recordEffect("charge", order);  // planted bug: no idempotency key
    return "charged " + order;
  });
}

// CORRECT: the same charge through a payment API that deduplicates by idempotency key.
std::string idempotentCharge(const Json&, DurableContext& ctx) {
  std::string order = ctx.step("create-order", [] { return std::string("order-7"); });
  return ctx.step("charge", [&] {
    rwd::checker::recordIdempotentEffect("charge", order, "charge-" + order);
    return "charged " + order;
  });
}

struct BookingFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// BUG (rollback): a hand-rolled compensation list undone in registration order.
std::string manualCompensation(const Json&, DurableContext& ctx) {
  std::vector<std::string> booked;
  for (std::string what : {"flight", "hotel", "car"}) {
    ctx.step("book-" + what, [&] {
      rwd::checker::recordIdempotentEffect("book", what, "book-" + what);
      return true;
    });
    booked.push_back(what);
  }
  try {
    ctx.step("charge-card", [](StepContext&) -> bool { throw BookingFailed("card declined"); },
             {.retryStrategy = rwd::retryPresets::none()});
  } catch (const rwd::StepError&) {
    for (const auto& what : booked)  // planted bug: should undo in reverse order
      ctx.step("rollback:book-" + what, [&] {
        rwd::checker::recordIdempotentEffect("cancel", what, "cancel-" + what);
        return true;
      });
    return "rolled back";
  }
  return "booked";
}

// CORRECT: the same saga with stepWithRollback/rollbackAll and idempotent effects.
std::string orderSaga(const Json&, DurableContext& ctx) {
  for (std::string what : {"flight", "hotel", "car"}) {
    ctx.stepWithRollback<bool>("book-" + what, {[what](StepContext&) {
                                                  rwd::checker::recordIdempotentEffect("book", what, "book-" + what);
                                                  return true;
                                                },
                                                [what](const rwd::ErrorInfo&, const bool&, StepContext&) {
                                                  rwd::checker::recordIdempotentEffect("cancel", what,
                                                                                       "cancel-" + what);
                                                }});
  }
  try {
    ctx.step("charge-card", [](StepContext&) -> bool { throw BookingFailed("card declined"); },
             {.retryStrategy = rwd::retryPresets::none()});
  } catch (const rwd::StepError& e) {
    ctx.rollbackAll(e);
    return "rolled back";
  }
  return "booked";
}

// BUG (determinism): a catch (...) swallows the suspension of a wait and carries on.
std::string swallowedSuspension(const Json&, DurableContext& ctx) {
  ctx.step("prepare", [] { return 1; });
  try {
    ctx.wait("cool-off", 1min);
  } catch (...) {  // NOLINT: planted bug — swallows Rewind's suspension
  }
  return "done";
}

// CORRECT: callbacks, waits, retries (the checker injects failures into open-ticket's
// attempts from outside) and a parallel fan-out.
std::string approvalFlow(const Json&, DurableContext& ctx) {
  std::string ticket = ctx.step("open-ticket", [](StepContext&) { return std::string("T-1"); },
                                {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 4})});
  std::string verdict =
      ctx.waitForCallback("agent-review",
                          [&](const std::string& callbackId, StepContext&) {
                            rwd::checker::recordIdempotentEffect("notify", ticket, "notify-" + callbackId);
                          },
                          {.timeout = 1h});
  ctx.wait("cool-off", 30s);
  auto results =
      ctx.parallel<int>("fan-out", {{"a", [](DurableContext& c) { return c.step("a1", [] { return 1; }); }},
                                    {"b",
                                     [](DurableContext& c) {
                                       c.wait("b-wait", 5s);
                                       return c.step("b1", [] { return 2; });
                                     }},
                                    {"c", [](DurableContext& c) { return c.step("c1", [] { return 3; }); }}});
  int sum = 0;
  for (int v : results.getResults()) sum += v;
  return ticket + ":" + std::to_string(sum) + ":" + std::to_string(verdict.size() > 0);
}

// BUG (result, found in fork mode only): the prices a step loads are cached in a
// `static` and read outside any step. Within one invocation that works; after a crash
// the next invocation is a fresh process, the step returns its checkpointed count
// without running, the cache is empty and the total is 0. In-process the static
// outlives the simulated crash (and every run of the check), so the bug stays hidden.
int staticPriceCache(const Json&, DurableContext& ctx) {
  static std::map<std::string, int> priceCache;  // planted bug: state outside the checkpoints
  int items = ctx.step("load-prices", [] {
    priceCache = {{"book", 12}, {"pen", 3}};
    return 2;
  });
  ctx.step("reserve-stock", [] { return true; });
  return items * 0 + priceCache["book"] * 2 + priceCache["pen"];  // planted bug: read after a step
}

// CORRECT: N sequential steps (the benchmark's workflow).
int sequentialSteps(const int& n, DurableContext& ctx) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += ctx.step("step-" + std::to_string(i), [i] { return i; });
  return sum;
}

}  // namespace

REWIND_HANDLER("wall_clock_branch", wallClockBranch);
REWIND_HANDLER("closure_mutation", closureMutation);
REWIND_HANDLER("double_charge", doubleCharge);
REWIND_HANDLER("idempotent_charge", idempotentCharge);
REWIND_HANDLER("manual_compensation", manualCompensation);
REWIND_HANDLER("order_saga", orderSaga);
REWIND_HANDLER("swallowed_suspension", swallowedSuspension);
REWIND_HANDLER("approval_flow", approvalFlow);
REWIND_HANDLER("sequential_steps", sequentialSteps);
REWIND_HANDLER("static_price_cache", staticPriceCache);
