// RemoteDurableTestRunner: Invoke to start, GetDurableExecutionHistory to follow, and
// SendDurableExecutionCallback* to answer. Waits poll with a doubling pause (1 ms up to
// pollInterval), never longer than the next responder answer that falls due.
#include "rewind/remote_runner.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "rewind/lambda/curl_http_client.hpp"
#include "rewind/operation_json.hpp"

namespace rwd {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

[[noreturn]] void remoteError(std::string_view code, const std::string& message) {
  throw std::runtime_error(fmt::format("[rewind.remote.{}] {}", code, message));
}

std::string randomExecutionName() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> hex(0, 15);
  std::string name = "rewind-test-";
  for (int i = 0; i < 16; ++i) name.push_back("0123456789abcdef"[hex(rd)]);
  return name;
}

struct Responder {
  CallbackNameMatcher matcher;
  CallbackResponse response;
  bool used = false;
};

struct PendingAnswer {
  std::string callbackId;
  CallbackResponse response;
  SteadyTime due;
};

}  // namespace

struct RemoteDurableTestRunner::Impl {
  RemoteRunnerOptions options;
  std::shared_ptr<lambda::HttpClient> http;
  std::unique_ptr<lambda::DurableExecutionClient> client;
  std::vector<Responder> responders;

  bool started = false;
  std::string arn;
  RemoteExecutionResult last;
  std::set<std::string> seenCallbacks;  // operation ids the responders already considered
  std::vector<PendingAnswer> pending;
  std::map<std::size_t, SteadyTime> lastDueByInvocation;

  void requireStarted(std::string_view what) const {
    if (!started) remoteError("not_started", fmt::format("{} before run()/start()", what));
  }
  bool ended() const { return started && last.getStatus() != ExecutionStatus::Running; }

  void refresh() {
    if (arn.empty()) return;
    last = RemoteExecutionResult::fromHistory(arn, client->history(arn));
  }

  // The names a callback answers to: its own and, under a waitForCallback, the operation's.
  std::vector<std::string> callbackNames(const Operation& cb) const {
    std::vector<std::string> names;
    if (cb.name) names.push_back(*cb.name);
    if (cb.parentId)
      for (const Operation& op : last.getOperations())
        if (op.id == *cb.parentId && op.subType == OperationSubType::WaitForCallback && op.name)
          names.push_back(*op.name);
    return names;
  }

  // Gives each callback that started since the last look its responder, in
  // CallbackStarted order, and sends the answers that fell due.
  void answerCallbacks() {
    if (responders.empty() && pending.empty()) return;
    std::size_t invocationsBefore = 0;
    for (const HistoryEvent& ev : last.getHistoryEvents()) {
      if (ev.type == HistoryEventType::InvocationCompleted) ++invocationsBefore;
      if (ev.type != HistoryEventType::CallbackStarted || !ev.id || seenCallbacks.count(*ev.id)) continue;
      seenCallbacks.insert(*ev.id);
      auto op = std::find_if(last.getOperations().begin(), last.getOperations().end(),
                             [&](const Operation& o) { return o.id == *ev.id; });
      if (op == last.getOperations().end() || op->status != OperationStatus::Started) continue;
      // As the local runner: responders in registration order; a heartbeat keeps the
      // callback open for the next one; delays add up per creating invocation.
      std::vector<std::string> names = callbackNames(*op);
      for (Responder& r : responders) {
        if (r.used || !r.matcher(names)) continue;
        r.used = true;
        if (r.response.kind == CallbackResponse::Kind::Never) break;
        SteadyTime& chain = lastDueByInvocation[invocationsBefore];
        chain = std::max(options.now(), chain) + scaled(r.response.delay);
        pending.push_back({ev.callbackId.value_or(""), r.response, chain});
        if (r.response.kind != CallbackResponse::Kind::Heartbeat) break;
      }
    }
    SteadyTime now = options.now();
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->due > now) {
        ++it;
        continue;
      }
      send(it->callbackId, it->response);
      it = pending.erase(it);
    }
  }

  // A delay on the endpoint's clock, in real time.
  std::chrono::milliseconds scaled(Duration d) const {
    double ms = std::chrono::duration<double, std::milli>(d).count() / options.timeScale;
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }

  void send(const std::string& callbackId, const CallbackResponse& response) {
    try {
      switch (response.kind) {
        case CallbackResponse::Kind::Success:
          client->sendCallbackSuccess(callbackId, response.payload.value_or(""));
          break;
        case CallbackResponse::Kind::Failure:
          client->sendCallbackFailure(callbackId, toJson(response.error));
          break;
        case CallbackResponse::Kind::Heartbeat:
          client->sendCallbackHeartbeat(callbackId);
          break;
        case CallbackResponse::Kind::Never:
          break;
      }
    } catch (const lambda::ExecutionClientError& e) {
      // The callback ended meanwhile (timed out, the execution stopped): as the local
      // runner, an answer to a closed callback is dropped; anything else is an error.
      if (e.status() != 400 && e.status() != 404 && e.status() != 409) throw;
    }
  }

  // Polls until `reached` holds (true) or the execution ended without it (false).
  template <class Pred>
  bool pollUntil(Pred reached, std::string_view what) {
    const SteadyTime deadline = options.now() + options.timeout;
    std::chrono::milliseconds pause{1};
    while (true) {
      refresh();
      answerCallbacks();
      if (reached()) return true;
      if (ended()) return false;
      SteadyTime now = options.now();
      if (now >= deadline)
        remoteError("timeout", fmt::format("{}: still not there after {} ms (execution {} is {})", what,
                                           options.timeout.count(), arn, toString(last.getStatus())));
      std::chrono::milliseconds wait = std::min(pause, options.pollInterval);
      for (const PendingAnswer& p : pending)
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(p.due - now));
      if (wait.count() > 0) options.sleep(wait);
      pause = std::min(pause * 2, options.pollInterval);
    }
  }
};

