// The `bootstrap` executable of a provided.al2023 function: the Runtime API loop running
// the REWIND_HANDLER that _HANDLER names, each invocation through the SDK core against
// the Lambda durable API. rewind_add_lambda() links it with the user's handlers; its
// main() is one line.
//
//   int main(int argc, char** argv) {
//     return rwd::lambda::bootstrapMain(argc, argv, *rewind_handler_registry_v1());
//   }
#pragma once

#include <string>

#include "rewind/handler.hpp"
#include "rewind/lambda/aws_environment.hpp"
#include "rewind/lambda/runtime_api.hpp"

namespace rwd::lambda {

// The durable handler `name` names, else the plain function (REWIND_FUNCTION, a
// chained-invoke target) of that name, which the bootstrap runs as a durable execution
// without operations; with an empty name, the only durable handler. On failure returns nullptr and fills `error`
// (Runtime.HandlerNotFound, listing the registered names, or Runtime.DuplicateHandler).
const HandlerDefinition* selectHandler(const HandlerRegistry& registry, const std::string& name, RuntimeError& error);

// `bootstrap --list-handlers` prints the durable handlers' names, one a line;
// `--list-functions` the plain functions' (REWIND_FUNCTION). Otherwise
// runs the Runtime API loop (AWS_LAMBDA_RUNTIME_API) for ever; returns non-zero when the
// environment is unusable or the Runtime API fails, after an init error where one can
// still be posted. REWIND_LAMBDA_MAX_INVOCATIONS=<n> stops after n invocations (tests).
int bootstrapMain(int argc, char** argv, const HandlerRegistry& registry);

}  // namespace rwd::lambda
