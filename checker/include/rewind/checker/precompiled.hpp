// A test file's headers (rewind/testing/precompiled.hpp) and the checker's gtest macros
// (REWIND_CHECK_CRASH_SAFETY, RapidCheck's gtest integration) for a precompiled header:
// rewind_precompile_headers(<target> CHECKER).
#pragma once

#include "rewind/checker/gtest.hpp"
#include "rewind/testing/precompiled.hpp"
