// Small shared pieces: enum names, ids, timestamps, type names, error capture.
#include <cxxabi.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "md5.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/error.hpp"
#include "rewind/operation.hpp"
#include "rewind/plugin.hpp"
#include "rewind/time.hpp"
#include "rewind/json_text.hpp"
#include "rewind/service_limits.hpp"

namespace rwd {

std::string_view toString(OperationType t) {
  switch (t) {
    case OperationType::Execution: return "EXECUTION";
    case OperationType::Context: return "CONTEXT";
    case OperationType::Step: return "STEP";
    case OperationType::Wait: return "WAIT";
    case OperationType::Callback: return "CALLBACK";
    case OperationType::ChainedInvoke: return "CHAINED_INVOKE";
  }
  return "?";
}

std::string_view toString(OperationSubType t) {
  switch (t) {
    case OperationSubType::Execution: return "Execution";
    case OperationSubType::Step: return "Step";
    case OperationSubType::Wait: return "Wait";
    case OperationSubType::Callback: return "Callback";
    case OperationSubType::RunInChildContext: return "RunInChildContext";
    case OperationSubType::Map: return "Map";
    case OperationSubType::MapIteration: return "MapIteration";
    case OperationSubType::Parallel: return "Parallel";
    case OperationSubType::ParallelBranch: return "ParallelBranch";
    case OperationSubType::WaitForCallback: return "WaitForCallback";
    case OperationSubType::WaitForCondition: return "WaitForCondition";
    case OperationSubType::ChainedInvoke: return "ChainedInvoke";
  }
  return "?";
}

std::string_view toString(OperationStatus s) {
  switch (s) {
    case OperationStatus::Started: return "STARTED";
    case OperationStatus::Pending: return "PENDING";
    case OperationStatus::Ready: return "READY";
    case OperationStatus::Succeeded: return "SUCCEEDED";
    case OperationStatus::Failed: return "FAILED";
    case OperationStatus::Cancelled: return "CANCELLED";
    case OperationStatus::Stopped: return "STOPPED";
    case OperationStatus::TimedOut: return "TIMED_OUT";
  }
  return "?";
}

std::string_view toString(OperationAction a) {
  switch (a) {
    case OperationAction::Start: return "START";
    case OperationAction::Succeed: return "SUCCEED";
    case OperationAction::Fail: return "FAIL";
    case OperationAction::Retry: return "RETRY";
    case OperationAction::Cancel: return "CANCEL";
  }
  return "?";
}

bool isTerminal(OperationStatus s) {
  return s == OperationStatus::Succeeded || s == OperationStatus::Failed || s == OperationStatus::Cancelled ||
         s == OperationStatus::Stopped || s == OperationStatus::TimedOut;
}

std::string_view toString(HistoryEventType t) {
  switch (t) {
    case HistoryEventType::ExecutionStarted: return "ExecutionStarted";
    case HistoryEventType::ExecutionSucceeded: return "ExecutionSucceeded";
    case HistoryEventType::ExecutionFailed: return "ExecutionFailed";
    case HistoryEventType::ExecutionTimedOut: return "ExecutionTimedOut";
    case HistoryEventType::ExecutionStopped: return "ExecutionStopped";
    case HistoryEventType::StepStarted: return "StepStarted";
    case HistoryEventType::StepSucceeded: return "StepSucceeded";
    case HistoryEventType::StepFailed: return "StepFailed";
    case HistoryEventType::WaitStarted: return "WaitStarted";
    case HistoryEventType::WaitSucceeded: return "WaitSucceeded";
    case HistoryEventType::WaitCancelled: return "WaitCancelled";
    case HistoryEventType::CallbackStarted: return "CallbackStarted";
    case HistoryEventType::CallbackSucceeded: return "CallbackSucceeded";
    case HistoryEventType::CallbackFailed: return "CallbackFailed";
    case HistoryEventType::CallbackTimedOut: return "CallbackTimedOut";
    case HistoryEventType::ContextStarted: return "ContextStarted";
    case HistoryEventType::ContextSucceeded: return "ContextSucceeded";
    case HistoryEventType::ContextFailed: return "ContextFailed";
    case HistoryEventType::ChainedInvokeStarted: return "ChainedInvokeStarted";
    case HistoryEventType::ChainedInvokeSucceeded: return "ChainedInvokeSucceeded";
    case HistoryEventType::ChainedInvokeFailed: return "ChainedInvokeFailed";
    case HistoryEventType::ChainedInvokeTimedOut: return "ChainedInvokeTimedOut";
    case HistoryEventType::ChainedInvokeStopped: return "ChainedInvokeStopped";
    case HistoryEventType::InvocationCompleted: return "InvocationCompleted";
  }
  return "?";
}

std::string_view toString(BatchItemStatus s) {
  switch (s) {
    case BatchItemStatus::Succeeded: return "SUCCEEDED";
    case BatchItemStatus::Failed: return "FAILED";
    case BatchItemStatus::Started: return "STARTED";
  }
  return "?";
}

std::string_view toString(CompletionReason r) {
  switch (r) {
    case CompletionReason::AllCompleted: return "ALL_COMPLETED";
    case CompletionReason::MinSuccessfulReached: return "MIN_SUCCESSFUL_REACHED";
    case CompletionReason::FailureToleranceExceeded: return "FAILURE_TOLERANCE_EXCEEDED";
  }
  return "?";
}

std::optional<CompletionReason> completionReasonFromString(std::string_view s) {
  for (auto r : {CompletionReason::AllCompleted, CompletionReason::MinSuccessfulReached,
                 CompletionReason::FailureToleranceExceeded})
    if (toString(r) == s) return r;
  return std::nullopt;
}

std::optional<BatchItemStatus> batchItemStatusFromString(std::string_view s) {
  for (auto r : {BatchItemStatus::Succeeded, BatchItemStatus::Failed, BatchItemStatus::Started})
    if (toString(r) == s) return r;
  return std::nullopt;
}

std::string_view toString(InvocationStatus s) {
  switch (s) {
    case InvocationStatus::Succeeded: return "SUCCEEDED";
    case InvocationStatus::Failed: return "FAILED";
    case InvocationStatus::Pending: return "PENDING";
    case InvocationStatus::Retrying: return "RETRYING";
  }
  return "?";
}

namespace {

// The ids of recently used step ids, per thread: a replay asks for the same positional
// ids again and again (every invocation of an execution, every run of a checker), and an
// MD5 block is a chain of 64 dependent steps. Direct-mapped and fixed in size, so nothing
// grows with the number of ids; a step id longer than a slot's key is computed each time.
struct OperationIdCache {
  static constexpr std::size_t kSlots = 512;
  static constexpr std::size_t kMaxKey = 22;
  struct Slot {
    std::uint8_t keyLength = 0xff;  // 0xff: empty
    char key[kMaxKey];
    char id[16];
  };
  std::array<Slot, kSlots> slots;
};

std::size_t slotOf(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<std::size_t>(h ^ (h >> 29)) % OperationIdCache::kSlots;
}

void hexId(std::string_view stepId, char out[16]) {
  // The first 8 bytes of md5(stepId) in hex.
  std::array<std::uint8_t, 16> digest = internal::md5(stepId);
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
}

}  // namespace

namespace internal {

namespace {

// The 16 characters of operationIdFor(stepId), from a per-thread cache of recent ids
// (`scratch` holds them when the step id is too long to be cached).
const char* cachedOperationId(std::string_view stepId, char (&scratch)[16]) {
  if (stepId.size() > OperationIdCache::kMaxKey) {
    hexId(stepId, scratch);
    return scratch;
  }
  thread_local std::unique_ptr<OperationIdCache> cache = std::make_unique<OperationIdCache>();
  OperationIdCache::Slot& slot = cache->slots[slotOf(stepId)];
  if (slot.keyLength != stepId.size() || std::string_view(slot.key, slot.keyLength) != stepId) {
    hexId(stepId, slot.id);
    std::copy(stepId.begin(), stepId.end(), slot.key);
    slot.keyLength = static_cast<std::uint8_t>(stepId.size());
  }
  return slot.id;
}

}  // namespace

void assignOperationId(std::string& out, std::string_view stepId) {
  char scratch[16];
  out.assign(cachedOperationId(stepId, scratch), 16);
}

void assignOperationId(OperationId& out, std::string_view stepId) {
  char scratch[16];
  out = std::string_view(cachedOperationId(stepId, scratch), 16);
}

}  // namespace internal

std::string operationIdFor(std::string_view stepId) {
  std::string out;
  internal::assignOperationId(out, stepId);
  return out;
}

std::string formatTimestamp(TimePoint t) {
  auto ms = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int millis = static_cast<int>(ms - static_cast<long long>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

namespace {

void eraseAll(std::string& s, std::string_view what) {
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos)) s.erase(pos, what.size());
}

// Error types are recorded in checkpoints and matched by tests, so they must not
// change with a library's ABI version: inline ABI namespaces and tags are dropped
// (std::__cxx11::, [abi:cxx11], nlohmann::json_abi_v3_11_2::) and nlohmann's
// exceptions take their documented names (nlohmann::json::parse_error).
std::string stableTypeName(std::string name) {
  eraseAll(name, "__cxx11::");
  eraseAll(name, "[abi:cxx11]");
  if (name.starts_with("nlohmann::json_abi_")) {
    std::size_t ns = name.find("::", 10);
    if (ns != std::string::npos) name = "nlohmann::" + name.substr(ns + 2);
  }
  if (name.starts_with("nlohmann::detail::")) name = "nlohmann::json::" + name.substr(18);
  return name;
}

}  // namespace

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return stableTypeName(status == 0 && out ? std::string(out.get()) : std::string(mangled));
}

