// RemoteDurableTestRunner: the LocalDurableTestRunner's interface against a deployed
// function — rewind-server, or AWS Lambda with credentials from the environment — as the
// AWS SDKs' CloudDurableTestRunner: it starts the execution with Invoke, follows it
// through GetDurableExecution and GetDurableExecutionHistory, and answers callbacks with
// SendDurableExecutionCallback*. So one test body runs locally and against a deployment:
//
//   template <class Runner> void approvalFlow(Runner& runner) {
//     runner.start(Order{"o-1"});
//     runner.getOperation("approval").waitForData().sendCallbackSuccess(R"("ok")");
//     EXPECT_EQ(runner.waitForResult().getStatus(), rwd::ExecutionStatus::Succeeded);
//   }
//   rwd::RemoteDurableTestRunner remote({.functionName = "orders", .endpoint = server.endpoint()});
//   approvalFlow(remote);
//
// Operations, invocations and the outcome are read back from the history
// (history_reader.hpp). Time is the endpoint's: a responder's delay is waited for in real
// time, divided by RemoteRunnerOptions::timeScale (rewind-server --time-scale).
//
// Thread-safety: one thread at a time (the test thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewind/lambda/aws_environment.hpp"
#include "rewind/lambda/execution_client.hpp"
#include "rewind/lambda/http.hpp"
#include "rewind/local_runner.hpp"
#include "rewind/remote_execution_result.hpp"

namespace rwd {

struct RemoteRunnerOptions {
  std::string functionName;  // FunctionName: a name, a partial ARN or an ARN
  // The Lambda API's base URL; empty: AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, else
  // https://lambda.<region>.amazonaws.com (as the AWS SDKs).
  std::string endpoint;
  std::string region;  // empty: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1
  // Unset: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (rewind-server
  // checks none, any value works there).
  std::optional<lambda::AwsCredentials> credentials;
  // DurableExecutionName of the next run; unset: a fresh one per run (executionNames).
  std::optional<std::string> executionName;
  // How many times as fast as real time the endpoint's clock runs (rewind-server
  // --time-scale); responders' delays are divided by it. AWS: 1.
  double timeScale = 1.0;
  // Polls start after 1 ms and double up to pollInterval (the CloudDurableTestRunner's
  // poll interval); a wait gives up after `timeout` ([rewind.remote.timeout]).
  std::chrono::milliseconds pollInterval{1000};
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  // Unset: an own libcurl client.
  std::shared_ptr<lambda::HttpClient> http;
  lambda::EnvironmentLookup environment;  // unset: the process environment
  // Injected time and names; unset: the steady clock, this_thread::sleep_for, and
  // "rewind-test-" + 16 random hex digits (std::random_device).
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::string()> executionNames;
};

class RemoteDurableTestRunner;

// A handle on one operation of the remote execution, found by name, index or id and
// resolved each time it is queried (from a fresh history while the execution runs).
class RemoteOperationHandle {
 public:
  using WaitingStatus = OperationHandle::WaitingStatus;

  std::optional<Operation> get() const;
  bool exists() const { return get().has_value(); }
  Operation require() const;  // throws [rewind.remote.no_operation] when absent
  std::string getId() const { return require().id; }
  std::optional<std::string> getName() const { return require().name; }
  OperationStatus getStatus() const { return require().status; }
  OperationType getType() const { return require().type; }
  OperationSubType getSubType() const { return require().subType; }
  StepDetails getStepDetails() const;
  WaitDetails getWaitDetails() const;
  // A waitForCallback's: its CALLBACK child's.
  CallbackDetails getCallbackDetails() const;
  ContextDetails getContextDetails() const;
  ChainedInvokeDetails getChainedInvokeDetails() const;
  std::vector<Operation> getChildOperations() const;

  // Polls until the operation exists and reached `status` (as OperationHandle). Throws
  // [rewind.remote.wait_ended] when the execution ended first, [rewind.remote.timeout]
  // after RemoteRunnerOptions::timeout.
  RemoteOperationHandle& waitForData(WaitingStatus status = WaitingStatus::Started);

