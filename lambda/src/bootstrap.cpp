// The bootstrap: environment, handler choice, and one durable invocation per Runtime API
// event. This is the application edge, so it is where the real clock, sleeps and a seeded
// random source are made and injected into the library code.
#include "rewind/lambda/bootstrap.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

#include "rewind/durable_api_json.hpp"
#include "rewind/durable_invocation.hpp"
#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/durable_api_client.hpp"
#include "rewind/lambda/lambda_durable_service.hpp"
#include "rewind/lambda/runtime_loop.hpp"

namespace rwd::lambda {
namespace {

constexpr int kCrashExitCode = 1;

std::string durableNames(const HandlerRegistry& registry) {
  std::string names;
  for (const auto& def : registry.all()) {
    if (def.kind != HandlerKind::Durable) continue;
    if (!names.empty()) names += ", ";
    names += def.name;
  }
  return names.empty() ? std::string("none") : names;
}

InvocationReply runOne(const HandlerDefinition& handler, const RuntimeInvocation& inv, DurableApiClient& api,
                       std::mt19937_64& random, std::optional<std::uint64_t> seed) {
  if (!inv.traceId.empty()) ::setenv("_X_AMZN_TRACE_ID", inv.traceId.c_str(), 1);
  DurableExecutionInvocationInput input;
  try {
    input = invocationInputFromJson(Json::parse(inv.payload));
  } catch (const std::exception& e) {
    return InvocationReply::failure(
        {"Rewind.InvalidInvocationInput",
         std::string("[rewind.lambda.bad_invocation_input] the event is not a DurableExecutionInvocationInput (is "
                     "the function configured with DurableConfig?): ") +
             e.what()});
  }
  LambdaDurableService service(api);
  InvocationOptions options;
  // Rewind's Lambda test server sends the local runner's virtual time, so that a history
  // made through this bootstrap equals the in-process one; AWS never sends the header.
  std::optional<std::int64_t> virtualMs;
  if (auto header = findHeader(inv.headers, "Rewind-Virtual-Time-Ms")) {
    try {
      virtualMs = std::stoll(*header);
    } catch (const std::exception&) {
    }
  }
  if (virtualMs) {
    TimePoint fixed{std::chrono::milliseconds(*virtualMs)};
    options.clock = [fixed] { return fixed; };
  } else {
    options.clock = [] {
      return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    };
  }
  options.seed = seed ? *seed : random();
  options.handlerConfig = handler.config;
  options.requestId = inv.requestId;
  options.logStream = &std::cout;  // Lambda ships stdout to CloudWatch Logs
  InvocationResult result = runDurableInvocation(handler.handler, std::move(input), service, options);
  std::cout.flush();
  if (result.end == InvocationResult::End::Crashed) {
    // rwd::testing::simulateProcessCrash(): the process dies here, as a real crash would;
    // Lambda then reports Runtime.ExitError and starts a fresh environment.
    std::cerr.flush();
    std::_Exit(kCrashExitCode);
  }
  if (result.end == InvocationResult::End::InvocationFailed) {
    RuntimeError error{"Rewind.InvocationFailed", "the invocation failed"};
    if (result.output.error) {
      if (!result.output.error->errorType.empty()) error.errorType = result.output.error->errorType;
      if (!result.output.error->errorMessage.empty()) error.errorMessage = result.output.error->errorMessage;
      if (result.output.error->stackTrace) error.stackTrace = *result.output.error->stackTrace;
    }
    return InvocationReply::failure(std::move(error));
  }
  return InvocationReply::response(toJson(result.output).dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

const HandlerDefinition* selectHandler(const HandlerRegistry& registry, const std::string& name, RuntimeError& error) {
  if (!registry.duplicates().empty()) {
    error = {"Runtime.DuplicateHandler", "[rewind.lambda.duplicate_handler] REWIND_HANDLER name registered twice: '" +
                                             registry.duplicates().front() + "'"};
    return nullptr;
  }
  const HandlerDefinition* only = nullptr;
  int durable = 0;
  for (const auto& def : registry.all()) {
    if (def.kind != HandlerKind::Durable) continue;
    ++durable;
    only = &def;
    if (!name.empty() && def.name == name) return &def;
  }
  if (name.empty() && durable == 1) return only;
  for (const auto& def : registry.all())  // a plain function (an invoke target), run durably
    if (!name.empty() && def.kind == HandlerKind::Function && def.name == name) return &def;
  error = {"Runtime.HandlerNotFound",
           "[rewind.lambda.no_such_handler] " +
               (name.empty() ? std::string("_HANDLER is empty and this bootstrap has several durable handlers")
                             : "no durable REWIND_HANDLER named '" + name + "' in this bootstrap") +
               " (it has: " + durableNames(registry) + "); set the function's Handler to one of them"};
  return nullptr;
}

int bootstrapMain(int argc, char** argv, const HandlerRegistry& registry) {
  if (argc > 1 && (std::string_view(argv[1]) == "--list-handlers" || std::string_view(argv[1]) == "--list-functions")) {
    HandlerKind kind = std::string_view(argv[1]) == "--list-handlers" ? HandlerKind::Durable : HandlerKind::Function;
    for (const auto& def : registry.all())
      if (def.kind == kind) std::cout << def.name << "\n";
    return 0;
  }
  if (argc > 1) {
    std::cerr << "usage: bootstrap [--list-handlers | --list-functions]  (run by AWS Lambda with "
                 "AWS_LAMBDA_RUNTIME_API set)\n";
    return 2;
  }
  AwsEnvironment env = AwsEnvironment::fromLookup(processEnvironment());
  if (env.runtimeApi.empty()) {
    std::cerr << "[rewind.lambda.no_runtime_api] AWS_LAMBDA_RUNTIME_API is not set: bootstrap runs inside AWS "
                 "Lambda or a Runtime API emulator\n";
    return 2;
  }
  CurlHttpClient runtimeHttp;
  RuntimeApiClient runtime(runtimeHttp, env.runtimeApi);
  auto initError = [&](const RuntimeError& error) {
    std::cerr << error.errorMessage << "\n";
    try {
      runtime.postInitError(error);
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
    }
    return 1;
  };
  RuntimeError selectError;
  const HandlerDefinition* handler = selectHandler(registry, env.handler, selectError);
  if (!handler) return initError(selectError);
  // A plain function runs as a durable execution without operations: its result is the
  // execution's (rewind-server runs every function durably, chained-invoke targets too).
  HandlerDefinition hosted;
  if (handler->kind == HandlerKind::Function) {
    hosted = *handler;
    hosted.kind = HandlerKind::Durable;
    hosted.handler = [fn = handler->function](const Payload& input, DurableContext&) { return fn(input); };
    handler = &hosted;
  }
  if (env.lambdaEndpoint.empty()) {
    return initError({"Runtime.ConfigurationError",
                      "[rewind.lambda.no_endpoint] neither AWS_REGION nor AWS_ENDPOINT_URL_LAMBDA/AWS_ENDPOINT_URL "
                      "is set: the durable API's endpoint is unknown"});
  }
  std::optional<long> maxInvocations;
  if (const char* max = std::getenv("REWIND_LAMBDA_MAX_INVOCATIONS")) maxInvocations = std::atol(max);

  // REWIND_SEED fixes the retry jitter's seed (as the local runner's seed does).
  std::optional<std::uint64_t> seed;
  if (const char* s = std::getenv("REWIND_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::mt19937_64 random{std::random_device{}()};
  CurlHttpClient apiHttp(findCaBundle(processEnvironment(), [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }));
  DurableApiClient api(apiHttp, {env.lambdaEndpoint, env.region, env.credentials},
                       {[] { return std::chrono::system_clock::now(); },
                        [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }, [&] { return random(); }});
  return runRuntimeLoop(
      runtime, [&](const RuntimeInvocation& inv) { return runOne(*handler, inv, api, random, seed); }, maxInvocations);
}

}  // namespace rwd::lambda
