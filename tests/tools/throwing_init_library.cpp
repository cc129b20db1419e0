// A handler library whose static initialiser throws: loading it must be a one-line
// error, not std::terminate.
#include <stdexcept>

namespace {

struct Config {
  Config() { throw std::runtime_error("REGION is not set"); }
};

const Config config;

}  // namespace
