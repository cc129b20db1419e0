// libFuzzer target: the --event reader of rewind-run / rewind-check
// (tools/handler_library.cpp readEventArgument). Its contract: compact JSON, or a
// std::runtime_error ending in [rewind.tools.bad_event]; never a crash, never another
// exception, never unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "handler_library.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text[0] == '@') text[0] = ' ';  // @FILE reads files: not the reader's parsing
  try {
    std::string out = rwd::tools::readEventArgument(text);
    // What it returns is JSON that reads back to itself.
    if (rwd::tools::readEventArgument(out) != out) rwd::fuzz::unexpected("fuzz_event_reader", "not a fixed point");
  } catch (const std::runtime_error& e) {
    if (!rwd::fuzz::hasStableId(e.what())) rwd::fuzz::unexpected("fuzz_event_reader", e.what());
  } catch (const std::exception& e) {
    rwd::fuzz::unexpected("fuzz_event_reader", e.what());
  }
  return 0;
}
