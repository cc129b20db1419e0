// DurableContext: what a durable handler is written against. Every operation is
// checkpointed; after a suspension or a crash the handler replays from the top and
// completed operations return their checkpointed values without running again.
//
// Usage:
//   std::string handler(const Order& order, rwd::DurableContext& ctx) {
//     auto id = ctx.step("reserve", [&](rwd::StepContext&) { return inventory.reserve(order); });
//     ctx.wait("cool-off", std::chrono::minutes(1));
//     return ctx.waitForCallback<std::string>("approve", [&](const std::string& cbId, rwd::StepContext&) {
//       mailer.askApproval(cbId);
//     });
//   }
//
// Thread-safety: a context is used only on the thread that runs the handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rewind/batch_result.hpp"
#include "rewind/error.hpp"
#include "rewind/logger.hpp"
#include "rewind/operation.hpp"
#include "rewind/retry.hpp"
#include "rewind/serdes.hpp"
#include "rewind/service_limits.hpp"
#include "rewind/step_context.hpp"
#include "rewind/time.hpp"

namespace rwd {

class DurableContext;

enum class StepSemantics { AtLeastOncePerRetry, AtMostOncePerRetry };
enum class Nesting { Nested, Flat };

namespace internal {

class Invocation;
struct ContextState;

// void results become std::nullptr_t inside batches so that they have a value to store.
template <class R>
using ValueOf = std::conditional_t<std::is_void_v<R>, std::nullptr_t, R>;

template <class F>
using StepResultOf = std::conditional_t<std::is_invocable_v<F, StepContext&>,
                                        std::invoke_result<F, StepContext&>, std::invoke_result<F>>::type;

// map's item function: fn(DurableContext& ctx, const T& item, std::size_t index,
// const std::vector<T>& items). Anything else makes map() fail with a static_assert that
// names this signature (MapItemResult then yields a placeholder, so that the overload
// is still chosen and the message is the only error).
template <class F, class T>
inline constexpr bool kIsMapItemFunction =
    std::is_invocable_v<F&, DurableContext&, const T&, std::size_t, const std::vector<T>&>;
template <class F, class T, bool = kIsMapItemFunction<F, T>>
struct MapItemResult {
  using type = ValueOf<std::invoke_result_t<F&, DurableContext&, const T&, std::size_t, const std::vector<T>&>>;
};
template <class F, class T>
struct MapItemResult<F, T, false> {
  using type = std::nullptr_t;
};

template <class F>
decltype(auto) callStepBody(F& fn, StepContext& sc) {
  if constexpr (std::is_invocable_v<F, StepContext&>) {
    return fn(sc);
  } else {
    return fn();
  }
}

template <class F, class S>
decltype(auto) callCheck(F& fn, const S& state, StepContext& sc) {
  if constexpr (std::is_invocable_v<F, const S&, StepContext&>) {
    return fn(state, sc);
  } else {
    return fn(state);
  }
}

// One registered compensation of stepWithRollback.
struct Compensation {
  std::optional<std::string> name;
  std::function<void(const ErrorInfo&, StepContext&)> undo;
  RetryStrategy retryStrategy;
};

struct BatchOptions {
  std::optional<int> maxConcurrency;
  std::optional<std::size_t> minSuccessful;
  std::optional<std::size_t> toleratedFailureCount;
  std::optional<double> toleratedFailurePercentage;
  Nesting nesting = Nesting::Nested;
};

// The raw outcome of a batch: per started item, its payload or error, in index order.
struct RawBatchItem {
  std::size_t index = 0;
  BatchItemStatus status = BatchItemStatus::Started;
  Payload payload;
  Boxed<ErrorObject> error;  // boxed: most items have none (200 bytes an item held inline)
};
struct RawBatch {
  std::vector<RawBatchItem> items;
  CompletionReason reason = CompletionReason::AllCompleted;
};
// The default JSON of the BatchResult of `raw` (to_json of BatchResult<R>, byte for byte),
// written from the items' JSON payloads without building a Json tree; nullopt when an
// item has no payload to embed (then the caller serializes the typed result).
Payload batchJsonText(const RawBatch& raw);
// batchJsonText(raw)->size(), counted without writing the text; nullopt when that needs
// the text (an item with an error, or without a payload to embed).
std::optional<std::size_t> batchJsonSize(const RawBatch& raw);

// What a batch checkpoints as its result: the text, or only that the text would be over
// the checkpoint's result limit (then the batch checkpoints ReplayChildren, the caller
// returns the typed result it built, and the text would never be read: it is not written).
struct BatchText {
  Payload text;
  bool oversized = false;
};

}  // namespace internal

template <class T>
struct StepConfig {
  RetryStrategy retryStrategy{};  // empty: retryPresets::defaultStrategy()
  StepSemantics semantics = StepSemantics::AtLeastOncePerRetry;
  Serdes<T> serdes{};
};

template <class T = std::string>
struct CallbackConfig {
  std::optional<Duration> timeout{};
  std::optional<Duration> heartbeatTimeout{};
  Serdes<T> serdes{};  // default: raw payload text for std::string, from_json otherwise
};

template <class T = std::string>
struct WaitForCallbackConfig {
  std::optional<Duration> timeout{};
  std::optional<Duration> heartbeatTimeout{};
  RetryStrategy retryStrategy{};  // for the submitter step; empty: SDK default
  Serdes<T> serdes{};
};

template <class T>
struct ChildContextConfig {
  Serdes<T> serdes{};
};

template <class S>
struct WaitForConditionConfig {
  S initialState{};
  WaitStrategy<S> waitStrategy{};  // empty: stop after the first poll
  Serdes<S> serdes{};
};

struct CompletionConfig {
  std::optional<std::size_t> minSuccessful{};
  std::optional<std::size_t> toleratedFailureCount{};
  std::optional<double> toleratedFailurePercentage{};
};

template <class R>
struct ParallelConfig {
  std::optional<int> maxConcurrency{};  // unset or >= 1
  CompletionConfig completionConfig{};
  Serdes<R> itemSerdes{};
  Serdes<BatchResult<R>> serdes{};
  Nesting nesting = Nesting::Nested;
};

template <class T, class R>
struct MapConfig {
  std::optional<int> maxConcurrency{};
  CompletionConfig completionConfig{};
  // Names each item's context; unset: "map-item-<index>" (0-based, as the AWS JS SDK).
  std::function<std::string(const T& item, std::size_t index)> itemNamer{};
  Serdes<R> itemSerdes{};
  Serdes<BatchResult<R>> serdes{};
  Nesting nesting = Nesting::Nested;
};

// The payload of an invoke that sends none (see DurableContext::invoke).
struct NoPayload {};
inline constexpr NoPayload noPayload{};

template <class P, class R>
struct InvokeConfig {
  Serdes<P> payloadSerdes{};
  Serdes<R> resultSerdes{};
  std::optional<std::string> tenantId{};
};

// A parallel branch: a function of the branch's context, optionally named (unnamed:
// "parallel-branch-<index>", 0-based, as the AWS JS SDK).
template <class R>
struct Branch {
  std::optional<std::string> name;
  std::function<R(DurableContext&)> fn;

