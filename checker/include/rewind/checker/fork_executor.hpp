// The checker's faithful mode: an InvocationExecutor that runs every invocation in a
// fresh fork()ed child process, so that memory of a crashed invocation (statics,
// singletons, caches) is gone as after a real process death.
//
//   rwd::RunnerOptions o;
//   o.invocationExecutor = rwd::checker::makeForkExecutor();
//   rwd::LocalDurableTestRunner runner(handler, o);  // each invocation: fork, run, ship back
//
// The parent (the runner: the service) keeps the records; the child runs the handler
// against a copy of them and streams each checkpoint update to the parent through a pipe
// as it reaches the checkpoint seam, then the outcome and its log records, and _exits.
// A child that dies before sending its outcome (signal, abort, exit, a mid-step crash)
// is a crashed invocation (Runtime.ExitError); the updates it streamed before dying stay
// persisted, as with a real service. Observers running in the child send what must
// survive it through ForkChannel::send; the parent hands it to
// ForkExecutorOptions::onObservation in order.
//
// Costs a fork() and a pipe per invocation. The child's other memory is lost: a plugin's
// in-memory state, a mock's expectations, gtest assertions made in the child. A child
// that never ends blocks the run unless RunnerOptions::invocationTimeout is set (a child
// its watchdog ends, exit status kInvocationHangExitCode, fails the execution with
// [rewind.invocation.timeout]). POSIX only. Not reentrant across
// threads sharing one executor.
#pragma once

#include <functional>

#include "rewind/local_runner.hpp"
#include "rewind/serdes.hpp"

namespace rwd::checker {

// The child's side of a forked invocation: a frame stream to the parent.
class ForkChannel {
 public:
  // The channel of the forked invocation this process runs; null in any other process
  // (and in the parent), so that observers can ask "am I in a fork child?".
  static ForkChannel* current() noexcept;

  // Sends an observation to the parent, ordered with the checkpoint updates. Throws
  // nothing; a broken pipe (the parent is gone) ends the child.
  void send(const Json& observation);

  // Ends the child at once, as a process death: no outcome is sent, so the parent
  // records a crashed invocation (what the checker's mid-step timeout does in fork mode).
  [[noreturn]] void die();

 private:
  friend struct ForkChannelAccess;
  explicit ForkChannel(int fd) : fd_(fd) {}
  void frame(char kind, const Json& body);
  int fd_;
};

struct ForkExecutorOptions {
  // In the parent: each observation the child sent with ForkChannel::send, in order and
  // as it arrives (observations sent before a child died are delivered too).
  std::function<void(const Json& observation)> onObservation;
};

// An executor for RunnerOptions::invocationExecutor that forks once per invocation.
// Errors of the executor itself (no pipe, no fork, a malformed frame) throw
// std::runtime_error with a [rewind.checker.fork_*] id.
InvocationExecutor makeForkExecutor(ForkExecutorOptions options = {});

// JSON forms of what crosses the pipe (exposed for tests).
Json toJson(const CheckpointRecord& record);
CheckpointRecord checkpointRecordFromJson(const Json& j);
Json toJson(const InvocationResponse& response);
InvocationResponse invocationResponseFromJson(const Json& j);

}  // namespace rwd::checker
