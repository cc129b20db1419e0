// Conformance handlers of the parallel family (requirement ids 8.x).
#include "conformance_handlers.hpp"

namespace conformance {
namespace {

using rwd::BatchResult;
using rwd::Branch;
using rwd::DurableContext;
using rwd::ParallelConfig;
using rwd::StepContext;

// A branch returning a constant.
Branch<Json> constant(Json v) {
  return Branch<Json>([v = std::move(v)](DurableContext&) { return v; });
}

// A branch that fails.
Branch<Json> raiser() {
  return Branch<Json>([](DurableContext&) -> Json { fail("branch failed"); });
}

ParallelConfig<Json> sequential(rwd::CompletionConfig completion = {}) {
  ParallelConfig<Json> config;
  config.maxConcurrency = 1;
  config.completionConfig = completion;
  return config;
}

// {completionReason, status?, successCount, failureCount?, totalCount} of a batch.
Json projection(const BatchResult<Json>& r, bool withStatus, bool withFailures) {
  Json out{{"completionReason", rwd::toString(r.completionReason)},
           {"successCount", r.successCount()},
           {"totalCount", r.totalCount()}};
  if (withStatus) out["status"] = rwd::toString(r.status());
  if (withFailures) out["failureCount"] = r.failureCount();
  return out;
}

// 8.1: two branches each running one step, named "parallel", one at a time.
Json parallelBasic(const Json&, DurableContext& ctx) {
  std::vector<Branch<Json>> branches{
      [](DurableContext& c) { return c.step([](StepContext&) { return Json("task-1"); }, noRetry<Json>()); },
      [](DurableContext& c) { return c.step([](StepContext&) { return Json("task-2"); }, noRetry<Json>()); }};
  return ctx.parallel("parallel", branches, sequential()).getResults();
}

// 8.2: the unnamed form, branches returning values directly.
Json parallelUnnamed(const Json&, DurableContext& ctx) {
  return ctx.parallel(std::vector<Branch<Json>>{constant("alpha"), constant("beta")}, sequential()).getResults();
}

// 8.4: branches of different result types.
Json parallelHeterogeneous(const Json&, DurableContext& ctx) {
  return ctx.parallel("hetero", {constant("hello"), constant(42), constant(Json{{"k", "v"}})}, sequential())
      .getResults();
}

// 8.5: no branches at all.
Json parallelEmpty(const Json&, DurableContext& ctx) {
  return ctx.parallel("empty", std::vector<Branch<Json>>{}).getResults();
}

// 8.7: a failing branch with no tolerance; throwIfError fails the execution.
Json parallelThrowIfError(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("throwing", {raiser(), constant("b1")}, sequential({.toleratedFailureCount = 0}));
  r.throwIfError();
  return r.getResults();
}

// 8.8: stops after two successes (minSuccessful 2).
Json parallelMinSuccessful(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("min-successful", {constant("b0"), constant("b1"), constant("b2"), constant("b3")},
                        sequential({.minSuccessful = 2}));
  return projection(r, false, false);
}

// 8.10: the second failure exceeds a tolerance of one.
Json parallelToleranceExceeded(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("tolerated-exceeded", {raiser(), raiser(), constant("b2")},
                        sequential({.toleratedFailureCount = 1}));
  return projection(r, false, true);
}

// 8.11: three branches, at most two at a time.
Json parallelConcurrent(const Json&, DurableContext& ctx) {
  ParallelConfig<Json> config;
  config.maxConcurrency = 2;
  return ctx.parallel("concurrent", {constant("r0"), constant("r1"), constant("r2")}, config).getResults();
}

// 8.13: failures over 25 % of all branches stop the batch.
Json parallelTolerancePercentage(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("tolerated-pct", {raiser(), raiser(), constant("b2"), constant("b3")},
                        sequential({.toleratedFailurePercentage = 25}));
  return projection(r, false, true);
}

// 8.14: a branch that waits; the replay rebuilds the batch from the log.
Json parallelReplay(const Json&, DurableContext& ctx) {
  std::vector<Branch<Json>> branches{
      [](DurableContext& c) { return c.step([](StepContext&) { return Json("b0"); }, noRetry<Json>()); },
      [](DurableContext& c) {
        c.wait(2s);
        return Json("b1");
      }};
  return ctx.parallel("replay", branches, sequential()).getResults();
}

// 8.16: every branch fails within a tolerance of three.
Json parallelAllFail(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("all-fail", {raiser(), raiser(), raiser()}, sequential({.toleratedFailureCount = 3}));
  return projection(r, true, true);
}

// 8.17: minSuccessful 3 cannot be reached after a failure.
Json parallelMinNotReached(const Json&, DurableContext& ctx) {
  auto r =
      ctx.parallel("min-not-reached", {constant("b0"), raiser(), constant("b2")}, sequential({.minSuccessful = 3}));
  return projection(r, true, true);
}

// 8.19: maxConcurrency 0 is a validation error before anything is checkpointed.
Json parallelBadConcurrency(const Json&, DurableContext& ctx) {
  ParallelConfig<Json> config;
  config.maxConcurrency = 0;
  return ctx.parallel("bad-concurrency", {constant("a"), constant("b")}, config).getResults();
}

// 8.20: the BatchResult accessors.
Json parallelAccessors(const Json&, DurableContext& ctx) {
  auto r =
      ctx.parallel("accessors", {constant("b0"), raiser(), constant("b2")}, sequential({.toleratedFailureCount = 1}));
  return {{"hasFailure", r.hasFailure()},
          {"successCount", r.succeeded().size()},
          {"failureCount", r.failed().size()},
          {"errorCount", r.getErrors().size()}};
}

// 8.22: one failure in four is exactly 25 %: not exceeded.
Json parallelPercentageBoundary(const Json&, DurableContext& ctx) {
  auto r = ctx.parallel("pct-boundary", {raiser(), constant("b1"), constant("b2"), constant("b3")},
                        sequential({.toleratedFailurePercentage = 25}));
  return projection(r, true, true);
}

}  // namespace
}  // namespace conformance

REWIND_HANDLER("8.1", conformance::parallelBasic);
REWIND_HANDLER("8.2", conformance::parallelUnnamed);
REWIND_HANDLER("8.4", conformance::parallelHeterogeneous);
REWIND_HANDLER("8.5", conformance::parallelEmpty);
REWIND_HANDLER("8.7", conformance::parallelThrowIfError);
REWIND_HANDLER("8.8", conformance::parallelMinSuccessful);
REWIND_HANDLER("8.10", conformance::parallelToleranceExceeded);
REWIND_HANDLER("8.11", conformance::parallelConcurrent);
REWIND_HANDLER("8.13", conformance::parallelTolerancePercentage);
REWIND_HANDLER("8.14", conformance::parallelReplay);
REWIND_HANDLER("8.16", conformance::parallelAllFail);
REWIND_HANDLER("8.17", conformance::parallelMinNotReached);
REWIND_HANDLER("8.19", conformance::parallelBadConcurrency);
REWIND_HANDLER("8.20", conformance::parallelAccessors);
REWIND_HANDLER("8.22", conformance::parallelPercentageBoundary);