  template <class F, class = std::enable_if_t<std::is_invocable_v<F&, DurableContext&>>>
  Branch(F f) : fn(std::move(f)) {}  // NOLINT(google-explicit-constructor): plain lambdas are branches
  template <class F>
  Branch(std::string n, F f) : name(std::move(n)), fn(std::move(f)) {}
};

template <class R>
struct Rollback {
  std::function<R(StepContext&)> run;
  std::function<void(const ErrorInfo& error, const R& result, StepContext&)> undo;
};

// A callback created with createCallback: its id at once, its result when awaited.
template <class T>
class CallbackHandle {
 public:
  const std::string& callbackId() const noexcept { return callbackId_; }
  // Returns the callback's result; suspends the branch while it is unresolved; throws
  // CallbackTimeoutError / CallbackExternalError on timeout / failure.
  T result() const;

 private:
  friend class DurableContext;
  CallbackHandle(DurableContext* ctx, std::string opId, std::string callbackId, Serdes<T> serdes)
      : ctx_(ctx), opId_(std::move(opId)), callbackId_(std::move(callbackId)), serdes_(std::move(serdes)) {}
  DurableContext* ctx_;
  std::string opId_;
  std::string callbackId_;
  Serdes<T> serdes_;
};

class DurableContext {
 public:
  DurableContext(const DurableContext&) = delete;
  DurableContext& operator=(const DurableContext&) = delete;
  ~DurableContext();

