// Renderers for findings: clang-tidy-style text, SARIF 2.1.0, and the
// export-fixes YAML that clang-apply-replacements reads.
#pragma once

#include <string>
#include <vector>

#include "core/finding.hpp"

namespace rwd::lint {

// "file:line:col: warning: message [check]" + source line + caret, notes
// likewise, and the fix-it text under the caret when it is on that line.
std::string renderText(const std::vector<Finding>& findings);

// One SARIF 2.1.0 log with one run; rules are the registered checks.
// File URIs are relative to `baseDirectory` when under it (uriBaseId
// "SRCROOT"), else absolute file:// URIs.
std::string renderSarif(const std::vector<Finding>& findings, const std::string& baseDirectory);

// clang-apply-replacements input (clang::tooling::TranslationUnitDiagnostics).
std::string renderFixesYaml(const std::vector<Finding>& findings, const std::string& mainSourceFile,
                            const std::string& buildDirectory);

}  // namespace rwd::lint
