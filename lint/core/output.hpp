// Renderers for findings: clang-tidy-style text, SARIF 2.1.0, and the
// export-fixes YAML that clang-apply-replacements reads.
#pragma once

#include <string>
#include <vector>

#include "core/finding.hpp"

namespace rwd::lint {

// Where the check pages are (REWIND_LINT_HELP_URI_BASE at configure time;
// by default the installed docs, file://<prefix>/share/doc/.../lint/checks/).
std::string defaultHelpUriBase();

// "file:line:col: warning: message [check]" + source line + caret, notes
// likewise, and the fix-it text under the caret when it is on that line.
std::string renderText(const std::vector<Finding>& findings);

// One SARIF 2.1.0 log with one run (valid against the official schema);
// rules are the registered checks, each with helpUri `helpUriBase` +
// "<check>.md" (an absolute URI). File URIs are relative to
// `baseDirectory` when under it (uriBaseId "SRCROOT"), else absolute
// file:// URIs. Columns are Unicode code points, fix regions bytes.
std::string renderSarif(const std::vector<Finding>& findings, const std::string& baseDirectory,
                        const std::string& helpUriBase = defaultHelpUriBase());

// clang-apply-replacements input (clang::tooling::TranslationUnitDiagnostics).
std::string renderFixesYaml(const std::vector<Finding>& findings, const std::string& mainSourceFile,
                            const std::string& buildDirectory);

}  // namespace rwd::lint
