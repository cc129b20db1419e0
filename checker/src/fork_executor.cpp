// The fork executor: one child process per invocation, a length-prefixed frame stream
// (CBOR-encoded JSON, so payload bytes cross unchanged) from child to parent.
//
// Frames: 'U' a checkpoint update as it reached the seam; 'O' an observer's observation;
// 'R' the outcome and logs (last). The parent reads until end of file and then reaps the
// child; without an 'R' frame, or with a child that did not exit 0, the invocation
// crashed.
#include "rewind/checker/fork_executor.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rewind/history_json.hpp"

namespace rwd::checker {

namespace {

ForkChannel* gCurrent = nullptr;

constexpr int kExitSent = 0;         // the child sent its outcome
constexpr int kExitThrew = 70;       // runInProcess threw (the runner's own error, in the child)
constexpr int kExitDied = 71;        // ForkChannel::die: a simulated process death
constexpr int kExitPipeBroken = 72;  // the parent stopped listening
constexpr int kStatusUnknown = -1000;

[[noreturn]] void forkError(std::string_view code, const std::string& message) {
  throw std::runtime_error(fmt::format("[rewind.checker.fork_{}] {}", code, message));
}

std::string_view fateName(CheckpointFate f) {
  switch (f) {
    case CheckpointFate::Persist:
      return "PERSIST";
    case CheckpointFate::DropAndCrash:
      return "DROP_AND_CRASH";
    case CheckpointFate::PersistAndCrash:
      return "PERSIST_AND_CRASH";
  }
  return "?";
}

CheckpointFate fateFromName(const std::string& s) {
  for (CheckpointFate f : {CheckpointFate::Persist, CheckpointFate::DropAndCrash, CheckpointFate::PersistAndCrash})
    if (fateName(f) == s) return f;
  throw std::invalid_argument("unknown checkpoint fate '" + s + "'");
}

InvocationResponse::End endFromName(const std::string& s) {
  using E = InvocationResponse::End;
  for (E e : {E::Succeeded, E::Failed, E::InvocationFailed, E::Pending, E::Crashed})
    if (toString(e) == s) return e;
  throw std::invalid_argument("unknown invocation end '" + s + "'");
}

// Writes all of `data`, retrying partial writes and EINTR; false when the pipe broke.
bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads exactly `size` bytes; false at end of file (or a read error) before that.
bool readAll(int fd, char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::read(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void closeFd(int fd) {
  // close() is not retried on EINTR on Linux: the descriptor is released either way.
  if (fd >= 0) ::close(fd);
}

// Waits for the child; its exit status (or -signal when a signal killed it).
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno == EINTR) continue;
    return kStatusUnknown;  // someone else reaped it (a SIGCHLD handler): its frames decide
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return kStatusUnknown;
}

// Everything buffered in stdio before the fork would be written twice (by the child's
// flush too); flush it first.
void flushStdio() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
}

}  // namespace

struct ForkChannelAccess {
  static ForkChannel make(int fd) { return ForkChannel(fd); }
  static void frame(ForkChannel& c, char kind, const Json& body) { c.frame(kind, body); }
};

ForkChannel* ForkChannel::current() noexcept { return gCurrent; }

void ForkChannel::frame(char kind, const Json& body) {
  std::vector<std::uint8_t> bytes = Json::to_cbor(body);
  std::uint32_t size = static_cast<std::uint32_t>(bytes.size());
  char header[5];
  std::memcpy(header, &size, 4);
  header[4] = kind;
  if (!writeAll(fd_, header, sizeof header) ||
      !writeAll(fd_, reinterpret_cast<const char*>(bytes.data()), bytes.size()))
    ::_exit(kExitPipeBroken);
}

void ForkChannel::send(const Json& observation) { frame('O', observation); }

void ForkChannel::die() { ::_exit(kExitDied); }

Json toJson(const CheckpointRecord& record) {
  return Json{{"Update", rwd::toJson(record.update)}, {"Fate", fateName(record.fate)}};
}

CheckpointRecord checkpointRecordFromJson(const Json& j) {
  return CheckpointRecord{operationUpdateFromJson(j.at("Update")), fateFromName(j.at("Fate").get<std::string>())};
}

Json toJson(const InvocationResponse& r) {
  Json updates = Json::array();
  for (const CheckpointRecord& u : r.updates) updates.push_back(toJson(u));
  Json j{{"End", toString(r.end)},
         {"Updates", std::move(updates)},
         {"Logs", r.logs},
         {"LogText", r.logText},
         {"ReportedHookFailures", r.reportedHookFailures}};
  if (r.result) j["Result"] = *r.result;
  if (r.error) j["Error"] = rwd::toJson(*r.error);
  return j;
}

