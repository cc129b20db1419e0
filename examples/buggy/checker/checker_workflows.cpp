// Workflows for the replay verifier: planted bugs, each caught by the oracle (and kind of
// resume) named in its comment, and correct look-alikes that must pass with zero findings.
// Built as a handler library (rewind-check LIB --handler NAME) and used by checker_tests.
// The library exports a world reset (REWIND_CHECK_SETUP: its fakes start afresh for every
// explored execution) and one invariant (REWIND_CHECK_INVARIANTS), which rewind-check picks up.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <set>
#include <stdexcept>

#include "rewind/checker/effect_ledger.hpp"
#include "rewind/checker/library_hooks.hpp"
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

// CORRECT (branch order, #12 point 8): a map whose odd items fail for good after a retry,
// tolerated by the batch, two items at a time. The property mode's random branch scheduler
// starts items out of index order; replay must find the started and failed items wherever
// they are (a FAILED item run again was a false determinism finding before #16.1's fix).
std::string tolerantMap(const Json&, DurableContext& ctx) {
  const std::vector<int> shards{0, 1, 2, 3, 4};
  auto r = ctx.map("shards", shards,
                   [](DurableContext& c, const int& shard, std::size_t, const std::vector<int>&) {
                     return c.step("process",
                                   [shard](StepContext&) {
                                     if (shard % 2 == 1)
                                       throw std::runtime_error("shard " + std::to_string(shard) + " is corrupt");
                                     rwd::checker::recordIdempotentEffect("shard", std::to_string(shard),
                                                                          "shard-" + std::to_string(shard));
                                     return shard * 10;
                                   },
                                   {.retryStrategy = rwd::createRetryStrategy({.maxAttempts = 2})});
                   },
                   {.maxConcurrency = 2, .completionConfig = {.toleratedFailureCount = 5}});
  int sum = 0;
  for (int v : r.getResults()) sum += v;
  return std::to_string(r.successCount()) + " ok, " + std::to_string(r.failureCount()) + " failed, sum " +
         std::to_string(sum);
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

// ---- the world: fakes of external services, reset once per explored execution ----

// A remote configuration service. Operators raise the backoff while executions run: each
// read returns 30 s more than the last.
struct ConfigService {
  int reads = 0;
  int backoffSeconds() { return 30 * ++reads; }
};
ConfigService& configService() {
  static ConfigService c;
  return c;
}
// A process-wide registry of failures per partner, kept by a retry strategy.
std::map<std::string, int>& failureRegistry() {
  static std::map<std::string, int> r;
  return r;
}
// A process-wide count of seat reservations made by this process.
int& seatReservations() {
  static int n = 0;
  return n;
}
void resetWorld() {
  configService() = {};
  failureRegistry().clear();
  seatReservations() = 0;
}

// BUG (determinism, warm resume; hidden when crash points are merged): the backoff is read
// from the remote config outside any step. Only a crash after the read and before the
// wait's START is persisted makes the resumed run read again and ask for another duration;
// that point and "after 'submit-job' SUCCEED was persisted" leave the same log, so merging
// them judged the first by the second's run.
std::string remoteBackoffRead(const Json&, DurableContext& ctx) {
  ctx.step("submit-job", [] { return true; });
  int backoff = configService().backoffSeconds();  // planted bug: a remote read outside any step
  ctx.wait("backoff", std::chrono::seconds(backoff));
  return ctx.step("collect-result", [] { return std::string("done"); });
}

// CORRECT: the same read inside a step, so its value is checkpointed.
std::string checkpointedBackoffRead(const Json&, DurableContext& ctx) {
  ctx.step("submit-job", [] { return true; });
  int backoff = ctx.step("read-backoff", [] { return configService().backoffSeconds(); });
  ctx.wait("backoff", std::chrono::seconds(backoff));
  return ctx.step("collect-result", [] { return std::string("done"); });
}

// BUG (result, warm resume; hidden when crash points are merged): the retry strategy
// writes a process-wide registry, and the handler opens a circuit when it counts two
// failures. A crash after the first attempt failed but before its RETRY was persisted
// re-runs that attempt, the strategy counts the same failure twice, and the resumed run
// ends "circuit open". The body records no ledger effect, so merging judged that point by
// the run of the step's START.
std::string retryRegistry(const Json&, DurableContext& ctx) {
  auto strategy = [](const rwd::ErrorInfo& e, int attempt) {
    ++failureRegistry()["partner"];  // planted bug: counted per strategy call, not per attempt
    return rwd::createRetryStrategy({.maxAttempts = 3, .jitter = rwd::JitterStrategy::None})(e, attempt);
  };
  ctx.step("call-partner",
           [](StepContext& sc) {
             if (sc.attempt() == 1) throw std::runtime_error("partner busy");
             return sc.attempt();
           },
           {.retryStrategy = strategy});
  return failureRegistry()["partner"] > 1 ? std::string("circuit open") : std::string("ok");
}

// CORRECT: the registry counts failed attempts by number, so a re-run attempt counts once.
std::string retryRegistryPerAttempt(const Json&, DurableContext& ctx) {
  auto strategy = [](const rwd::ErrorInfo& e, int attempt) {
    failureRegistry()["partner"] = std::max(failureRegistry()["partner"], attempt);
    return rwd::createRetryStrategy({.maxAttempts = 3, .jitter = rwd::JitterStrategy::None})(e, attempt);
  };
  ctx.step("call-partner",
           [](StepContext& sc) {
             if (sc.attempt() == 1) throw std::runtime_error("partner busy");
             return sc.attempt();
           },
           {.retryStrategy = strategy});
  return failureRegistry()["partner"] > 1 ? std::string("circuit open") : std::string("ok");
}

// BUG (result, warm resume only): a static counts the seats this process reserved and the
// handler reads it after the step. A lost SUCCEED re-runs the body in the same process
// (warm), the static reaches 2 and the execution ends "double-booked"; a cold resume
// starts from 0 and hides it. (Merging also judged that point by the START's run.)
std::string warmSeatCounter(const Json&, DurableContext& ctx) {
  ctx.step("reserve-seat", [] {
    ++seatReservations();  // planted bug: state outside the checkpoints
    return true;
  });
  ctx.step("issue-ticket", [] { return true; });
  return seatReservations() > 1 ? std::string("double-booked") : std::string("booked");
}

// CORRECT: the count is the step's checkpointed result.
std::string checkpointedSeatCounter(const Json&, DurableContext& ctx) {
  int seats = ctx.step("reserve-seat", [] { return 1; });
  ctx.step("issue-ticket", [] { return true; });
  return seats > 1 ? std::string("double-booked") : std::string("booked");
}

// BUG (result, cold resume only): the pages a step scanned go into a per-process set,
// counted after the loop. Re-runs insert the same page again (warm resumes agree), but a
// cold resume replays the finished pages without running their bodies and counts fewer.
std::string coldPageCounter(const Json&, DurableContext& ctx) {
  static std::set<int> scanned;  // planted bug: state outside the checkpoints
  for (int page = 0; page < 3; ++page)
    ctx.step("scan-page-" + std::to_string(page), [page] {
      scanned.insert(page);
      return page;
    });
  return std::to_string(scanned.size()) + " pages";
}

// CORRECT: the pages are counted from the steps' checkpointed results.
std::string checkpointedPageCounter(const Json&, DurableContext& ctx) {
  int pages = 0;
  for (int page = 0; page < 3; ++page)
    pages += ctx.step("scan-page-" + std::to_string(page), [page] { return page >= 0 ? 1 : 0; });
  return std::to_string(pages) + " pages";
}

// BUG (exactly-once; needs the crash point between "the handler returned" and the
// execution's SUCCEED): the welcome email is sent after the last step, outside any step.
// Only a crash after the handler returned and before its outcome was recorded replays the
// handler past the email again.
std::string emailAfterReturn(const Json&, DurableContext& ctx) {
  std::string account = ctx.step("create-account", [] { return std::string("acct-9"); });
  rwd::checker::recordEffect("welcome-email", account);  // planted bug: an effect outside any step
  return account;
}

// CORRECT: the email in a step, through a service that deduplicates by key.
std::string emailInStep(const Json&, DurableContext& ctx) {
  std::string account = ctx.step("create-account", [] { return std::string("acct-9"); });
  ctx.step("send-welcome", [&] {
    rwd::checker::recordIdempotentEffect("welcome-email", account, "welcome-" + account);
    return true;
  });
  return account;
}

// BUG (exactly-once, reached only with the approval the user declares): the approval
// carries a limit; the payout is made outside any step, so every replay after it pays
// again. A fixed "approved" answer has no limit: the run fails before the payout, and the
// old checker explored that failure as the main path. Check it with
//   --respond 'manager-approval=success:{"decision":"approve","limit":500}'
std::string approvalPayout(const Json&, DurableContext& ctx) {
  Json approval = ctx.waitForCallback<Json>("manager-approval", [](const std::string&, StepContext&) {},
                                            {.timeout = std::chrono::hours(24)});
  if (!approval.is_object() || !approval.contains("limit"))
    throw std::invalid_argument("the approval carries no limit: " + approval.dump());
  int limit = approval.at("limit").get<int>();
  ctx.step("reserve-funds", [] { return true; });
  rwd::checker::recordEffect("payout", "acct-1");  // planted bug: a payment outside any step
  ctx.wait("settle", std::chrono::seconds(60));
  return "paid up to " + std::to_string(limit);
}

// CORRECT: the payout in a step with an idempotency key.
std::string approvalPayoutInStep(const Json&, DurableContext& ctx) {
  Json approval = ctx.waitForCallback<Json>("manager-approval", [](const std::string&, StepContext&) {},
                                            {.timeout = std::chrono::hours(24)});
  if (!approval.is_object() || !approval.contains("limit"))
    throw std::invalid_argument("the approval carries no limit: " + approval.dump());
  int limit = approval.at("limit").get<int>();
  ctx.step("reserve-funds", [] { return true; });
  ctx.step("payout", [] {
    rwd::checker::recordIdempotentEffect("payout", "acct-1", "payout-acct-1");
    return true;
  });
  ctx.wait("settle", std::chrono::seconds(60));
  return "paid up to " + std::to_string(limit);
}

// BUG (invariant only): when the booking fails, the card hold is never released. Every
// crash leaves a consistent history and ledger; only the user's invariant "every hold is
// released or captured" (exported below) says it is wrong.
std::string holdSaga(const Json&, DurableContext& ctx) {
  ctx.step("hold-card", [] {
    rwd::checker::recordIdempotentEffect("hold", "card-1", "hold-1");
    return true;
  });
  try {
    ctx.step("book-room", [](StepContext&) -> bool { throw BookingFailed("no rooms left"); },
             {.retryStrategy = rwd::retryPresets::none()});
  } catch (const rwd::StepError&) {
    return "not booked";  // planted bug: the hold stays
  }
  ctx.step("capture-card", [] {
    rwd::checker::recordIdempotentEffect("capture", "card-1", "capture-1");
    return true;
  });
  return "booked";
}

// CORRECT: the hold is released when the booking fails.
std::string holdSagaReleased(const Json&, DurableContext& ctx) {
  ctx.step("hold-card", [] {
    rwd::checker::recordIdempotentEffect("hold", "card-1", "hold-1");
    return true;
  });
  try {
    ctx.step("book-room", [](StepContext&) -> bool { throw BookingFailed("no rooms left"); },
             {.retryStrategy = rwd::retryPresets::none()});
  } catch (const rwd::StepError&) {
    ctx.step("release-card", [] {
      rwd::checker::recordIdempotentEffect("release", "card-1", "release-1");
      return true;
    });
    return "not booked";
  }
  ctx.step("capture-card", [] {
    rwd::checker::recordIdempotentEffect("capture", "card-1", "capture-1");
    return true;
  });
  return "booked";
}

// The invariant: every (hold, card) is matched by a release or a capture of that card.
std::optional<std::string> holdsAreSettled(const rwd::checker::FinalState& s) {
  for (const auto& [key, n] : s.effects) {
    if (key.first != "hold") continue;
    auto count = [&](const char* kind) {
      auto it = s.effects.find({kind, key.second});
      return it == s.effects.end() ? 0 : it->second;
    };
    if (count("release") + count("capture") < n)
      return "the hold on " + key.second + " was neither released nor captured";
  }
  return std::nullopt;
}

}  // namespace

