// InvocationWatchdog: the wall-clock limit of running invocations (RunnerOptions::
// invocationTimeout), like a Lambda function's timeout. One thread per process watches
// every runner's invocations. At an invocation's deadline it raises the invocation's flag,
// and the SDK fails the invocation at its next durable operation
// ([rewind.invocation.timeout]). A handler that reaches none within the grace period (an
// endless loop, a blocking call) cannot be stopped from outside its own thread, so the
// process ends, as Lambda ends the sandbox: the error on stderr, exit code 124.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "rewind/local_runner.hpp"  // kInvocationHangExitCode

namespace rwd::internal {

class InvocationWatchdog {
 public:
  struct Entry;

  // Watches one invocation while it lives (move-only; the destructor stops watching).
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    const std::atomic<bool>& expired() const noexcept;

   private:
    friend class InvocationWatchdog;
    explicit Lease(std::unique_ptr<Entry> entry);
    std::unique_ptr<Entry> entry_;
  };

  // `what` names the invocation in the hang message ("invocation 3 of 'order-flow'").
  static Lease watch(std::chrono::milliseconds limit, std::chrono::milliseconds grace, std::string what);
};

}  // namespace rwd::internal