InvocationResponse invocationResponseFromJson(const Json& j) {
  InvocationResponse r;
  r.end = endFromName(j.at("End").get<std::string>());
  for (const Json& u : j.at("Updates")) r.updates.push_back(checkpointRecordFromJson(u));
  r.logs = j.at("Logs").get<std::vector<Json>>();
  r.logText = j.at("LogText").get<std::string>();
  r.reportedHookFailures = j.at("ReportedHookFailures").get<std::vector<std::string>>();
  if (auto it = j.find("Result"); it != j.end()) r.result = it->get<std::string>();
  if (auto it = j.find("Error"); it != j.end()) r.error = internal::errorFromJson(*it);
  return r;
}

namespace {

// The child: run the invocation, stream it, _exit. Never returns.
[[noreturn]] void runChild(int fd, const InProcessInvocation& runInProcess) {
  ForkChannel channel = ForkChannelAccess::make(fd);
  gCurrent = &channel;
  int code = kExitSent;
  try {
    InvocationResponse r =
        runInProcess([&](const CheckpointRecord& u) { ForkChannelAccess::frame(channel, 'U', toJson(u)); });
    r.updates.clear();  // already streamed
    ForkChannelAccess::frame(channel, 'R', toJson(r));
  } catch (...) {
    code = kExitThrew;
  }
  flushStdio();  // the handler's own output
  ::_exit(code);
}

InvocationResponse runForked(const InvocationRequest& request, const InProcessInvocation& runInProcess,
                             const ForkExecutorOptions& options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) forkError("pipe", fmt::format("pipe2 failed: {}", std::strerror(errno)));
  flushStdio();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    closeFd(fds[0]);
    closeFd(fds[1]);
    forkError("fork", fmt::format("fork failed for invocation {}: {}", request.index, std::strerror(err)));
  }
  if (pid == 0) {
    closeFd(fds[0]);
    runChild(fds[1], runInProcess);
  }
  closeFd(fds[1]);

  InvocationResponse streamed;
  std::optional<InvocationResponse> outcome;
  std::string error;
  std::vector<char> buffer;
  try {
    while (true) {
      char header[5];
      if (!readAll(fds[0], header, sizeof header)) break;
      std::uint32_t size = 0;
      std::memcpy(&size, header, 4);
      buffer.resize(size);
      if (!readAll(fds[0], buffer.data(), size)) break;  // the child died mid-frame
      Json body = Json::from_cbor(buffer.begin(), buffer.end());
      switch (header[4]) {
        case 'U':
          streamed.updates.push_back(checkpointRecordFromJson(body));
          break;
        case 'O':
          if (options.onObservation) options.onObservation(body);
          break;
        case 'R':
          outcome = invocationResponseFromJson(body);
          break;
        default:
          throw std::invalid_argument(fmt::format("unknown frame kind {}", static_cast<int>(header[4])));
      }
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  closeFd(fds[0]);  // a child still writing gets EPIPE and ends
  int status = reap(pid);
  if (!error.empty())
    forkError("bad_frame", fmt::format("invocation {} sent a malformed frame: {}", request.index, error));
  if (outcome && (status == kExitSent || status == kStatusUnknown)) {
    outcome->updates = std::move(streamed.updates);
    return std::move(*outcome);
  }
  if (!outcome && status == kInvocationHangExitCode) {
    // The child's invocation watchdog ended it (RunnerOptions::invocationTimeout): the
    // execution fails as it would in process, instead of being invoked again to hang again.
    streamed.end = InvocationResponse::End::Failed;
    streamed.error = ErrorObject{"InvocationTimeoutError",
                                 fmt::format("[rewind.invocation.timeout] invocation {} ran longer than its timeout "
                                             "and reached no durable operation in the grace period after it (an "
                                             "endless loop or a blocking call): its forked child ended with exit "
                                             "status {}",
                                             request.index, kInvocationHangExitCode),
                                 std::nullopt, std::nullopt};
    return streamed;
  }
  // Died before its outcome: what it persisted stays, the invocation crashed.
  streamed.end = InvocationResponse::End::Crashed;
  return streamed;
}

}  // namespace

InvocationExecutor makeForkExecutor(ForkExecutorOptions options) {
  return [options = std::move(options)](const InvocationRequest& request, const InProcessInvocation& runInProcess) {
    return runForked(request, runInProcess, options);
  };
}

}  // namespace rwd::checker
