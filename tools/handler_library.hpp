// Loads a shared library of durable handlers (REWIND_HANDLER / REWIND_FUNCTION) and
// returns its registry, for rewind-run, rewind-conformance and rewind-check.
#pragma once

#include <memory>
#include <string>

#include "rewind/handler.hpp"

namespace rwd::tools {

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

// An --event argument: JSON text, or @FILE. Returns compact JSON; throws
// std::runtime_error with a one-line message when the file is unreadable or the text is
// not JSON.
std::string readEventArgument(const std::string& arg);

}  // namespace rwd::tools
