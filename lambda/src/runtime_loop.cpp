// The Runtime API loop. Lambda freezes the process between invocations; nothing here
// keeps state across them except the HTTP connection.
#include "rewind/lambda/runtime_loop.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <typeinfo>

namespace rwd::lambda {
namespace {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

RuntimeError errorFromCurrentException() {
  std::exception_ptr ep = std::current_exception();
  const std::type_info* type = abi::__cxa_current_exception_type();
  std::string typeName = type ? demangle(type->name()) : std::string("unknown");
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return {typeName, e.what()};
  } catch (...) {
    return {typeName, "a value of type " + typeName + " was thrown"};
  }
}

}  // namespace

int runRuntimeLoop(RuntimeApiClient& api, const InvocationFunction& fn, std::optional<long> maxInvocations) {
  for (long done = 0; !maxInvocations || done < *maxInvocations; ++done) {
    RuntimeInvocation inv;
    try {
      inv = api.next();
    } catch (const std::exception& e) {
      std::cerr << "[rewind.lambda.runtime_api] cannot get the next invocation: " << e.what() << "\n";
      return 1;
    }
    InvocationReply reply;
    try {
      reply = fn(inv);
    } catch (...) {
      reply = InvocationReply::failure(errorFromCurrentException());
    }
    try {
      if (reply.body) {
        try {
          api.postResponse(inv.requestId, *reply.body);
        } catch (const RuntimeApiError& e) {
          if (e.status() >= 500) throw;
          api.postError(inv.requestId, {"Runtime.ResponseRejected", e.what()});
        }
      } else {
        api.postError(inv.requestId,
                      reply.error.value_or(RuntimeError{"Runtime.Unknown", "the invocation produced no reply"}));
      }
    } catch (const std::exception& e) {
      std::cerr << "[rewind.lambda.runtime_api] cannot post the result of " << inv.requestId << ": " << e.what()
                << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace rwd::lambda