RemoteDurableTestRunner::RemoteDurableTestRunner(RemoteRunnerOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.functionName.empty())
    throw std::invalid_argument("[rewind.remote.bad_options] RemoteRunnerOptions::functionName is required");
  if (!(options.timeScale > 0))
    throw std::invalid_argument("[rewind.remote.bad_options] RemoteRunnerOptions::timeScale must be positive");
  if (!options.environment) options.environment = lambda::processEnvironment();
  if (!options.now) options.now = [] { return std::chrono::steady_clock::now(); };
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.executionNames) options.executionNames = randomExecutionName;
  if (options.pollInterval.count() < 1) options.pollInterval = std::chrono::milliseconds(1);
  lambda::AwsEnvironment env = lambda::AwsEnvironment::fromLookup(options.environment);
  if (options.region.empty()) options.region = env.region.empty() ? "us-east-1" : env.region;
  if (options.endpoint.empty())
    options.endpoint =
        env.lambdaEndpoint.empty() ? "https://lambda." + options.region + ".amazonaws.com" : env.lambdaEndpoint;
  while (!options.endpoint.empty() && options.endpoint.back() == '/') options.endpoint.pop_back();
  if (!options.http)
    options.http = std::make_shared<lambda::CurlHttpClient>(
        lambda::findCaBundle(options.environment, [](const std::string& p) { return std::ifstream(p).good(); }));
  impl_->http = options.http;
  lambda::ExecutionClientConfig config;
  config.endpoint = options.endpoint;
  config.region = options.region;
  config.credentials = options.credentials.value_or(env.credentials);
  impl_->client = std::make_unique<lambda::DurableExecutionClient>(*impl_->http, config);
  impl_->options = std::move(options);
}

RemoteDurableTestRunner::~RemoteDurableTestRunner() = default;

const RemoteExecutionResult& RemoteDurableTestRunner::runPayload(Payload input) {
  if (!impl_->responders.empty()) {
    startPayload(std::move(input));
    return waitForResult();
  }
  Impl& m = *impl_;
  if (m.started) remoteError("already_started", "run() after run()/start(): reset() first");
  std::string name = m.options.executionName.value_or(m.options.executionNames());
  lambda::StartedExecution s =
      m.client->start(m.options.functionName, name, input.value_or(""), lambda::InvocationType::RequestResponse);
  if (s.durableExecutionArn.empty())
    remoteError("no_arn", fmt::format("Invoke of {} answered no X-Amz-Durable-Execution-Arn: is it a durable function?",
                                      m.options.functionName));
  m.started = true;
  m.arn = s.durableExecutionArn;
  m.refresh();
  if (!m.ended()) return waitForResult();  // the answer came before the history's last event
  return m.last;
}