REWIND_CHECK_SETUP(resetWorld);
REWIND_CHECK_INVARIANTS(rwd::checker::Invariant{"every hold is released or captured", holdsAreSettled});

REWIND_HANDLER("wall_clock_branch", wallClockBranch);
REWIND_HANDLER("closure_mutation", closureMutation);
REWIND_HANDLER("double_charge", doubleCharge);
REWIND_HANDLER("idempotent_charge", idempotentCharge);
REWIND_HANDLER("manual_compensation", manualCompensation);
REWIND_HANDLER("order_saga", orderSaga);
REWIND_HANDLER("swallowed_suspension", swallowedSuspension);
REWIND_HANDLER("approval_flow", approvalFlow);
REWIND_HANDLER("tolerant_map", tolerantMap);
REWIND_HANDLER("sequential_steps", sequentialSteps);
REWIND_HANDLER("static_price_cache", staticPriceCache);
REWIND_HANDLER("remote_backoff_read", remoteBackoffRead);
REWIND_HANDLER("checkpointed_backoff_read", checkpointedBackoffRead);
REWIND_HANDLER("retry_registry", retryRegistry);
REWIND_HANDLER("retry_registry_per_attempt", retryRegistryPerAttempt);
REWIND_HANDLER("warm_seat_counter", warmSeatCounter);
REWIND_HANDLER("checkpointed_seat_counter", checkpointedSeatCounter);
REWIND_HANDLER("cold_page_counter", coldPageCounter);
REWIND_HANDLER("checkpointed_page_counter", checkpointedPageCounter);
REWIND_HANDLER("email_after_return", emailAfterReturn);
REWIND_HANDLER("email_in_step", emailInStep);
REWIND_HANDLER("approval_payout", approvalPayout);
REWIND_HANDLER("approval_payout_in_step", approvalPayoutInStep);
REWIND_HANDLER("hold_saga", holdSaga);
REWIND_HANDLER("hold_saga_released", holdSagaReleased);
