// A schedule: everything the replay verifier varies in one run of a handler — where
// invocations crash, how callbacks are answered and when, which step attempts fail,
// the order of ready parallel/map branches and the retry-jitter seed.
// Schedules are plain data; they round-trip through JSON and a compact reproduce token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rewind/serdes.hpp"

namespace rwd::checker {

// Where a crash falls relative to a checkpoint update.
enum class CrashSide {
  EffectLost,           // the effect happened, its checkpoint update was lost (DropAndCrash)
  CheckpointPersisted,  // the update was persisted, then the process died (PersistAndCrash)
  MidStep,              // the invocation timed out as a step body started: the step stays STARTED
};
std::string_view toString(CrashSide s);

struct CrashPoint {
  // EffectLost/CheckpointPersisted: the run's global checkpoint sequence number (0-based,
  // counted over all invocations). MidStep: the index of the step-body start.
  std::size_t at = 0;
  CrashSide side = CrashSide::EffectLost;
  friend bool operator==(const CrashPoint&, const CrashPoint&) = default;
};

enum class CallbackAnswerKind { Success, Failure, Timeout, Heartbeat };
std::string_view toString(CallbackAnswerKind k);

// How the i-th callback (in the order the reference run created them) is answered.
// Heartbeat: one heartbeat after `delaySeconds`, then success after as long again.
// Timeout: never answered (the callback's own timeout fires; without one it fails
// with Callback.Timeout). The checker never invents a payload: a success without one
// here takes the payload of the responder the user declared for the callback
// (CheckOptions::callbackResponders); `payload` is set only from a generator the user
// gave for that callback (ExploreOptions::callbackPayloads).
struct CallbackAnswer {
  CallbackAnswerKind kind = CallbackAnswerKind::Success;
  std::optional<std::string> payload;
  std::int64_t delaySeconds = 1;
  friend bool operator==(const CallbackAnswer&, const CallbackAnswer&) = default;
};

struct StepFailure {
  std::string operationId;  // wire id of the step
  int attempt = 1;
  friend bool operator==(const StepFailure&, const StepFailure&) = default;
};

struct Schedule {
  std::vector<CrashPoint> crashes;
  std::vector<CallbackAnswer> callbackAnswers;
  std::vector<StepFailure> stepFailures;
  std::uint64_t branchSeed = 0;      // 0: ready branches run in index order
  std::uint64_t jitterSeed = 1;      // the runner's seed: callback ids, retry jitter
  std::optional<std::string> input;  // overrides the checked input when set
  friend bool operator==(const Schedule&, const Schedule&) = default;
};

Json toJson(const Schedule& s);
// Throws std::invalid_argument naming the bad field.
Schedule scheduleFromJson(const Json& j);
// A one-line token (base64url of the compact JSON) that rewind-check --reproduce reads.
std::string toToken(const Schedule& s);
// Throws std::invalid_argument ([rewind.checker.bad_token]) when the token is malformed.
Schedule scheduleFromToken(std::string_view token);
// "crash EffectLost@3, callback#0 Failure+5s, ..." for messages.
std::string describe(const Schedule& s);

}  // namespace rwd::checker
