// MD5 (RFC 1321), for positional operation ids only (not for security). In-house so that
// the first id of a process costs nanoseconds: OpenSSL's provider initialisation cost
// ~3 ms on the first digest of every process (issue #16 point 16).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "rewind/operation_id.hpp"

namespace rwd::internal {

// The 16-byte MD5 digest of `data`.
std::array<std::uint8_t, 16> md5(std::string_view data) noexcept;

// operationIdFor(stepId) written into `out`, whose buffer is reused (an id is 16
// characters, one more than a std::string holds without allocating).
void assignOperationId(std::string& out, std::string_view stepId);
void assignOperationId(OperationId& out, std::string_view stepId);

}  // namespace rwd::internal
