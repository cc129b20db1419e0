// Every kind of fix-it rewind-lint offers, written against the REAL Rewind
// headers. verify_fixits.cmake applies them (clang-apply-replacements-16 from
// --export-fixes, and clang-tidy-16 --fix with the plugin), compiles the
// result with clang++-16, and lints it again: no finding may be left.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <thread>

#include "rewind/durable_context.hpp"

namespace fixits {

std::string makeId() {
  std::random_device device;
  return std::to_string(device());
}

int handler(const std::string& event, rwd::DurableContext& ctx) {
  auto startedAt = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::now();
  auto precise = std::chrono::high_resolution_clock::now();
  auto began = std::chrono::steady_clock::now();
  auto due = std::chrono::system_clock::now() + std::chrono::hours(1);
  long seconds = time(nullptr);
  std::time_t stamp = std::time(nullptr);
  int dice = std::rand();
  std::string region = std::getenv("AWS_REGION");
  std::string id = makeId();
  unsigned draw = std::random_device{}();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::this_thread::sleep_for(std::chrono::minutes(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  sleep(1);
  usleep(500);
  ctx.step("use", [&] {
    return static_cast<long>(startedAt.time_since_epoch().count() + deadline.time_since_epoch().count() +
                             precise.time_since_epoch().count() + due.time_since_epoch().count() + began.time_since_epoch().count() +
                             seconds + stamp + dice + static_cast<long>(region.size() + id.size() + draw + event.size()));
  });
  return 0;
}

// A workflow class reaches its context through a member.
class Renewal {
 public:
  explicit Renewal(rwd::DurableContext& ctx) : ctx_(ctx) {}
  long run() {
    auto renewedAt = std::chrono::system_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return renewedAt.time_since_epoch().count();
  }

 private:
  rwd::DurableContext& ctx_;
};

long renew(rwd::DurableContext& ctx) { return Renewal(ctx).run(); }

}  // namespace fixits