  // SendDurableExecutionCallbackSuccess/Failure/Heartbeat to this callback (a
  // waitForCallback's goes to its CALLBACK child). The service's refusal is thrown as
  // lambda::ExecutionClientError ([rewind.client.<ErrorType>]).
  void sendCallbackSuccess(Payload payload = std::nullopt);
  void sendCallbackFailure(ErrorObject error);
  void sendCallbackHeartbeat();

 private:
  friend class RemoteDurableTestRunner;
  enum class By { Name, Index, NameAndIndex, Id };
  RemoteOperationHandle(RemoteDurableTestRunner* runner, By by, std::string key, std::size_t index)
      : runner_(runner), by_(by), key_(std::move(key)), index_(index) {}
  std::string describe() const;
  std::optional<Operation> lookup(const std::vector<Operation>& ops) const;
  std::string callbackIdOf(const Operation& op) const;
  RemoteDurableTestRunner* runner_;
  By by_;
  std::string key_;
  std::size_t index_;
};

class RemoteDurableTestRunner {
 public:
  // Throws std::invalid_argument ([rewind.remote.bad_options]) without a function name.
  explicit RemoteDurableTestRunner(RemoteRunnerOptions options);
  ~RemoteDurableTestRunner();
  RemoteDurableTestRunner(const RemoteDurableTestRunner&) = delete;
  RemoteDurableTestRunner& operator=(const RemoteDurableTestRunner&) = delete;

  // Starts the execution and waits for its end. Without responders it is one
  // synchronous Invoke; with responders, an asynchronous one, answering callbacks while
  // it polls. An execution still running after `timeout` is a [rewind.remote.timeout].
  template <class E>
  const RemoteExecutionResult& run(const E& event) {
    return runPayload(internal::jsonSerialize<E>(event));
  }
  const RemoteExecutionResult& run() { return runPayload(std::nullopt); }
  const RemoteExecutionResult& runPayload(Payload input);

  // Starts the execution (Invoke, InvocationType Event) and returns at once.
  template <class E>
  void start(const E& event) {
    startPayload(internal::jsonSerialize<E>(event));
  }
  void start() { startPayload(std::nullopt); }
  void startPayload(Payload input);
  // Polls until the execution started with start() ends, answering callbacks meanwhile.
  const RemoteExecutionResult& waitForResult();
  // Polls, answering callbacks, until `reached` holds for the execution as read or the
  // execution ends; returns it as last read. [rewind.remote.timeout] after `timeout`.
  const RemoteExecutionResult& waitUntil(const std::function<bool(const RemoteExecutionResult&)>& reached);

  // Declarative callback answers (CallbackResponse), consumed in registration order by
  // callbacks whose name matches ("*" matches any), sent when the runner sees the
  // callback start, after the response's delay (scaled by timeScale; delays of the
  // callbacks one invocation creates add up, as in the local runner).
  void onCallback(std::string name, CallbackResponse response);
  void onCallback(CallbackNameMatcher matcher, CallbackResponse response);

  RemoteOperationHandle getOperation(std::string_view name);
  RemoteOperationHandle getOperationByIndex(std::size_t index);
  RemoteOperationHandle getOperationByNameAndIndex(std::string_view name, std::size_t index);
  RemoteOperationHandle getOperationById(std::string_view id);

  // The execution as last read from the service (refresh() reads it again).
  const RemoteExecutionResult& result() const;
  const RemoteExecutionResult& refresh();
  ExecutionStatus getStatus() const { return result().getStatus(); }
  Json getResult() const { return result().getResult(); }
  const std::optional<ErrorObject>& getError() const { return result().getError(); }
  const std::vector<Operation>& getOperations() const { return result().getOperations(); }
  const std::vector<InvocationRecord>& getInvocations() const { return result().getInvocations(); }
  const std::vector<HistoryEvent>& getHistoryEvents() const { return result().getHistoryEvents(); }
  void print(std::ostream& out) const { result().print(out); }
  const std::string& getExecutionArn() const noexcept;

  // StopDurableExecution of the running execution.
  void stop();
  // Forgets the execution and the responders' consumption; keeps the responders.
  void reset();

  const RemoteRunnerOptions& options() const noexcept;
  lambda::DurableExecutionClient& client();

 private:
  friend class RemoteOperationHandle;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rwd
