#include "glibc_compat.hpp"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern "C" const int rewind_lambda_glibc_compat_v1 = 1;

namespace rwd::lambda::glibc_compat {
namespace {

using FindObject = int (*)(void*, dl_find_object*);
using Random32 = std::uint32_t (*)();

// The running C library's own definition (RTLD_NEXT: the objects loaded after the
// bootstrap), or nullptr on a glibc older than `version`.
template <typename Function>
Function libcFunction(const char* name, const char* version) noexcept {
  return reinterpret_cast<Function>(dlvsym(RTLD_NEXT, name, version));
}

struct Search {
  ElfW(Addr) address;
  dl_find_object* result;
  bool found;
};

int searchObject(dl_phdr_info* info, size_t /*size*/, void* data) noexcept {
  auto& search = *static_cast<Search*>(data);
  ElfW(Addr) start = ~ElfW(Addr){0};
  ElfW(Addr) end = 0;
  bool holds = false;
  const ElfW(Phdr)* ehFrame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    if (header.p_type == PT_GNU_EH_FRAME) ehFrame = &header;
    if (header.p_type != PT_LOAD) continue;
    const ElfW(Addr) from = info->dlpi_addr + header.p_vaddr;
    const ElfW(Addr) to = from + header.p_memsz;
    start = from < start ? from : start;
    end = to > end ? to : end;
    holds = holds || (search.address >= from && search.address < to);
  }
  if (!holds) return 0;
  std::memset(search.result, 0, sizeof(*search.result));
  search.result->dlfo_map_start = reinterpret_cast<void*>(start);
  search.result->dlfo_map_end = reinterpret_cast<void*>(end);
  search.result->dlfo_eh_frame =
      ehFrame == nullptr ? nullptr : reinterpret_cast<void*>(info->dlpi_addr + ehFrame->p_vaddr);
  search.found = true;
  return 1;
}

bool fill(void* buffer, std::size_t size) noexcept {
  auto* bytes = static_cast<unsigned char*>(buffer);
  while (size > 0) {
    const ssize_t got = getrandom(bytes, size, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
  if (size == 0) return true;
  const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  while (size > 0) {
    const ssize_t got = read(fd, bytes, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
  close(fd);
  return size == 0;
}

}  // namespace

int findObjectByProgramHeaders(void* address, dl_find_object* result) noexcept {
  Search search{reinterpret_cast<ElfW(Addr)>(address), result, false};
  dl_iterate_phdr(searchObject, &search);
  if (!search.found) return -1;
  Dl_info info{};
  void* linkMap = nullptr;
  if (dladdr1(address, &info, &linkMap, RTLD_DL_LINKMAP) != 0) result->dlfo_link_map = static_cast<link_map*>(linkMap);
  return 0;
}

std::uint32_t kernelRandom32() noexcept {
  std::uint32_t value = 0;
  if (!fill(&value, sizeof(value))) std::abort();
  return value;
}

}  // namespace rwd::lambda::glibc_compat

// The two replacements, with the C library's names and signatures (<dlfcn.h>,
// <stdlib.h>). Each looks its libc counterpart up once.
extern "C" int _dl_find_object(void* address, dl_find_object* result) noexcept {
  using namespace rwd::lambda::glibc_compat;
  static const FindObject libc = libcFunction<FindObject>("_dl_find_object", "GLIBC_2.35");
  return libc != nullptr ? libc(address, result) : findObjectByProgramHeaders(address, result);
}

extern "C" std::uint32_t arc4random() noexcept {
  using namespace rwd::lambda::glibc_compat;
  static const Random32 libc = libcFunction<Random32>("arc4random", "GLIBC_2.36");
  return libc != nullptr ? libc() : kernelRandom32();
}