  // ---- step -------------------------------------------------------------------
  // Without a config the result goes through JSON, so a type without JSON conversion is
  // a compile error here; with a config it may carry a custom serdes instead (a config
  // without one is then a [rewind.serdes.missing] error at run time).
  template <class F, class R = internal::StepResultOf<F>>
  R step(std::string_view name, F&& fn) {
    internal::requireJsonSerdes<R>();
    return stepImpl<R>(std::string(name), fn, StepConfig<R>{});
  }
  template <class F, class R = internal::StepResultOf<F>>
  R step(std::string_view name, F&& fn, StepConfig<R> config) {
    return stepImpl<R>(std::string(name), fn, config);
  }
  template <class F, class R = internal::StepResultOf<F>>
    requires(std::is_invocable_v<F&, StepContext&> || std::is_invocable_v<F&>)
  R step(F&& fn) {
    internal::requireJsonSerdes<R>();
    return stepImpl<R>(std::nullopt, fn, StepConfig<R>{});
  }
  template <class F, class R = internal::StepResultOf<F>>
    requires(std::is_invocable_v<F&, StepContext&> || std::is_invocable_v<F&>)
  R step(F&& fn, StepConfig<R> config) {
    return stepImpl<R>(std::nullopt, fn, config);
  }

  // ---- wait ---------------------------------------------------------------------
  // Always suspends, however short.
  void wait(std::string_view name, Duration d) { waitCore(std::string(name), d); }
  void wait(Duration d) { waitCore(std::nullopt, d); }
  // Rounds up to whole seconds (at least one).
  void waitUntil(std::string_view name, TimePoint t) { waitUntilCore(std::string(name), t); }
  void waitUntil(TimePoint t) { waitUntilCore(std::nullopt, t); }

  // ---- callbacks ----------------------------------------------------------------
  template <class T = std::string>
  CallbackHandle<T> createCallback(std::string_view name) {
    internal::requireCallbackSerdes<T>();
    return createCallbackImpl<T>(std::string(name), CallbackConfig<T>{});
  }
  template <class T = std::string>
  CallbackHandle<T> createCallback(std::string_view name, CallbackConfig<T> config) {
    return createCallbackImpl<T>(std::string(name), config);
  }
  template <class T = std::string>
  CallbackHandle<T> createCallback() {
    internal::requireCallbackSerdes<T>();
    return createCallbackImpl<T>(std::nullopt, CallbackConfig<T>{});
  }
  template <class T = std::string>
  CallbackHandle<T> createCallback(CallbackConfig<T> config) {
    return createCallbackImpl<T>(std::nullopt, config);
  }

  // Creates a callback, runs `submitter(callbackId, stepContext)` as a step, and
  // waits for the callback's result.
  template <class T = std::string, class F>
  T waitForCallback(std::string_view name, F&& submitter) {
    internal::requireCallbackSerdes<T>();
    return waitForCallbackImpl<T>(std::string(name), submitter, WaitForCallbackConfig<T>{});
  }
  template <class T = std::string, class F>
  T waitForCallback(std::string_view name, F&& submitter, WaitForCallbackConfig<T> config) {
    return waitForCallbackImpl<T>(std::string(name), submitter, config);
  }
  template <class T = std::string, class F>
    requires(!std::is_convertible_v<F, std::string_view>)
  T waitForCallback(F&& submitter) {
    internal::requireCallbackSerdes<T>();
    return waitForCallbackImpl<T>(std::nullopt, submitter, WaitForCallbackConfig<T>{});
  }
  template <class T = std::string, class F>
    requires(!std::is_convertible_v<F, std::string_view>)
  T waitForCallback(F&& submitter, WaitForCallbackConfig<T> config) {
    return waitForCallbackImpl<T>(std::nullopt, submitter, config);
  }

