// rewind-test-bootstrap: a minimal Lambda custom-runtime bootstrap for the transport
// tests (the real one, with libcurl, SigV4 and retries, is lambda/'s). It loads the
// handler library REWIND_HANDLER_LIBRARY, picks _HANDLER, loops on the Runtime API at
// AWS_LAMBDA_RUNTIME_API and reaches the durable API at AWS_ENDPOINT_URL_LAMBDA; each
// checkpoint call carries a ClientToken and is retried with it on a 5xx. The clock is
// the test server's Rewind-Virtual-Time-Ms header (else the system clock); REWIND_SEED
// seeds retry jitter as the runner's seed does.
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "handler_library.hpp"
#include "rewind/durable_api_json.hpp"
#include "rewind/durable_invocation.hpp"
#include "rewind/error.hpp"

namespace {

std::string env(const char* name, const char* fallback = nullptr) {
  const char* v = std::getenv(name);
  if (v && *v) return v;
  if (fallback) return fallback;
  throw std::runtime_error(fmt::format("[rewind.bootstrap.env] {} is not set", name));
}

std::string hostOf(std::string url) {
  if (auto p = url.find("://"); p != std::string::npos) url = url.substr(p + 3);
  return url;
}

class HttpDurableService final : public rwd::DurableService {
 public:
  HttpDurableService(const std::string& endpoint, std::string requestId)
      : client_("http://" + hostOf(endpoint)), requestId_(std::move(requestId)) {
    client_.set_read_timeout(60, 0);
  }

  rwd::CheckpointDurableExecutionResponse checkpointDurableExecution(
      const rwd::CheckpointDurableExecutionRequest& request) override {
    rwd::CheckpointDurableExecutionRequest r = request;
    r.clientToken = fmt::format("{}-{}", requestId_, ++calls_);
    std::string body = rwd::toJson(r).dump();
    for (int attempt = 1;; ++attempt) {
      auto res = client_.Post(rwd::checkpointPath(r.durableExecutionArn), body, "application/json");
      if (res && res->status == 200) return rwd::checkpointResponseFromJson(rwd::Json::parse(res->body));
      if (res && res->status >= 400 && res->status < 500) throw rejected(*res);
      if (attempt == 4)
        throw std::runtime_error(
            fmt::format("checkpoint failed after {} attempts (HTTP {})", attempt, res ? res->status : 0));
    }
  }

  rwd::GetDurableExecutionStateResponse getDurableExecutionState(
      const rwd::GetDurableExecutionStateRequest& request) override {
    auto res = client_.Get(rwd::statePath(request));
    if (!res) throw std::runtime_error("GetDurableExecutionState: no answer");
    if (res->status != 200) throw rejected(*res);
    return rwd::stateResponseFromJson(rwd::Json::parse(res->body));
  }

 private:
  static rwd::InvalidCheckpointError rejected(const httplib::Response& res) {
    std::string message = res.body;
    try {
      message = rwd::Json::parse(res.body).value("message", res.body);
    } catch (const std::exception&) {
    }
    return rwd::InvalidCheckpointError("rewind.checkpoint.rejected",
                                       fmt::format("{}: {}", res.get_header_value("X-Amzn-ErrorType"), message));
  }
  httplib::Client client_;
  std::string requestId_;
  int calls_ = 0;
};

}  // namespace

int main() {
  std::string runtimeApi;
  rwd::RawHandler handler;
  rwd::HandlerConfig config;
  try {
    runtimeApi = env("AWS_LAMBDA_RUNTIME_API");
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
  httplib::Client client("http://" + runtimeApi);
  client.set_read_timeout(24 * 3600, 0);
  httplib::Client* runtime = &client;
  std::shared_ptr<rwd::tools::HandlerLibrary> library;
  try {
    library = rwd::tools::HandlerLibrary::open(env("REWIND_HANDLER_LIBRARY"));
    const rwd::HandlerDefinition& def = library->durableHandler(env("_HANDLER"));
    handler = def.handler;
    config = def.config;
  } catch (const std::exception& e) {
    rwd::Json err{{"errorType", "Runtime.InitError"}, {"errorMessage", e.what()}};
    runtime->Post("/2018-06-01/runtime/init/error", err.dump(), "application/json");
    return 1;
  }
  const std::string endpoint = env("AWS_ENDPOINT_URL_LAMBDA", ("http://" + runtimeApi).c_str());
  const std::uint64_t seed = std::stoull(env("REWIND_SEED", "1"));
  for (;;) {
    auto next = runtime->Get("/2018-06-01/runtime/invocation/next");
    if (!next || next->status != 200) return 0;  // the server went away
    std::string requestId = next->get_header_value("Lambda-Runtime-Aws-Request-Id");
    std::string base = "/2018-06-01/runtime/invocation/" + requestId;
    try {
      rwd::DurableExecutionInvocationInput input = rwd::invocationInputFromJson(rwd::Json::parse(next->body));
      rwd::InvocationOptions o;
      std::string virt = next->get_header_value("Rewind-Virtual-Time-Ms");
      if (!virt.empty()) {
        rwd::TimePoint t{std::chrono::milliseconds(std::stoll(virt))};
        o.clock = [t] { return t; };
      } else {
        o.clock = [] {
          return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
        };
      }
      o.seed = seed;
      o.handlerConfig = config;
      o.requestId = requestId;
      HttpDurableService service(endpoint, requestId);
      rwd::InvocationResult r = rwd::runDurableInvocation(handler, std::move(input), service, o);
      if (r.end == rwd::InvocationResult::End::Crashed) return 1;
      if (r.end == rwd::InvocationResult::End::InvocationFailed) {
        const rwd::ErrorObject& e = *r.output.error;
        rwd::Json err{{"errorType", e.errorType}, {"errorMessage", e.errorMessage}};
        if (e.errorData) err["errorData"] = *e.errorData;
        runtime->Post(base + "/error", err.dump(), "application/json");
        continue;
      }
      runtime->Post(base + "/response", rwd::toJson(r.output).dump(), "application/json");
    } catch (const std::exception& e) {
      rwd::Json err{{"errorType", "Runtime.HandlerError"}, {"errorMessage", e.what()}};
      runtime->Post(base + "/error", err.dump(), "application/json");
    }
  }
}
