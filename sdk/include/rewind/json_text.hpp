// Text that goes into JSON. JSON strings are UTF-8, and Rewind writes JSON everywhere
// (checkpoints, histories, reports), so there is one rule for text it did not write:
//   - operation names must be UTF-8: a checkpoint with another Name is rejected
//     ([rewind.checkpoint.bad_name]);
//   - anything else (payloads, error messages, log lines) keeps its bytes while the run
//     holds it, and every byte sequence that is not UTF-8 becomes U+FFFD where it is
//     written as JSON: writing never throws, and the user's error stays the error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rwd {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values above
// U+10FFFF).
bool isValidUtf8(std::string_view text) noexcept;

// `text` with every maximal ill-formed subsequence replaced by U+FFFD (as nlohmann's
// error_handler_t::replace and the Unicode standard's recommended practice do).
std::string toValidUtf8(std::string_view text);

// Replaces, in place, every string (and object key) of `j` that is not UTF-8.
void makeValidUtf8(nlohmann::json& j);

// JSON text of `j` that never throws on bytes that are not UTF-8 (they become U+FFFD).
// Out of line, as parseJson: a translation unit that only converts its types to and from
// JSON through Rewind then compiles no JSON parser or writer of its own (about a third of
// a handler file's compile time).
std::string dumpJson(const nlohmann::json& j, int indent = -1);

// nlohmann::json::parse(text), out of line; throws what it throws (json::parse_error).
nlohmann::json parseJson(std::string_view text);

// `v` as a whole number within [lo, hi]: a JSON integer, or a float with no fraction
// (2.0). nullopt for anything else: another type, a fraction, NaN, or a value out of
// range (converting those to an integer type is undefined behaviour, and input Rewind did
// not write, such as a hand-edited history, may hold them).
std::optional<std::int64_t> wholeNumberIn(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) noexcept;

}  // namespace rwd
