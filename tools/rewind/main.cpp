// rewind: manage durable executions from the command line — against rewind-server or AWS.
//
//   rewind --endpoint http://127.0.0.1:9000 start hello --name first --payload '{"userId":"u1"}' [--async]
//   rewind describe ARN | list FUNCTION [--status S]... | history ARN | stop ARN
//   rewind redrive ARN     (rewind-server's extension: a failed execution runs again)
//   rewind callback succeed|fail|heartbeat CALLBACK_ID [--payload JSON]
//
// The endpoint defaults to AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, then Lambda in
// AWS_REGION; requests are SigV4-signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// Output is the service's JSON; errors go to stderr with their [rewind.client.*] id.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "rewind/lambda/aws_environment.hpp"
#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/lambda/execution_client.hpp"

int main(int argc, char** argv) {
  CLI::App app{"rewind: start, inspect and answer durable executions (rewind-server or AWS Lambda)"};
  app.require_subcommand(1);
  auto env = rwd::lambda::AwsEnvironment::fromLookup(rwd::lambda::processEnvironment());
  std::string endpoint = env.lambdaEndpoint, region = env.region.empty() ? "us-east-1" : env.region;
  app.add_option("--endpoint", endpoint, "the Lambda API's base URL")->capture_default_str();
  app.add_option("--region", region, "the signing region")->capture_default_str();

  std::string function, name, payload = "{}", arn, callbackId, action;
  bool async = false, reverse = false;
  std::vector<std::string> statuses;
  std::optional<std::string> filterName;

  auto* start =
      app.add_subcommand("start", "Invoke FUNCTION as a durable execution (waits for its end unless --async)");
  start->add_option("function", function, "the function name")->required();
  start->add_option("--name", name, "the DurableExecutionName (default: one the service makes)");
  start->add_option("--payload", payload, "the input JSON")->capture_default_str();
  start->add_flag("--async", async, "InvocationType Event: return at once");
  auto* describe = app.add_subcommand("describe", "GetDurableExecution");
  describe->add_option("arn", arn)->required();
  auto* list = app.add_subcommand("list", "ListDurableExecutionsByFunction (every page)");
  list->add_option("function", function)->required();
  list->add_option("--status", statuses, "RUNNING, SUCCEEDED, FAILED, TIMED_OUT or STOPPED (repeatable)");
  list->add_option("--name", filterName, "only executions of this name");
  list->add_flag("--reverse", reverse, "newest first");
  auto* history = app.add_subcommand("history", "GetDurableExecutionHistory (every page)");
  history->add_option("arn", arn)->required();
  auto* stop = app.add_subcommand("stop", "StopDurableExecution");
  stop->add_option("arn", arn)->required();
  auto* redrive = app.add_subcommand(
      "redrive",
      "rewind-server's extension: run a FAILED, TIMED_OUT or STOPPED execution again from its point of failure");
  redrive->add_option("arn", arn)->required();
  auto* callback = app.add_subcommand("callback", "SendDurableExecutionCallbackSuccess/Failure/Heartbeat");
  callback->add_option("action", action, "succeed, fail or heartbeat")
      ->required()
      ->check(CLI::IsMember({"succeed", "fail", "heartbeat"}));
  callback->add_option("id", callbackId, "the callback id")->required();
  callback->add_option("--payload", payload, "succeed: the result; fail: an ErrorObject JSON");
  CLI11_PARSE(app, argc, argv);

  rwd::lambda::CurlHttpClient http;
  rwd::lambda::ExecutionClientConfig config;
  config.endpoint = endpoint;
  config.region = region;
  config.credentials = env.credentials;
  rwd::lambda::DurableExecutionClient client(http, config);
  try {
    nlohmann::json out;
    if (*start) {
      auto r = client.start(function, name.empty() ? std::nullopt : std::optional<std::string>(name), payload,
                            async ? rwd::lambda::InvocationType::Event : rwd::lambda::InvocationType::RequestResponse);
      out = {{"StatusCode", r.statusCode}, {"DurableExecutionArn", r.durableExecutionArn}};
      if (!async) out["Payload"] = r.payload;
      if (!r.functionError.empty()) out["FunctionError"] = r.functionError;
    } else if (*describe) {
      out = client.describe(arn);
    } else if (*list) {
      out = {{"DurableExecutions", client.list(function, {filterName, statuses, reverse, 0})}};
    } else if (*history) {
      out = {{"Events", client.history(arn)}};
    } else if (*stop) {
      out = client.stop(arn);
    } else if (*redrive) {
      out = client.redrive(arn);
    } else if (*callback) {
      if (action == "succeed") client.sendCallbackSuccess(callbackId, payload);
      if (action == "fail") client.sendCallbackFailure(callbackId, nlohmann::json::parse(payload));
      if (action == "heartbeat") client.sendCallbackHeartbeat(callbackId);
      out = nlohmann::json::object();
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "rewind: " << e.what() << "\n";
    return 1;
  }
}
