// rewind-lambda-host: a Lambda `bootstrap` for a shared library of REWIND_HANDLERs, so that
// rewind-server (--function NAME=LIB.so[:HANDLER]) runs handlers it did not link. It
// loads REWIND_HANDLER_LIBRARY (or its first argument) and runs the Runtime API loop for
// the handler _HANDLER names, with the shared Rewind runtime the library itself uses.
//
//   REWIND_HANDLER_LIBRARY=libmy_handlers.so _HANDLER=order AWS_LAMBDA_RUNTIME_API=... rewind-lambda-host
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "handler_library.hpp"
#include "rewind/lambda/bootstrap.hpp"

int main(int argc, char** argv) {
  std::string path;
  if (const char* p = std::getenv("REWIND_HANDLER_LIBRARY")) path = p;
  int shift = 0;
  if (argc > 1 && std::string(argv[1]).find(".so") != std::string::npos) {
    path = argv[1];
    shift = 1;
  }
  if (path.empty()) {
    std::cerr << "rewind-lambda-host: [rewind.lambda_host.no_library] set REWIND_HANDLER_LIBRARY to a library of "
                 "REWIND_HANDLERs\n";
    return 2;
  }
  std::shared_ptr<rwd::tools::HandlerLibrary> library;
  try {
    library = rwd::tools::HandlerLibrary::open(path);
  } catch (const std::exception& e) {
    std::cerr << "rewind-lambda-host: [rewind.lambda_host.load] " << e.what() << "\n";
    return 2;
  }
  argv[shift] = argv[0];
  return rwd::lambda::bootstrapMain(argc - shift, argv + shift, library->registry());
}
