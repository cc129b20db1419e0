// What a rewind_add_lambda() bootstrap built on a newer glibc needs to run on
// provided.al2023's glibc 2.34. The statically linked libstdc++ and libgcc of Debian 12
// (GCC 12, glibc 2.36) call two functions that glibc 2.34 lacks: arc4random (glibc 2.36,
// from std::random_device) and _dl_find_object (glibc 2.35, from the unwinder, for every
// thrown exception). glibc_compat.cpp defines both in the bootstrap itself, so the linker
// no longer asks the C library for them: each forwards to the C library's own when the
// running glibc has it and otherwise does the same job with what glibc 2.34 offers.
#pragma once

#include <dlfcn.h>

#include <cstdint>

namespace rwd::lambda::glibc_compat {

// _dl_find_object over dl_iterate_phdr: the loaded object whose PT_LOAD segments hold
// `address`, its mapping bounds, link map and PT_GNU_EH_FRAME. 0 when found, -1 if not.
int findObjectByProgramHeaders(void* address, dl_find_object* result) noexcept;

// 32 random bits from the kernel (getrandom, then /dev/urandom); aborts when neither
// answers, as glibc's arc4random does.
std::uint32_t kernelRandom32() noexcept;

}  // namespace rwd::lambda::glibc_compat

// Linked by rewind_add_lambda() with -Wl,--undefined=<anchor>, so that the archive members
// defining the replacements are part of every bootstrap whatever else it links.
extern "C" const int rewind_lambda_glibc_compat_v1;
extern "C" const int rewind_lambda_fmt_runtime_v1;
