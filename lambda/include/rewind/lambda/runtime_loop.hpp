// The custom runtime's loop: fetch an invocation from the Runtime API, hand it to a
// function, post what it returns (a response body or a function error), repeat.
//
//   rwd::lambda::runRuntimeLoop(api, [&](const rwd::lambda::RuntimeInvocation& inv) {
//     return rwd::lambda::InvocationReply::response(handle(inv.payload));
//   });
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rewind/lambda/runtime_api.hpp"

namespace rwd::lambda {

// What one invocation returns to Lambda.
struct InvocationReply {
  std::optional<std::string> body;    // POST .../response
  std::optional<RuntimeError> error;  // POST .../error
  static InvocationReply response(std::string body) { return {std::move(body), std::nullopt}; }
  static InvocationReply failure(RuntimeError error) { return {std::nullopt, std::move(error)}; }
};

using InvocationFunction = std::function<InvocationReply(const RuntimeInvocation&)>;

// Runs invocations until the Runtime API fails (returns 1 after printing why to stderr)
// or `maxInvocations` have run (returns 0; absent = forever). An exception escaping `fn`
// becomes a function error (errorType: its demangled type) rather than killing the
// runtime; a response Lambda rejects (e.g. 413, over 6 MB) is reported as a function
// error of type Runtime.ResponseRejected.
int runRuntimeLoop(RuntimeApiClient& api, const InvocationFunction& fn,
                   std::optional<long> maxInvocations = std::nullopt);

}  // namespace rwd::lambda
