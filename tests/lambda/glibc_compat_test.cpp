// The bootstrap's replacements for glibc 2.35+ functions (lambda/src/glibc_compat.hpp):
// the dl_iterate_phdr search used on glibc 2.34 must find what glibc's own
// _dl_find_object finds, and the kernel random source must give random words.
#include "glibc_compat.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <stdexcept>

namespace rwd::lambda::glibc_compat {
namespace {

// glibc's own _dl_find_object (this machine's glibc has it), not the replacement.
int libcFindObject(void* address, dl_find_object* result) {
  using FindObject = int (*)(void*, dl_find_object*);
  static const auto libc = reinterpret_cast<FindObject>(dlvsym(RTLD_NEXT, "_dl_find_object", "GLIBC_2.35"));
  if (libc == nullptr) return -2;
  return libc(address, result);
}

int localFunction(int x) { return x + 1; }
const int kLocalConstant = 7;

void expectSameObject(void* address) {
  dl_find_object expected{};
  const int libcRc = libcFindObject(address, &expected);
  if (libcRc == -2) GTEST_SKIP() << "this glibc has no _dl_find_object to compare with";
  ASSERT_EQ(libcRc, 0);
  dl_find_object found{};
  ASSERT_EQ(findObjectByProgramHeaders(address, &found), 0);
  EXPECT_EQ(found.dlfo_eh_frame, expected.dlfo_eh_frame);
  EXPECT_EQ(found.dlfo_link_map, expected.dlfo_link_map);
  EXPECT_NE(found.dlfo_eh_frame, nullptr);
  EXPECT_LE(found.dlfo_map_start, address);
  EXPECT_GT(found.dlfo_map_end, address);
}

TEST(GlibcCompatTest, FindsTheExecutablesOwnCodeAndDataAsGlibcDoes) {
  expectSameObject(reinterpret_cast<void*>(&localFunction));
  expectSameObject(const_cast<int*>(&kLocalConstant));
}

TEST(GlibcCompatTest, FindsSharedLibraryCodeAsGlibcDoes) {
  expectSameObject(reinterpret_cast<void*>(&::getpid));  // libc.so.6
  expectSameObject(reinterpret_cast<void*>(&::testing::UnitTest::GetInstance));
}

TEST(GlibcCompatTest, AnAddressOutsideEveryObjectIsNotFound) {
  int onTheStack = 0;
  dl_find_object found{};
  EXPECT_EQ(findObjectByProgramHeaders(&onTheStack, &found), -1);
  EXPECT_EQ(findObjectByProgramHeaders(nullptr, &found), -1);
}

TEST(GlibcCompatTest, ExceptionsStillUnwindThroughTheReplacement) {
  // This test program links the replacement _dl_find_object, which the unwinder calls.
  EXPECT_THROW(throw std::runtime_error("through the replacement"), std::runtime_error);
}

TEST(GlibcCompatTest, KernelRandomWordsDiffer) {
  std::set<std::uint32_t> seen;
  std::uint32_t anyBits = 0;
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t word = kernelRandom32();
    seen.insert(word);
    anyBits |= word;
  }
  EXPECT_GT(seen.size(), 60U);
  EXPECT_EQ(anyBits, 0xffffffffU);  // every bit was set at least once in 64 words
}

}  // namespace
}  // namespace rwd::lambda::glibc_compat
