// The environment variables a Lambda function sees, read through an injected lookup.
#include "rewind/lambda/aws_environment.hpp"

#include <gtest/gtest.h>

#include <map>

namespace rwd::lambda {
namespace {

EnvironmentLookup fakeEnvironment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AwsEnvironmentTest, ReadsCredentialsRegionRuntimeApiAndHandler) {
  auto env = AwsEnvironment::fromLookup(fakeEnvironment({{"AWS_ACCESS_KEY_ID", "ASIA1"},
                                                         {"AWS_SECRET_ACCESS_KEY", "s3cr3t"},
                                                         {"AWS_SESSION_TOKEN", "tok"},
                                                         {"AWS_REGION", "eu-central-1"},
                                                         {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
                                                         {"_HANDLER", "hello"}}));
  EXPECT_EQ(env.credentials.accessKeyId, "ASIA1");
  EXPECT_EQ(env.credentials.secretAccessKey, "s3cr3t");
  EXPECT_EQ(env.credentials.sessionToken, "tok");
  EXPECT_EQ(env.region, "eu-central-1");
  EXPECT_EQ(env.lambdaEndpoint, "https://lambda.eu-central-1.amazonaws.com");
  EXPECT_EQ(env.runtimeApi, "127.0.0.1:9001");
  EXPECT_EQ(env.handler, "hello");
}

TEST(AwsEnvironmentTest, ServiceSpecificEndpointWinsOverTheGlobalOne) {
  auto env = AwsEnvironment::fromLookup(fakeEnvironment({{"AWS_REGION", "us-east-1"},
                                                         {"AWS_ENDPOINT_URL", "http://127.0.0.1:1/"},
                                                         {"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:2/"}}));
  EXPECT_EQ(env.lambdaEndpoint, "http://127.0.0.1:2");
  env = AwsEnvironment::fromLookup(
      fakeEnvironment({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}));
  EXPECT_EQ(env.lambdaEndpoint, "http://127.0.0.1:1");
}

TEST(AwsEnvironmentTest, DefaultRegionAndChinaPartition) {
  auto env = AwsEnvironment::fromLookup(fakeEnvironment({{"AWS_DEFAULT_REGION", "cn-north-1"}}));
  EXPECT_EQ(env.region, "cn-north-1");
  EXPECT_EQ(env.lambdaEndpoint, "https://lambda.cn-north-1.amazonaws.com.cn");
  auto none = AwsEnvironment::fromLookup(fakeEnvironment({}));
  EXPECT_EQ(none.lambdaEndpoint, "");
  EXPECT_EQ(none.credentials.sessionToken, "");
}

}  // namespace
}  // namespace rwd::lambda
