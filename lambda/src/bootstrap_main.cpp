// main() of every rewind_add_lambda() bootstrap: the handlers linked into this executable
// registered themselves in its registry.
#include "rewind/handler.hpp"
#include "rewind/lambda/bootstrap.hpp"

int main(int argc, char** argv) { return rwd::lambda::bootstrapMain(argc, argv, *rewind_handler_registry_v1()); }
