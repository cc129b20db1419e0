// libFuzzer target: a `rewind-check --reproduce` schedule token
// (checker/src/schedule.cpp scheduleFromToken). Contract: a Schedule that round-trips
// through toToken, or std::invalid_argument carrying [rewind.checker.bad_token].
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "rewind/checker/schedule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string token(reinterpret_cast<const char*>(data), size);
  try {
    rwd::checker::Schedule s = rwd::checker::scheduleFromToken(token);
    (void)rwd::checker::describe(s);
    if (rwd::checker::scheduleFromToken(rwd::checker::toToken(s)) != s)
      rwd::fuzz::unexpected("fuzz_reproduce_token", "a schedule does not round-trip through its token");
  } catch (const std::invalid_argument& e) {
    if (!rwd::fuzz::hasStableId(e.what())) rwd::fuzz::unexpected("fuzz_reproduce_token", e.what());
  } catch (const std::exception& e) {
    rwd::fuzz::unexpected("fuzz_reproduce_token", e.what());
  }
  return 0;
}
