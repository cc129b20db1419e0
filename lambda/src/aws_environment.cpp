// Environment variables of the Lambda execution environment.
#include "rewind/lambda/aws_environment.hpp"

#include <cstdlib>

namespace rwd::lambda {

EnvironmentLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

AwsEnvironment AwsEnvironment::fromLookup(const EnvironmentLookup& lookup) {
  auto get = [&](const char* name) {
    auto v = lookup(name);
    return v && !v->empty() ? *v : std::string();
  };
  AwsEnvironment env;
  env.credentials.accessKeyId = get("AWS_ACCESS_KEY_ID");
  env.credentials.secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
  env.credentials.sessionToken = get("AWS_SESSION_TOKEN");
  env.region = get("AWS_REGION");
  if (env.region.empty()) env.region = get("AWS_DEFAULT_REGION");
  env.lambdaEndpoint = get("AWS_ENDPOINT_URL_LAMBDA");
  if (env.lambdaEndpoint.empty()) env.lambdaEndpoint = get("AWS_ENDPOINT_URL");
  if (env.lambdaEndpoint.empty() && !env.region.empty()) {
    // The China partition has its own DNS suffix.
    const char* suffix = env.region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
    env.lambdaEndpoint = "https://lambda." + env.region + suffix;
  }
  while (env.lambdaEndpoint.ends_with('/')) env.lambdaEndpoint.pop_back();
  env.runtimeApi = get("AWS_LAMBDA_RUNTIME_API");
  env.handler = get("_HANDLER");
  return env;
}

}  // namespace rwd::lambda