ErrorInfo currentErrorInfo() {
  std::exception_ptr ep = std::current_exception();
  try {
    throw;
  } catch (const DurableError& e) {
    return {toValidUtf8(e.errorType()), toValidUtf8(e.message()), e.data(), ep};
  } catch (const std::exception& e) {
    return {demangle(typeid(e).name()), toValidUtf8(e.what()), std::nullopt, ep};
  } catch (...) {
    std::type_info* t = abi::__cxa_current_exception_type();
    std::string name = t ? demangle(t->name()) : std::string("unknown");
    return {name, fmt::format("a value of type '{}' was thrown (not a std::exception)", name), std::nullopt, ep};
  }
}

void CallbackError::throwFromObject(const ErrorObject& e) {
  if (e.errorType == "Callback.Timeout" || e.errorType == "Callback.Heartbeat")
    throw CallbackTimeoutError(e.errorMessage, e.errorType, e.errorData);
  if (e.errorType == "CallbackSubmitterError") throw CallbackSubmitterError(e.errorMessage, e.errorType, e.errorData);
  throw CallbackExternalError(e.errorMessage, e.errorType, e.errorData);
}

namespace internal {

Json errorToJson(const ErrorObject& e) {
  Json j{{"ErrorType", e.errorType}, {"ErrorMessage", e.errorMessage}};
  if (e.errorData) j["ErrorData"] = *e.errorData;
  if (e.stackTrace) j["StackTrace"] = *e.stackTrace;
  return j;
}

ErrorObject errorFromJson(const Json& j) {
  ErrorObject e;
  if (!j.is_object()) {
    e.errorType = "Error";
    e.errorMessage = j.is_string() ? j.get<std::string>() : j.dump();
    return e;
  }
  if (auto it = j.find("ErrorType"); it != j.end()) e.errorType = it->is_string() ? it->get<std::string>() : it->dump();
  if (auto it = j.find("ErrorMessage"); it != j.end())
    e.errorMessage = it->is_string() ? it->get<std::string>() : it->dump();
  if (auto it = j.find("ErrorData"); it != j.end() && !it->is_null())
    e.errorData = it->is_string() ? it->get<std::string>() : it->dump();
  if (auto it = j.find("StackTrace"); it != j.end() && it->is_array()) {
    std::vector<std::string> st;
    for (const auto& l : *it) st.push_back(l.is_string() ? l.get<std::string>() : l.dump());
    e.stackTrace = std::move(st);
  }
  return e;
}

void throwMissingSerdes(const char* mangledTypeName) {
  throw ValidationError("rewind.serdes.missing",
                        fmt::format("{} has no JSON serialization and the operation's config gives no serdes for it: "
                                    "pass a serdes in the config, or add to_json/from_json for the type",
                                    demangle(mangledTypeName)));
}

}  // namespace internal
}  // namespace rwd
