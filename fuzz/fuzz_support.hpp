// Shared pieces of the libFuzzer targets: the contract check every target applies to
// what escapes the code under test.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace rwd::fuzz {

// Bad input must end in an error carrying a stable id ([rewind.area.what]); anything else
// that escapes (a library's exception, an unexpected type) is a finding: abort so that
// libFuzzer saves the input.
[[noreturn]] inline void unexpected(const char* target, const char* what) {
  std::fprintf(stderr, "%s: an exception escaped the contract: %s\n", target, what);
  std::abort();
}

inline bool hasStableId(std::string_view what) { return what.find("[rewind.") != std::string_view::npos; }

}  // namespace rwd::fuzz