void RemoteDurableTestRunner::startPayload(Payload input) {
  Impl& m = *impl_;
  if (m.started) remoteError("already_started", "start() after run()/start(): reset() first");
  std::string name = m.options.executionName.value_or(m.options.executionNames());
  lambda::StartedExecution s =
      m.client->start(m.options.functionName, name, input.value_or(""), lambda::InvocationType::Event);
  if (s.durableExecutionArn.empty())
    remoteError("no_arn", fmt::format("Invoke of {} answered no X-Amz-Durable-Execution-Arn: is it a durable function?",
                                      m.options.functionName));
  m.started = true;
  m.arn = s.durableExecutionArn;
}

const RemoteExecutionResult& RemoteDurableTestRunner::waitForResult() {
  Impl& m = *impl_;
  m.requireStarted("waitForResult()");
  m.pollUntil([&] { return m.ended(); }, "waitForResult");
  return m.last;
}

const RemoteExecutionResult& RemoteDurableTestRunner::waitUntil(
    const std::function<bool(const RemoteExecutionResult&)>& reached) {
  Impl& m = *impl_;
  m.requireStarted("waitUntil()");
  m.pollUntil([&] { return reached(m.last); }, "waitUntil");
  return m.last;
}

void RemoteDurableTestRunner::onCallback(std::string name, CallbackResponse response) {
  CallbackNameMatcher matcher = [name = std::move(name)](const std::vector<std::string>& names) {
    return name == "*" || std::find(names.begin(), names.end(), name) != names.end();
  };
  impl_->responders.push_back({std::move(matcher), std::move(response)});
}

void RemoteDurableTestRunner::onCallback(CallbackNameMatcher matcher, CallbackResponse response) {
  impl_->responders.push_back({std::move(matcher), std::move(response)});
}

RemoteOperationHandle RemoteDurableTestRunner::getOperation(std::string_view name) {
  return {this, RemoteOperationHandle::By::Name, std::string(name), 0};
}
RemoteOperationHandle RemoteDurableTestRunner::getOperationByIndex(std::size_t index) {
  return {this, RemoteOperationHandle::By::Index, {}, index};
}
RemoteOperationHandle RemoteDurableTestRunner::getOperationByNameAndIndex(std::string_view name, std::size_t index) {
  return {this, RemoteOperationHandle::By::NameAndIndex, std::string(name), index};
}
RemoteOperationHandle RemoteDurableTestRunner::getOperationById(std::string_view id) {
  return {this, RemoteOperationHandle::By::Id, std::string(id), 0};
}

const RemoteExecutionResult& RemoteDurableTestRunner::result() const { return impl_->last; }

const RemoteExecutionResult& RemoteDurableTestRunner::refresh() {
  impl_->requireStarted("refresh()");
  impl_->refresh();
  return impl_->last;
}

const std::string& RemoteDurableTestRunner::getExecutionArn() const noexcept { return impl_->arn; }

void RemoteDurableTestRunner::stop() {
  Impl& m = *impl_;
  m.requireStarted("stop()");
  m.client->stop(m.arn);
  m.refresh();
}

void RemoteDurableTestRunner::reset() {
  Impl& m = *impl_;
  m.started = false;
  m.arn.clear();
  m.last = RemoteExecutionResult();
  m.seenCallbacks.clear();
  m.pending.clear();
  m.lastDueByInvocation.clear();
  for (Responder& r : m.responders) r.used = false;
}

const RemoteRunnerOptions& RemoteDurableTestRunner::options() const noexcept { return impl_->options; }

lambda::DurableExecutionClient& RemoteDurableTestRunner::client() { return *impl_->client; }

// ---- RemoteOperationHandle ------------------------------------------------------------

std::string RemoteOperationHandle::describe() const {
  switch (by_) {
    case By::Name:
      return fmt::format("operation '{}'", key_);
    case By::Index:
      return fmt::format("operation #{}", index_);
    case By::NameAndIndex:
      return fmt::format("operation '{}' #{}", key_, index_);
    case By::Id:
      return fmt::format("operation with id {}", key_);
  }
  return "operation";
}

std::optional<Operation> RemoteOperationHandle::lookup(const std::vector<Operation>& ops) const {
  std::size_t seen = 0;
  for (const Operation& op : ops) {
    switch (by_) {
      case By::Name:
      case By::NameAndIndex:
        if (op.name == key_ && seen++ == index_) return op;
        break;
      case By::Index:
        if (seen++ == index_) return op;
        break;
      case By::Id:
        if (op.id == key_ || (!op.stepId.empty() && op.stepId == key_)) return op;
        break;
    }
  }
  return std::nullopt;
}

