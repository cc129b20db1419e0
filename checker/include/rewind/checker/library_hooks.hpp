// What a handler library exports for `rewind-check` besides its handlers: a setup
// function that resets the test's world once per explored execution, and invariants
// over every explored execution's final state (the C++ API's CheckOptions::setup and
// CheckOptions::invariants, for the command line).
//
//   REWIND_CHECK_SETUP([] { fakeWarehouse().reset(); });
//   REWIND_CHECK_INVARIANTS({"every hold is released or captured", [](const rwd::checker::FinalState& s)
//                              -> std::optional<std::string> { ... }});
//
// At most one of each per library. rewind-check looks them up by their C names
// (rewind_check_setup, rewind_check_invariants) when it opens the library.
#pragma once

#include <vector>

#include "rewind/checker/crash_checker.hpp"

#define REWIND_CHECK_SETUP(fn) \
  extern "C" __attribute__((visibility("default"))) void rewind_check_setup() { (fn)(); }

// The invariants are returned as a `const std::vector<rwd::checker::Invariant>*` behind a
// C-linkage `const void*` (the library and rewind-check share rewind::checker's ABI).
#define REWIND_CHECK_INVARIANTS(...)                                                        \
  extern "C" __attribute__((visibility("default"))) const void* rewind_check_invariants() { \
    static const std::vector<::rwd::checker::Invariant> rewindInvariants{__VA_ARGS__};      \
    return &rewindInvariants;                                                               \
  }
