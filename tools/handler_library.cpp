// dlopen/dlsym of a handler library's versioned entry point.
#include "handler_library.hpp"

#include <dlfcn.h>

#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rwd::tools {

namespace {

// The library being loaded, for the terminate handler below (dlopen runs one at a time).
const std::string* loadingLibrary = nullptr;

// An exception escaping a static initialiser cannot unwind through the dynamic loader:
// the C++ runtime calls std::terminate. Say which library threw what, on one line, and
// exit 2 like every other bad-input error of the tools (instead of abort(), exit 134).
[[noreturn]] void reportInitialiserFailure() {
  std::string what = "an exception that is not a std::exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
  } else {
    what = "std::terminate was called";
  }
  std::cerr << fmt::format(
                   "cannot load library {}: its static initialisation failed: {} "
                   "[rewind.tools.library_init_failed]\n",
                   loadingLibrary ? *loadingLibrary : std::string("?"), what)
            << std::flush;
  std::_Exit(2);
}

}  // namespace

void* openSharedLibrary(const std::string& path, const char* what) {
  std::string p = path.find('/') == std::string::npos ? "./" + path : path;
  loadingLibrary = &path;
  std::terminate_handler previous = std::set_terminate(reportInitialiserFailure);
  void* handle = nullptr;
  try {
    handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
  } catch (const std::exception& e) {
    // Some ABIs do unwind through the loader: the same error, as an exception.
    std::set_terminate(previous);
    loadingLibrary = nullptr;
    throw std::runtime_error(
        fmt::format("cannot load {} {}: its static initialisation failed: {} "
                    "[rewind.tools.library_init_failed]",
                    what, path, e.what()));
  }
  std::set_terminate(previous);
  loadingLibrary = nullptr;
  if (!handle) throw std::runtime_error(fmt::format("cannot load {} {}: {}", what, path, dlerror()));
  return handle;
}

std::shared_ptr<HandlerLibrary> HandlerLibrary::open(const std::string& path) {
  void* handle = openSharedLibrary(path, "handler library");
  using Entry = HandlerRegistry* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "rewind_handler_registry_v1"));
  if (!entry)
    throw std::runtime_error(fmt::format(
        "{} is not a Rewind handler library: no rewind_handler_registry_v1 entry point (register handlers with "
        "REWIND_HANDLER)",
        path));
  HandlerRegistry* registry = entry();
  if (!registry || registry->abiVersion() != HandlerRegistry::kAbiVersion)
    throw std::runtime_error(fmt::format("{} was built for Rewind handler ABI {}, this tool reads ABI {}", path,
                                         registry ? registry->abiVersion() : -1, HandlerRegistry::kAbiVersion));
  if (!registry->duplicates().empty())
    throw std::runtime_error(
        fmt::format("{} registers handler name(s) twice: {}", path, fmt::join(registry->duplicates(), ", ")));
  return std::shared_ptr<HandlerLibrary>(new HandlerLibrary(path, handle, registry));
}

const HandlerDefinition& HandlerLibrary::durableHandler(const std::string& name) const {
  std::vector<const HandlerDefinition*> durable;
  for (const auto& d : registry_->all())
    if (d.kind == HandlerKind::Durable) durable.push_back(&d);
  if (name.empty()) {
    if (durable.empty())
      throw std::runtime_error(fmt::format("{} registers no durable handlers (REWIND_HANDLER)", path_));
    if (durable.size() > 1) {
      std::vector<std::string> names;
      for (const auto* d : durable) names.push_back(d->name);
      throw std::runtime_error(fmt::format("{} has {} handlers ({}); choose one with --handler", path_, durable.size(),
                                           fmt::join(names, ", ")));
    }
    return *durable.front();
  }
  const HandlerDefinition* def = registry_->find(name);
  if (!def || def->kind != HandlerKind::Durable)
    throw std::runtime_error(fmt::format("no handler named '{}' in {}", name, path_));
  return *def;
}

namespace {

// Rejects documents nested deeper than kMaxEventDepth while parsing, before anything
// recursive (dump(), the handler's own conversions) runs on them.
bool depthLimit(int depth, Json::parse_event_t, Json&) {
  if (depth > static_cast<int>(kMaxEventDepth))
    throw std::runtime_error(
        fmt::format("the event is nested deeper than {} levels [rewind.tools.bad_event]", kMaxEventDepth));
  return true;
}

}  // namespace

std::string readEventArgument(const std::string& arg) {
  std::string text = arg;
  if (!arg.empty() && arg[0] == '@') {
    std::ifstream in(arg.substr(1));
    if (!in) throw std::runtime_error(fmt::format("cannot read event file {} [rewind.tools.bad_event]", arg.substr(1)));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  try {
    return Json::parse(text, depthLimit).dump();
  } catch (const Json::parse_error& e) {
    throw std::runtime_error(fmt::format("the event is not valid JSON: {} [rewind.tools.bad_event]", e.what()));
  } catch (const Json::exception& e) {
    // out_of_range (a number beyond double, 1e400) and the like: still bad input.
    throw std::runtime_error(fmt::format("the event cannot be read as JSON: {} [rewind.tools.bad_event]", e.what()));
  }
}

}  // namespace rwd::tools