  // ---- child contexts -----------------------------------------------------------
  template <class F, class R = std::invoke_result_t<F&, DurableContext&>>
  R runInChildContext(std::string_view name, F&& fn) {
    internal::requireJsonSerdes<R>();
    return childImpl<R>(std::string(name), fn, ChildContextConfig<R>{});
  }
  template <class F, class R = std::invoke_result_t<F&, DurableContext&>>
  R runInChildContext(std::string_view name, F&& fn, ChildContextConfig<R> config) {
    return childImpl<R>(std::string(name), fn, config);
  }
  template <class F, class R = std::invoke_result_t<F&, DurableContext&>>
    requires std::is_invocable_v<F&, DurableContext&>
  R runInChildContext(F&& fn) {
    internal::requireJsonSerdes<R>();
    return childImpl<R>(std::nullopt, fn, ChildContextConfig<R>{});
  }
  template <class F, class R = std::invoke_result_t<F&, DurableContext&>>
    requires std::is_invocable_v<F&, DurableContext&>
  R runInChildContext(F&& fn, ChildContextConfig<R> config) {
    return childImpl<R>(std::nullopt, fn, config);
  }

  // ---- waitForCondition ---------------------------------------------------------
  // One STEP; each poll is an attempt: check(state) -> new state, checkpointed; the
  // wait strategy decides whether to poll again (after a suspending delay).
  template <class S, class F>
  S waitForCondition(std::string_view name, F&& check, WaitForConditionConfig<S> config) {
    return waitForConditionImpl<S>(std::string(name), check, config);
  }
  template <class S, class F>
  S waitForCondition(F&& check, WaitForConditionConfig<S> config) {
    return waitForConditionImpl<S>(std::nullopt, check, config);
  }

  // ---- batches ------------------------------------------------------------------
  template <class R>
  BatchResult<R> parallel(std::string_view name, std::vector<Branch<R>> branches, ParallelConfig<R> config = {}) {
    return parallelImpl<R>(std::string(name), branches, config);
  }
  template <class R>
  BatchResult<R> parallel(std::vector<Branch<R>> branches, ParallelConfig<R> config = {}) {
    return parallelImpl<R>(std::nullopt, branches, config);
  }

  template <class T, class F, class R = typename internal::MapItemResult<F, T>::type>
  BatchResult<R> map(std::string_view name, const std::vector<T>& items, F&& fn, MapConfig<T, R> config = {}) {
    static_assert(internal::kIsMapItemFunction<F, T>,
                  "rwd: map's item function must be callable as fn(rwd::DurableContext& ctx, const T& item, "
                  "std::size_t index, const std::vector<T>& items): four parameters (JavaScript may leave "
                  "trailing ones out, C++ cannot; add the unused ones unnamed)");
    if constexpr (internal::kIsMapItemFunction<F, T>) {
      return mapImpl<T, R>(std::string(name), items, fn, config);
    } else {
      return {};
    }
  }
  template <class T, class F, class R = typename internal::MapItemResult<F, T>::type>
  BatchResult<R> map(const std::vector<T>& items, F&& fn, MapConfig<T, R> config = {}) {
    static_assert(internal::kIsMapItemFunction<F, T>,
                  "rwd: map's item function must be callable as fn(rwd::DurableContext& ctx, const T& item, "
                  "std::size_t index, const std::vector<T>& items): four parameters (JavaScript may leave "
                  "trailing ones out, C++ cannot; add the unused ones unnamed)");
    if constexpr (internal::kIsMapItemFunction<F, T>) {
      return mapImpl<T, R>(std::nullopt, items, fn, config);
    } else {
      return {};
    }
  }

  // ---- chained invoke -----------------------------------------------------------
  // Without a payload (the target receives JSON null): invoke(functionId),
  // invoke(functionId, rwd::noPayload, config) or invoke(name, functionId, rwd::noPayload).
  template <class R = Json>
  R invoke(std::string_view functionId) {
    return invokeImpl<R, NoPayload>(std::nullopt, functionId, nullptr, {});
  }
  template <class R = Json>
  R invoke(std::string_view functionId, NoPayload, InvokeConfig<NoPayload, R> config) {
    return invokeImpl<R, NoPayload>(std::nullopt, functionId, nullptr, config);
  }
  template <class R = Json>
  R invoke(std::string_view name, std::string_view functionId, NoPayload,
           InvokeConfig<NoPayload, R> config = {}) {
    return invokeImpl<R, NoPayload>(std::string(name), functionId, nullptr, config);
  }
  template <class R = Json, class P = Json>
  R invoke(std::string_view name, std::string_view functionId, const P& payload, InvokeConfig<P, R> config = {}) {
    return invokeImpl<R, P>(std::string(name), functionId, &payload, config);
  }
  template <class R = Json, class P = Json>
  R invoke(std::string_view functionId, const P& payload, InvokeConfig<P, R> config = {}) {
    return invokeImpl<R, P>(std::nullopt, functionId, &payload, config);
  }

