// Unguessable ids from OpenSSL's CSPRNG (RAND_bytes): callback ids, checkpoint tokens,
// request ids, execution ids. Throws std::runtime_error when the generator fails.
#pragma once

#include <cstddef>
#include <string>

namespace rwd::server::internal {

std::string randomHex(std::size_t bytes);  // 2 * bytes lowercase hex digits
std::string randomUuid();                  // a version-4 UUID

}  // namespace rwd::server::internal
