// What docs/observability.md's snippets assume: a handler, its event, and the plugin
// headers.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include <rewind/local_runner.hpp>
#include <rewind/plugins/json_log_plugin.hpp>
#include <rewind/plugins/trace_plugin.hpp>

namespace doc_context::observability {

inline std::string handler(const std::string& name, rwd::DurableContext& ctx) {
  return ctx.step("greet", [&](rwd::StepContext&) { return "hello " + name; });
}
inline const std::string event = "ada";

}  // namespace doc_context::observability