  // ---- rollback -----------------------------------------------------------------
  // Runs `run` as a step; when it succeeds, registers `undo` with this context.
  template <class R>
  R stepWithRollback(std::string_view name, Rollback<R> rb, StepConfig<R> config = {}) {
    R value = stepImpl<R>(std::string(name), rb.run, config);
    auto undo = rb.undo;
    registerCompensation(std::string(name),
                         [undo, value](const ErrorInfo& e, StepContext& sc) { undo(e, value, sc); },
                         config.retryStrategy);
    return value;
  }
  // Runs the registered undos in exact reverse order of registration, each as a durable
  // step named "rollback:<name>". Policy: a failing undo does not stop the others; after
  // all ran, RollbackError (an rwd::Error of type "RollbackError") is thrown naming the
  // original error's type and every failed undo, with the original message as ErrorData.
  // Returns normally when every undo succeeded. An undo is retried only when the
  // StepConfig given to stepWithRollback has a retryStrategy (by default it runs once).
  void rollbackAll(const ErrorInfo& error);
  void rollbackAll(const std::exception& error);
  std::size_t registeredCompensations() const;

  // ---- replay-safe values ----------------------------------------------------------
  // Orchestration code must not read the clock, a random device or a UUID generator: a
  // replay would see another value. Each of these is ONE checkpointed STEP (SubType
  // Step) with a compact payload, like Temporal's workflow.Now() and SideEffect: the
  // first run records the value, every replay returns the recorded one.
  //   now():    the runtime's clock (the runner's virtual clock); payload: epoch millis.
  //   random(): 64 bits drawn from the execution's seeded source (the runner's seed, the
  //             execution ARN and the operation's position), so runs reproduce; payload:
  //             the integer. Seed an engine with it: std::mt19937_64 rng(ctx.random());
  //   uuid():   an RFC 4122 version-4 UUID from the same seeded source; payload: the
  //             quoted string.
  TimePoint now(std::string_view name) { return nowCore(std::string(name)); }
  TimePoint now() { return nowCore(std::nullopt); }
  std::uint64_t random(std::string_view name) { return randomCore(std::string(name)); }
  std::uint64_t random() { return randomCore(std::nullopt); }
  std::string uuid(std::string_view name) { return uuidCore(std::string(name)); }
  std::string uuid() { return uuidCore(std::nullopt); }

  // ---- misc ---------------------------------------------------------------------
  // Replay-aware logger: silent while replaying unless configured otherwise.
  Logger logger();
  // The positional id prefix of this context ("" at the root).
  const std::string& stepIdPrefix() const noexcept;

 private:
  friend class internal::Invocation;
  template <class T>
  friend class CallbackHandle;

  explicit DurableContext(std::unique_ptr<internal::ContextState> state);

  using StepBody = std::function<Payload(StepContext&)>;
  using ContextBody = std::function<Payload(DurableContext&)>;

  // Non-template cores (durable_context.cpp).
  Payload stepCore(std::optional<std::string> name, const StepBody& body, const RetryStrategy& retry,
                   StepSemantics semantics);
  void waitCore(std::optional<std::string> name, Duration d);
  void waitUntilCore(std::optional<std::string> name, TimePoint t);
  std::pair<std::string, std::string> createCallbackCore(std::optional<std::string> name,
                                                         std::optional<Duration> timeout,
                                                         std::optional<Duration> heartbeat);
  Payload callbackResultCore(const std::string& opId);
  Payload waitForCallbackCore(std::optional<std::string> name,
                              const std::function<void(const std::string&, StepContext&)>& submitter,
                              std::optional<Duration> timeout, std::optional<Duration> heartbeat,
                              const RetryStrategy& retry);
  Payload childCore(std::optional<std::string> name, OperationSubType subType, const ContextBody& body);
  // poll(recordedState) returns the new state's payload and the decision.
  Payload waitForConditionCore(
      std::optional<std::string> name,
      const std::function<std::pair<Payload, WaitDecision>(const std::optional<Payload>&, StepContext&)>& poll);
  // Returns the batch result's payload (from the log when the batch already completed).
  // `itemName(i)`: item i's own name; nullopt (or no function): the AWS JS SDK 2.4's
  // default, "map-item-<i>" / "parallel-branch-<i>", built by batchCore.
  Payload batchCore(std::optional<std::string> name, OperationSubType subType, OperationSubType itemSubType,
                    std::size_t count, const std::function<Payload(DurableContext&, std::size_t)>& runItem,
                    const std::function<std::optional<std::string>(std::size_t)>& itemName,
                    const internal::BatchOptions& options,
                    const std::function<internal::BatchText(const internal::RawBatch&)>& serializeBatch);
  Payload invokeCore(std::optional<std::string> name, std::string_view functionId, Payload input,
                     std::optional<std::string> tenantId);
  void registerCompensation(std::optional<std::string> name, std::function<void(const ErrorInfo&, StepContext&)> undo,
                            RetryStrategy retry);
  // replay_safe_values.cpp
  TimePoint nowCore(std::optional<std::string> name);
  std::uint64_t randomCore(std::optional<std::string> name);
  std::string uuidCore(std::optional<std::string> name);

