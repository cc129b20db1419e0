// PCRE2 behind PyRegex. PCRE2 reads Python's syntax (inline flags, (?P<name>...),
// lookarounds) where std::regex cannot; the UTF and UCP options give Python 3's
// Unicode semantics for str patterns.
#include "py_regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

#include <fmt/format.h>

namespace rwd::conformance {

struct PyRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

std::string pythonToPcre2(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char next = pattern[i + 1];
      // Python's \Z is "end of string" (PCRE2's \z); PCRE2's \Z would also accept a
      // final newline.
      out += '\\';
      out += next == 'Z' ? 'z' : next;
      ++i;
      continue;
    }
    out += c;
  }
  return out;
}

PyRegex::PyRegex(std::string_view pattern) : pattern_(pattern), code_(std::make_unique<Code>()) {
  std::string translated = pythonToPcre2(pattern);
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  code_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), PCRE2_UTF | PCRE2_UCP,
                              &errorCode, &errorOffset, nullptr);
  if (!code_->code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(errorCode, buffer, sizeof buffer);
    throw std::invalid_argument(fmt::format("invalid regular expression /{}/ at offset {}: {}", pattern_, errorOffset,
                                            reinterpret_cast<const char*>(buffer)));
  }
}

PyRegex::~PyRegex() = default;
PyRegex::PyRegex(PyRegex&&) noexcept = default;
PyRegex& PyRegex::operator=(PyRegex&&) noexcept = default;

bool PyRegex::run(std::string_view subject, bool anchoredWhole) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  if (!data) throw std::bad_alloc();
  uint32_t options = anchoredWhole ? (PCRE2_ANCHORED | PCRE2_ENDANCHORED) : 0;
  int rc =
      pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, options, data, nullptr);
  pcre2_match_data_free(data);
  return rc >= 0;
}

bool PyRegex::search(std::string_view subject) const { return run(subject, false); }
bool PyRegex::fullMatch(std::string_view subject) const { return run(subject, true); }

}  // namespace rwd::conformance