std::optional<Operation> RemoteOperationHandle::get() const {
  RemoteDurableTestRunner::Impl& m = *runner_->impl_;
  if (!m.started) return std::nullopt;
  if (!m.ended()) m.refresh();
  return lookup(m.last.getOperations());
}

Operation RemoteOperationHandle::require() const {
  auto op = get();
  if (!op) remoteError("no_operation", fmt::format("{} does not exist (yet)", describe()));
  return *op;
}

StepDetails RemoteOperationHandle::getStepDetails() const {
  Operation op = require();
  if (!op.stepDetails) remoteError("wrong_type", fmt::format("{} is a {}, not a STEP", describe(), toString(op.type)));
  return *op.stepDetails;
}
WaitDetails RemoteOperationHandle::getWaitDetails() const {
  Operation op = require();
  if (!op.waitDetails) remoteError("wrong_type", fmt::format("{} is a {}, not a WAIT", describe(), toString(op.type)));
  return *op.waitDetails;
}
ContextDetails RemoteOperationHandle::getContextDetails() const {
  Operation op = require();
  if (!op.contextDetails)
    remoteError("wrong_type", fmt::format("{} is a {}, not a CONTEXT", describe(), toString(op.type)));
  return *op.contextDetails;
}
ChainedInvokeDetails RemoteOperationHandle::getChainedInvokeDetails() const {
  Operation op = require();
  if (!op.chainedInvokeDetails)
    remoteError("wrong_type", fmt::format("{} is a {}, not a CHAINED_INVOKE", describe(), toString(op.type)));
  return *op.chainedInvokeDetails;
}

std::vector<Operation> RemoteOperationHandle::getChildOperations() const {
  Operation op = require();
  std::vector<Operation> out;
  for (const Operation& o : runner_->impl_->last.getOperations())
    if (o.parentId == op.id) out.push_back(o);
  return out;
}

CallbackDetails RemoteOperationHandle::getCallbackDetails() const {
  Operation op = require();
  if (op.subType == OperationSubType::WaitForCallback)
    for (const Operation& o : runner_->impl_->last.getOperations())
      if (o.parentId == op.id && o.callbackDetails) return *o.callbackDetails;
  if (!op.callbackDetails)
    remoteError("wrong_type", fmt::format("{} is a {}, not a CALLBACK", describe(), toString(op.type)));
  return *op.callbackDetails;
}

RemoteOperationHandle& RemoteOperationHandle::waitForData(WaitingStatus status) {
  RemoteDurableTestRunner::Impl& m = *runner_->impl_;
  m.requireStarted(fmt::format("waitForData({})", describe()));
  auto reached = [&]() -> bool {
    auto op = lookup(m.last.getOperations());
    if (!op) return false;
    switch (status) {
      case WaitingStatus::Started:
        return true;
      case WaitingStatus::Submitted: {
        if (op->subType != OperationSubType::WaitForCallback) return true;
        for (const Operation& o : m.last.getOperations())
          if (o.parentId == op->id && o.type == OperationType::Step) return isTerminal(o.status);
        return false;
      }
      case WaitingStatus::Completed:
        return isTerminal(op->status);
    }
    return false;
  };
  if (!m.pollUntil(reached, fmt::format("waitForData({})", describe())))
    remoteError("wait_ended", fmt::format("waitForData: the execution ended ({}) before {} got there",
                                          toString(m.last.getStatus()), describe()));
  return *this;
}

std::string RemoteOperationHandle::callbackIdOf(const Operation& op) const {
  if (op.type == OperationType::Callback && op.callbackDetails) return op.callbackDetails->callbackId;
  if (op.subType == OperationSubType::WaitForCallback)
    for (const Operation& o : runner_->impl_->last.getOperations())
      if (o.parentId == op.id && o.callbackDetails) return o.callbackDetails->callbackId;
  remoteError("not_a_callback", fmt::format("cannot answer {}: it is a {}/{}, not a callback (or its callback has "
                                            "not started yet)",
                                            describe(), toString(op.type), toString(op.subType)));
}

void RemoteOperationHandle::sendCallbackSuccess(Payload payload) {
  runner_->impl_->client->sendCallbackSuccess(callbackIdOf(require()), payload.value_or(""));
}

void RemoteOperationHandle::sendCallbackFailure(ErrorObject error) {
  runner_->impl_->client->sendCallbackFailure(callbackIdOf(require()), toJson(error));
}

void RemoteOperationHandle::sendCallbackHeartbeat() {
  runner_->impl_->client->sendCallbackHeartbeat(callbackIdOf(require()));
}

}  // namespace rwd
