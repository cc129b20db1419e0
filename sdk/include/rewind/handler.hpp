// Durable handlers as values, and their registration in a shared library.
//
//   std::string greet(const std::string& name, rwd::DurableContext& ctx) { ... }
//   REWIND_HANDLER("greet", greet);
//
// Each shared library that uses REWIND_HANDLER exposes one versioned extern "C" entry
// point, rewind_handler_registry_v1, which rewind-run, rewind-check and
// rewind-conformance find with dlsym.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rewind/durable_context.hpp"
#include "rewind/plugin.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

// Per-handler configuration.
struct HandlerConfig {
  bool logDuringReplay = false;
  // Plugins shared by every invocation, in order; then those the factory builds anew
  // for each invocation.
  PluginList plugins{};
  PluginFactory pluginFactory{};
};

// A type-erased durable handler: JSON input payload -> JSON result payload.
using RawHandler = std::function<Payload(const Payload& input, DurableContext&)>;
// A plain (non-durable) function, e.g. a chained-invoke target: JSON payload -> JSON payload.
using RawFunction = std::function<Payload(const Payload& input)>;

namespace internal {

template <class T>
struct CallableTraits : CallableTraits<decltype(&std::decay_t<T>::operator())> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <class R, class... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};

template <class F>
using FirstArgOf = std::decay_t<std::tuple_element_t<0, typename CallableTraits<F>::Args>>;

template <class E>
E decodeEvent(const Payload& input) {
  if constexpr (std::is_same_v<E, Payload>) {
    return input;
  } else {
    return jsonDeserialize<E>(input ? input : Payload("null"));
  }
}

template <class R, class Fn>
Payload encodeResult(Fn&& fn) {
  if constexpr (std::is_void_v<R>) {
    fn();
    return std::string("null");
  } else {
    return jsonSerialize<std::decay_t<R>>(fn());
  }
}

}  // namespace internal

// Wraps `fn(const Event&, DurableContext&) -> Result` (a function or lambda) as a RawHandler.
template <class F>
RawHandler makeHandler(F fn) {
  if constexpr (std::is_convertible_v<F, RawHandler> &&
                std::is_same_v<internal::FirstArgOf<F>, Payload>) {
    return RawHandler(std::move(fn));
  } else {
    using E = internal::FirstArgOf<F>;
    using R = typename internal::CallableTraits<F>::Result;
    return [fn = std::move(fn)](const Payload& input, DurableContext& ctx) mutable -> Payload {
      E event = internal::decodeEvent<E>(input);
      return internal::encodeResult<R>([&]() -> decltype(auto) { return fn(event, ctx); });
    };
  }
}

// Wraps `fn(const Payload&) -> Result` as a plain function (an invoke target).
template <class F>
RawFunction makeFunction(F fn) {
  using E = internal::FirstArgOf<F>;
  using R = typename internal::CallableTraits<F>::Result;
  return [fn = std::move(fn)](const Payload& input) mutable -> Payload {
    E event = internal::decodeEvent<E>(input);
    return internal::encodeResult<R>([&]() -> decltype(auto) { return fn(event); });
  };
}

enum class HandlerKind { Durable, Function };

struct HandlerDefinition {
  std::string name;
  HandlerKind kind = HandlerKind::Durable;
  RawHandler handler;    // kind == Durable
  RawFunction function;  // kind == Function
  HandlerConfig config;
};

// The handlers of one shared library (or program).
class HandlerRegistry {
 public:
  static constexpr int kAbiVersion = 1;
  void add(HandlerDefinition def);
  const HandlerDefinition* find(std::string_view name) const;
  const std::vector<HandlerDefinition>& all() const noexcept { return defs_; }
  // Names registered twice (an error the tools report).
  const std::vector<std::string>& duplicates() const noexcept { return duplicates_; }
  // The version the library was built with (stored first, so any later layout can read it).
  int abiVersion() const noexcept { return abiVersion_; }

 private:
  int abiVersion_ = kAbiVersion;
  std::vector<HandlerDefinition> defs_;
  std::vector<std::string> duplicates_;
};

namespace internal {
// One registry per shared object: hidden so that each library keeps its own.
__attribute__((visibility("hidden"))) inline HandlerRegistry& libraryRegistry() {
  static HandlerRegistry registry;
  return registry;
}
struct HandlerRegistrar {
  HandlerRegistrar(std::string name, RawHandler handler, HandlerConfig config = {}) {
    libraryRegistry().add({std::move(name), HandlerKind::Durable, std::move(handler), {}, config});
  }
  HandlerRegistrar(std::string name, RawFunction function) {
    libraryRegistry().add({std::move(name), HandlerKind::Function, {}, std::move(function), {}});
  }
};
}  // namespace internal

}  // namespace rwd

// The library's entry point (inline: every translation unit that includes this header
// defines it; the linker keeps one per shared object).
extern "C" __attribute__((visibility("default"), used)) inline rwd::HandlerRegistry* rewind_handler_registry_v1() {
  return &rwd::internal::libraryRegistry();
}

#define REWIND_CONCAT_INNER(a, b) a##b
#define REWIND_CONCAT(a, b) REWIND_CONCAT_INNER(a, b)

// REWIND_HANDLER(name, fn[, config]): registers a durable handler under `name`.
#define REWIND_HANDLER(name, ...)                                                 \
  static const ::rwd::internal::HandlerRegistrar REWIND_CONCAT(rewindHandler_, __COUNTER__) { \
    name, ::rwd::makeHandler(REWIND_FIRST_ARG(__VA_ARGS__)) REWIND_REST_ARGS(__VA_ARGS__) }

// REWIND_FUNCTION(name, fn): registers a plain function (a chained-invoke target).
#define REWIND_FUNCTION(name, fn)                                                  \
  static const ::rwd::internal::HandlerRegistrar REWIND_CONCAT(rewindFunction_, __COUNTER__) { \
    name, ::rwd::makeFunction(fn) }

#define REWIND_FIRST_ARG(first, ...) first
#define REWIND_REST_ARGS(first, ...) __VA_OPT__(, ) __VA_ARGS__
