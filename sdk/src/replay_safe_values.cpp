// ctx.now(), ctx.random(), ctx.uuid(): each value is produced inside one STEP and
// checkpointed, so a replay returns what the first run recorded (Temporal's
// workflow.Now() and SideEffect). Values come from the runtime's clock and the
// execution's seeded source, never from the wall clock or an unseeded device: runs on the
// local runner reproduce from its seed.
#include <array>
#include <cstdint>
#include <string>

#include "invocation.hpp"
#include "rewind/durable_context.hpp"

namespace rwd {

namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// 64 bits for the operation `opId` of this execution: the runner's seed, the execution
// ARN and the operation's position (its wire id) decide them; `lane` draws more words.
std::uint64_t seededWord(internal::Invocation& inv, const std::string& opId, std::uint64_t lane) {
  std::uint64_t h = fnv1a(opId, fnv1a(inv.arn()));
  return internal::splitmix64(internal::splitmix64(inv.settings().seed ^ h) + lane);
}

std::string formatUuid(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60);  // variant 10xx (RFC 4122)
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t word, int fromNibble, int toNibble) {
    for (int i = fromNibble; i < toNibble; ++i) out.push_back(kHex[(word >> (60 - 4 * i)) & 0xf]);
  };
  put(hi, 0, 8);
  out.push_back('-');
  put(hi, 8, 12);
  out.push_back('-');
  put(hi, 12, 16);
  out.push_back('-');
  put(lo, 0, 4);
  out.push_back('-');
  put(lo, 4, 16);
  return out;
}

}  // namespace

TimePoint DurableContext::nowCore(std::optional<std::string> name) {
  internal::Invocation& inv = *state_->inv;
  Payload p = stepCore(
      std::move(name),
      [&](StepContext&) -> Payload {
        return internal::jsonSerialize<std::int64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(inv.now().time_since_epoch()).count());
      },
      RetryStrategy{}, StepSemantics::AtLeastOncePerRetry);
  return TimePoint(std::chrono::milliseconds(internal::jsonDeserialize<std::int64_t>(p)));
}

std::uint64_t DurableContext::randomCore(std::optional<std::string> name) {
  internal::Invocation& inv = *state_->inv;
  Payload p = stepCore(
      std::move(name),
      [&](StepContext& sc) -> Payload {
        return internal::jsonSerialize<std::uint64_t>(seededWord(inv, sc.operationId(), 0));
      },
      RetryStrategy{}, StepSemantics::AtLeastOncePerRetry);
  return internal::jsonDeserialize<std::uint64_t>(p);
}

std::string DurableContext::uuidCore(std::optional<std::string> name) {
  internal::Invocation& inv = *state_->inv;
  Payload p = stepCore(
      std::move(name),
      [&](StepContext& sc) -> Payload {
        return internal::jsonSerialize<std::string>(
            formatUuid(seededWord(inv, sc.operationId(), 1), seededWord(inv, sc.operationId(), 2)));
      },
      RetryStrategy{}, StepSemantics::AtLeastOncePerRetry);
  return internal::jsonDeserialize<std::string>(p);
}

}  // namespace rwd
