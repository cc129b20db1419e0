// Renderers. SARIF goes through nlohmann::json; the fixes YAML through
// Clang's own YAML traits, so clang-apply-replacements reads it unchanged.
#include "core/output.hpp"

#include <nlohmann/json.hpp>

#include <map>

#include "clang/Tooling/Core/Diagnostic.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "core/registry.hpp"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

namespace rwd::lint {
namespace {

void appendLocated(std::string& out, const SourcePosition& pos, const char* level, const std::string& message) {
  out += pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + level + ": " + message +
         "\n";
  out += pos.lineText + "\n";
  std::string caret;
  for (size_t i = 0; i + 1 < pos.column && i < pos.lineText.size(); ++i) {
    caret += pos.lineText[i] == '\t' ? '\t' : ' ';
  }
  out += caret + "^\n";
}

// Keeps the text valid UTF-8 for nlohmann::json::dump (which throws otherwise).
std::string validUtf8(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

// SARIF columns count Unicode code points (columnKind unicodeCodePoints);
// Clang's count bytes.
unsigned codePointColumn(const SourcePosition& pos) {
  unsigned column = 1;
  for (size_t i = 0; i + 1 < pos.column && i < pos.lineText.size(); ++i) {
    if ((static_cast<unsigned char>(pos.lineText[i]) & 0xC0) != 0x80) ++column;
  }
  return pos.column > pos.lineText.size() + 1 ? column + (pos.column - 1 - static_cast<unsigned>(pos.lineText.size()))
                                              : column;
}

nlohmann::json sarifLocation(const SourcePosition& pos, const std::string& base) {
  nlohmann::json artifact;
  std::string prefix = base.empty() || base.back() == '/' ? base : base + "/";
  if (!prefix.empty() && pos.file.rfind(prefix, 0) == 0) {
    artifact["uri"] = validUtf8(pos.file.substr(prefix.size()));
    artifact["uriBaseId"] = "SRCROOT";
  } else {
    artifact["uri"] = validUtf8("file://" + pos.file);
  }
  return {
      {"physicalLocation",
       {{"artifactLocation", artifact}, {"region", {{"startLine", pos.line}, {"startColumn", codePointColumn(pos)}}}}}};
}

}  // namespace

std::string defaultHelpUriBase() { return REWIND_LINT_HELP_URI_BASE; }

std::string renderText(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& finding : findings) {
    std::string suffix = finding.isError ? " [" + finding.check + ",-warnings-as-errors]" : " [" + finding.check + "]";
    appendLocated(out, finding.position, finding.isError ? "error" : "warning", finding.message + suffix);
    // Show a fix-it under the caret line when it starts on that line.
    unsigned lineStart = finding.position.offset - (finding.position.column - 1);
    unsigned lineEnd = lineStart + static_cast<unsigned>(finding.position.lineText.size());
    for (const Replacement& fix : finding.fixes) {
      if (fix.file != finding.position.file || fix.offset < lineStart || fix.offset > lineEnd) {
        continue;
      }
      std::string pad;
      for (unsigned i = lineStart; i < fix.offset; ++i) {
        pad += finding.position.lineText[i - lineStart] == '\t' ? '\t' : ' ';
      }
      out += pad + fix.text + "\n";
    }
    for (const FindingNote& note : finding.notes) {
      appendLocated(out, note.position, "note", note.message);
    }
  }
  return out;
}

std::string renderSarif(const std::vector<Finding>& findings, const std::string& baseDirectory,
                        const std::string& helpUriBase) {
  std::string helpBase = helpUriBase.empty() || helpUriBase.back() == '/' ? helpUriBase : helpUriBase + "/";
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, size_t> ruleIndex;
  for (const CheckInfo& info : allChecks()) {
    ruleIndex[info.name] = rules.size();
    rules.push_back({{"id", info.name},
                     {"name", info.name},
                     {"shortDescription", {{"text", info.summary}}},
                     {"helpUri", validUtf8(helpBase + info.name + ".md")},
                     {"defaultConfiguration", {{"level", "warning"}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const Finding& finding : findings) {
    nlohmann::json result = {{"ruleId", finding.check},
                             {"level", finding.isError ? "error" : "warning"},
                             {"message", {{"text", validUtf8(finding.message)}}},
                             {"locations", nlohmann::json::array({sarifLocation(finding.position, baseDirectory)})}};
    if (auto found = ruleIndex.find(finding.check); found != ruleIndex.end()) {
      result["ruleIndex"] = found->second;
    }
    if (!finding.notes.empty()) {
      nlohmann::json related = nlohmann::json::array();
      for (size_t i = 0; i < finding.notes.size(); ++i) {
        nlohmann::json location = sarifLocation(finding.notes[i].position, baseDirectory);
        location["id"] = i;
        location["message"] = {{"text", validUtf8(finding.notes[i].message)}};
        related.push_back(location);
      }
      result["relatedLocations"] = related;
    }
    if (!finding.fixes.empty()) {
      nlohmann::json changes = nlohmann::json::array();
      for (const Replacement& fix : finding.fixes) {
        SourcePosition pos;
        pos.file = fix.file;
        nlohmann::json artifact = sarifLocation(pos, baseDirectory)["physicalLocation"]["artifactLocation"];
        changes.push_back(
            {{"artifactLocation", artifact},
             {"replacements",
              nlohmann::json::array({{{"deletedRegion", {{"byteOffset", fix.offset}, {"byteLength", fix.length}}},
                                      {"insertedContent", {{"text", validUtf8(fix.text)}}}}})}});
      }
      result["fixes"] =
          nlohmann::json::array({{{"description", {{"text", "suggested fix"}}}, {"artifactChanges", changes}}});
    }
    results.push_back(result);
  }
  nlohmann::json run = {
      {"tool", {{"driver", {{"name", "rewind-lint"}, {"version", REWIND_LINT_VERSION}, {"rules", rules}}}}},
      {"columnKind", "unicodeCodePoints"},
      {"results", results}};
  if (!baseDirectory.empty()) {
    std::string base = baseDirectory.back() == '/' ? baseDirectory : baseDirectory + "/";
    run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", validUtf8("file://" + base)}}}};
  }
  nlohmann::json log = {
      {"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({run})}};
  return log.dump(2) + "\n";
}

std::string renderFixesYaml(const std::vector<Finding>& findings, const std::string& mainSourceFile,
                            const std::string& buildDirectory) {
  clang::tooling::TranslationUnitDiagnostics tu;
  tu.MainSourceFile = mainSourceFile;
  for (const Finding& finding : findings) {
    clang::tooling::DiagnosticMessage message(finding.message);
    message.FilePath = finding.position.file;
    message.FileOffset = finding.position.offset;
    for (const Replacement& fix : finding.fixes) {
      clang::tooling::Replacement replacement(fix.file, fix.offset, fix.length, fix.text);
      llvm::consumeError(message.Fix[fix.file].add(replacement));
    }
    llvm::SmallVector<clang::tooling::DiagnosticMessage, 1> notes;
    for (const FindingNote& note : finding.notes) {
      clang::tooling::DiagnosticMessage noteMessage(note.message);
      noteMessage.FilePath = note.position.file;
      noteMessage.FileOffset = note.position.offset;
      notes.push_back(noteMessage);
    }
    tu.Diagnostics.emplace_back(
        finding.check, message, notes,
        finding.isError ? clang::tooling::Diagnostic::Error : clang::tooling::Diagnostic::Warning, buildDirectory);
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::yaml::Output yaml(os);
  yaml << tu;
  os.flush();
  return text;
}

}  // namespace rwd::lint
