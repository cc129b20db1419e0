// Small text helpers shared by the plugins (private).
#pragma once

#include <string>
#include <string_view>

namespace rwd::internal {

// `text` cut to at most `limit` bytes on a UTF-8 character boundary, with "…" appended
// when cut, so that long payloads keep traces and log lines readable.
inline std::string truncatePayload(std::string_view text, std::size_t limit = 256) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

}  // namespace rwd::internal