  template <class R, class F>
  R stepImpl(std::optional<std::string> name, F& fn, const StepConfig<R>& config) {
    Payload payload = stepCore(
        std::move(name),
        [&](StepContext& sc) -> Payload {
          if constexpr (std::is_void_v<R>) {
            internal::callStepBody(fn, sc);
            return std::nullopt;
          } else {
            return serializeWith<R>(config.serdes, internal::callStepBody(fn, sc));
          }
        },
        config.retryStrategy, config.semantics);
    if constexpr (!std::is_void_v<R>) return deserializeWith<R>(config.serdes, payload);
  }

  template <class T>
  CallbackHandle<T> createCallbackImpl(std::optional<std::string> name, const CallbackConfig<T>& config) {
    auto [opId, callbackId] = createCallbackCore(std::move(name), config.timeout, config.heartbeatTimeout);
    return CallbackHandle<T>(this, std::move(opId), std::move(callbackId), config.serdes);
  }

  template <class T, class F>
  T waitForCallbackImpl(std::optional<std::string> name, F& submitter, const WaitForCallbackConfig<T>& config) {
    Payload p = waitForCallbackCore(
        std::move(name),
        [&](const std::string& id, StepContext& sc) {
          if constexpr (std::is_invocable_v<F&, const std::string&, StepContext&>) {
            submitter(id, sc);
          } else {
            submitter(id);
          }
        },
        config.timeout, config.heartbeatTimeout, config.retryStrategy);
    return deserializeCallbackPayload<T>(config.serdes, p);
  }

  template <class R, class F>
  R childImpl(std::optional<std::string> name, F& fn, const ChildContextConfig<R>& config) {
    Payload p = childCore(std::move(name), OperationSubType::RunInChildContext, [&](DurableContext& child) -> Payload {
      if constexpr (std::is_void_v<R>) {
        fn(child);
        return std::nullopt;
      } else {
        return serializeWith<R>(config.serdes, fn(child));
      }
    });
    if constexpr (!std::is_void_v<R>) return deserializeWith<R>(config.serdes, p);
  }

  template <class S, class F>
  S waitForConditionImpl(std::optional<std::string> name, F& check, const WaitForConditionConfig<S>& config) {
    Payload p = waitForConditionCore(
        std::move(name), [&](const std::optional<Payload>& recorded, StepContext& sc) {
          S state = recorded ? deserializeWith<S>(config.serdes, *recorded) : config.initialState;
          S next = internal::callCheck(check, state, sc);
          Payload out = serializeWith<S>(config.serdes, next);
          S seen = deserializeWith<S>(config.serdes, out);
          WaitDecision d = config.waitStrategy ? config.waitStrategy(seen, sc.attempt()) : WaitDecision{};
          return std::make_pair(std::move(out), d);
        });
    return deserializeWith<S>(config.serdes, p);
  }

