// Loads a shared library of durable handlers (REWIND_HANDLER / REWIND_FUNCTION) and
// returns its registry, for rewind-run, rewind-conformance and rewind-check.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "rewind/handler.hpp"

namespace rwd::tools {

// dlopen(RTLD_NOW | RTLD_LOCAL) of `path` (a bare name is taken from the current
// directory). `what` names the library in messages ("handler library", "plugin
// library"). Throws std::runtime_error with a one-line message when it cannot be
// loaded. A static initialiser that throws ends the process with a one-line error and
// exit status 2 ([rewind.tools.library_init_failed]): the exception cannot cross the
// dynamic loader, so it is reported from the terminate handler.
void* openSharedLibrary(const std::string& path, const char* what);

class HandlerLibrary {
 public:
  // Throws std::runtime_error with a one-line message when the library cannot be
  // loaded, lacks the entry point, has another ABI version or registers a name twice.
  static std::shared_ptr<HandlerLibrary> open(const std::string& path);
  const HandlerRegistry& registry() const noexcept { return *registry_; }
  // The durable handler called `name`, or the library's only one when `name` is empty;
  // throws std::runtime_error with a one-line message otherwise.
  const HandlerDefinition& durableHandler(const std::string& name) const;
  const std::string& path() const noexcept { return path_; }

 private:
  HandlerLibrary(std::string path, void* handle, HandlerRegistry* registry)
      : path_(std::move(path)), handle_(handle), registry_(registry) {}
  std::string path_;
  [[maybe_unused]] void* handle_;  // never closed: handlers' code must stay mapped
  HandlerRegistry* registry_;
};

// The deepest nesting of arrays and objects an --event document may have.
inline constexpr std::size_t kMaxEventDepth = 512;

// An --event argument: JSON text, or @FILE. Returns compact JSON. Throws
// std::runtime_error (and nothing else) with a one-line message ending in
// [rewind.tools.bad_event] when the file is unreadable, the text is not JSON, a number
// is out of range (1e400) or the document is nested deeper than kMaxEventDepth.
std::string readEventArgument(const std::string& arg);

}  // namespace rwd::tools
