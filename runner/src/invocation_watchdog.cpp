#include "invocation_watchdog.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace rwd::internal {

using Clock = std::chrono::steady_clock;

struct InvocationWatchdog::Entry {
  Clock::time_point deadline;
  Clock::time_point hardStop;
  std::chrono::milliseconds limit{0};
  std::chrono::milliseconds grace{0};
  std::atomic<bool> expired{false};
  std::string what;
};

namespace {

// Never destroyed: the thread is detached and may still wait on it while the process exits.
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<InvocationWatchdog::Entry*> entries;
  bool threadRunning = false;
};

Shared& shared();

std::string describe(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? fmt::format("{} s", ms / 1000) : fmt::format("{} ms", ms);
}

[[noreturn]] void endProcess(const InvocationWatchdog::Entry& e) {
  std::string message = fmt::format(
      "[rewind.invocation.timeout] {} ran longer than its timeout of {} (wall clock) and reached no durable "
      "operation in the {} after it, so it cannot be stopped inside the process: an endless loop or a blocking "
      "call in the handler or a step body. The process ends with exit code {}, as Lambda ends a timed-out "
      "sandbox.\n",
      e.what, describe(e.limit), describe(e.grace), kInvocationHangExitCode);
  // write(2), not iostreams: other threads (the stuck one included) may hold their locks.
  for (std::size_t done = 0; done < message.size();) {
    ssize_t n = ::write(STDERR_FILENO, message.data() + done, message.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  std::_Exit(kInvocationHangExitCode);
}

void watchLoop() {
  Shared& s = shared();
  std::unique_lock lock(s.mu);
  while (true) {
    auto now = Clock::now();
    std::optional<Clock::time_point> next;
    for (InvocationWatchdog::Entry* e : s.entries) {
      if (!e->expired.load(std::memory_order_relaxed)) {
        if (now >= e->deadline) {
          e->expired.store(true, std::memory_order_relaxed);
        } else {
          next = next ? std::min(*next, e->deadline) : e->deadline;
          continue;
        }
      }
      if (now >= e->hardStop) endProcess(*e);
      next = next ? std::min(*next, e->hardStop) : e->hardStop;
    }
    if (next)
      s.cv.wait_until(lock, *next);
    else
      s.cv.wait(lock);
  }
}

// A forked child has no watchdog thread (threads do not survive fork); the next watch()
// in it starts one. The lock is held across fork so that the child's copy is consistent.
void beforeFork() { shared().mu.lock(); }
void afterForkInParent() { shared().mu.unlock(); }
void afterForkInChild() {
  Shared& s = shared();
  s.threadRunning = false;
  s.mu.unlock();
}

Shared& shared() {
  static Shared* s = [] {
    auto* created = new Shared;
    pthread_atfork(beforeFork, afterForkInParent, afterForkInChild);
    return created;
  }();
  return *s;
}

}  // namespace

InvocationWatchdog::Lease::Lease(std::unique_ptr<Entry> entry) : entry_(std::move(entry)) {}
InvocationWatchdog::Lease::Lease(Lease&& other) noexcept = default;

InvocationWatchdog::Lease::~Lease() {
  if (!entry_) return;
  Shared& s = shared();
  std::lock_guard lock(s.mu);
  auto it = std::find(s.entries.begin(), s.entries.end(), entry_.get());
  if (it != s.entries.end()) s.entries.erase(it);
}

const std::atomic<bool>& InvocationWatchdog::Lease::expired() const noexcept { return entry_->expired; }

InvocationWatchdog::Lease InvocationWatchdog::watch(std::chrono::milliseconds limit, std::chrono::milliseconds grace,
                                                    std::string what) {
  auto entry = std::make_unique<Entry>();
  entry->limit = limit;
  entry->grace = grace;
  entry->deadline = Clock::now() + limit;
  entry->hardStop = entry->deadline + grace;
  entry->what = std::move(what);
  Shared& s = shared();
  {
    std::lock_guard lock(s.mu);
    s.entries.push_back(entry.get());
    if (!s.threadRunning) {
      std::thread(watchLoop).detach();
      s.threadRunning = true;
    } else {
      s.cv.notify_one();  // the new deadline may be the earliest
    }
  }
  return Lease(std::move(entry));
}

}  // namespace rwd::internal