  template <class R, class ItemFn, class NameFn, class Config>
  BatchResult<R> batchImpl(std::optional<std::string> name, OperationSubType sub, OperationSubType itemSub,
                           std::size_t n, ItemFn& runItem, NameFn& itemName, const Config& config) {
    internal::BatchOptions options{config.maxConcurrency, config.completionConfig.minSuccessful,
                                   config.completionConfig.toleratedFailureCount,
                                   config.completionConfig.toleratedFailurePercentage, config.nesting};
    auto toTyped = [&](const internal::RawBatch& raw) {
      BatchResult<R> out;
      out.completionReason = raw.reason;
      out.all.reserve(raw.items.size());
      for (const auto& it : raw.items) {
        BatchItem<R>& item = out.all.emplace_back();
        item.index = it.index;
        item.status = it.status;
        item.error = it.error;
        if (it.status == BatchItemStatus::Succeeded) item.result = deserializeWith<R>(config.itemSerdes, it.payload);
      }
      return out;
    };
    // With the default JSON serdes the result built from the items (each already through
    // the item serdes) is what deserializing the checkpoint would rebuild, so the live
    // path returns it without a second pass; a custom serdes always round-trips.
    const bool defaultSerdes = !config.serdes.serialize && !config.serdes.deserialize;
    std::optional<BatchResult<R>> built;
    Payload p = batchCore(
        std::move(name), sub, itemSub, n,
        [&](DurableContext& c, std::size_t i) -> Payload { return serializeWith<R>(config.itemSerdes, runItem(c, i)); },
        itemName, options, [&](const internal::RawBatch& b) {
          BatchResult<R> typed = toTyped(b);
          internal::BatchText out;
          if (defaultSerdes && !config.itemSerdes.serialize) {
            std::optional<std::size_t> size = internal::batchJsonSize(b);
            if (size && *size > internal::kLargeResultBytes)
              out.oversized = true;
            else
              out.text = internal::batchJsonText(b);
          }
          if (!out.oversized && !out.text) out.text = serializeWith(config.serdes, typed);
          if (defaultSerdes) built = std::move(typed);
          return out;
        });
    if (built) return std::move(*built);
    return deserializeWith(config.serdes, p);
  }

  template <class R>
  BatchResult<R> parallelImpl(std::optional<std::string> name, std::vector<Branch<R>>& branches,
                              const ParallelConfig<R>& config) {
    auto run = [&](DurableContext& c, std::size_t i) -> R { return branches[i].fn(c); };
    // Unnamed branches (nullopt) get batchCore's default name, as in the AWS JS SDK 2.4.
    auto itemName = [&](std::size_t i) -> std::optional<std::string> { return branches[i].name; };
    return batchImpl<R>(std::move(name), OperationSubType::Parallel, OperationSubType::ParallelBranch,
                        branches.size(), run, itemName, config);
  }

  template <class T, class R, class F>
  BatchResult<R> mapImpl(std::optional<std::string> name, const std::vector<T>& items, F& fn,
                         const MapConfig<T, R>& config) {
    auto run = [&](DurableContext& c, std::size_t i) -> R {
      if constexpr (std::is_void_v<std::invoke_result_t<F&, DurableContext&, const T&, std::size_t,
                                                        const std::vector<T>&>>) {
        fn(c, items[i], i, items);
        return nullptr;
      } else {
        return fn(c, items[i], i, items);
      }
    };
    // Without a namer, batchCore names the items as the AWS JS SDK 2.4 does.
    std::function<std::optional<std::string>(std::size_t)> itemName;
    if (config.itemNamer) itemName = [&](std::size_t i) -> std::optional<std::string> { return config.itemNamer(items[i], i); };
    return batchImpl<R>(std::move(name), OperationSubType::Map, OperationSubType::MapIteration, items.size(), run,
                        itemName, config);
  }

  template <class R, class P>
  R invokeImpl(std::optional<std::string> name, std::string_view functionId, const P* payload,
               const InvokeConfig<P, R>& config) {
    Payload input;
    if (payload) input = serializeWith<P>(config.payloadSerdes, *payload);
    Payload p = invokeCore(std::move(name), functionId, std::move(input), config.tenantId);
    if constexpr (!std::is_void_v<R>) return deserializeWith<R>(config.resultSerdes, p);
  }

  std::unique_ptr<internal::ContextState> state_;
};

template <class T>
T CallbackHandle<T>::result() const {
  return deserializeCallbackPayload<T>(serdes_, ctx_->callbackResultCore(opId_));
}

namespace testing {
// Test-only: simulates the process dying right here (e.g. inside a step). The runner
// records the invocation as failed with Runtime.ExitError and invokes again at once.
[[noreturn]] void simulateProcessCrash();
}  // namespace testing

}  // namespace rwd
