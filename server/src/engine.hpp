// Engine: rewind-server's durable execution service. It keeps the running executions in
// memory (one ExecutionStore each: the local runner's records, checkpoint validation,
// history and timers, so the semantics are the SDK's and the runner's) and writes every
// change to the database before the call that made it returns. It hands invocations to
// function workers (runtime_host.hpp), fires timers on the server clock, and answers the
// Lambda API's execution calls (the HTTP side is api_routes.cpp).
//
// Invocation rules (as the local runner's, DESIGN.md section 1): one invocation of an
// execution at a time; completions from outside (timers, callback answers) land between
// invocations — an answer that arrives while an invocation runs is kept (in the database)
// and applied when it ends; each completion that unblocks something starts an invocation.
// A failed invocation (an error reply, a crashed or timed-out worker, a server restart
// while it ran) is invoked again, at most EngineOptions::maxInvocationAttempts times in a
// row; then the execution fails with the last invocation's error.
//
// Chained invokes (engine_invokes.cpp): a CHAINED_INVOKE START starts the named function's
// durable execution; its end completes the operation like any outside completion.
//
// Thread-safety: every public member may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "database.hpp"
#include "rewind/durable_api.hpp"
#include "rewind/serdes.hpp"
#include "server_clock.hpp"

namespace rwd::server::internal {

struct EngineOptions {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  std::chrono::milliseconds invocationTimeout{900000};  // real time, per invocation
  int maxInvocationAttempts = 5;
  bool sendVirtualTime = false;                          // Rewind-Virtual-Time-Ms to workers (scaled time)
  std::size_t initialStateItems = 1000;                  // records in an invocation input; the rest is paged
  std::int64_t executionTimeoutSeconds = 86400;          // virtual time; then TIMED_OUT
  std::map<std::string, std::int64_t> functionTimeouts;  // per function, instead of executionTimeoutSeconds
};

// One invocation handed to a worker through the Runtime API.
struct Dispatch {
  std::string requestId;
  std::string payload;  // DurableExecutionInvocationInput JSON
  TimePoint virtualNow{};
  std::int64_t deadlineMs = 0;
  std::string functionArn;
};

struct HistoryQuery {
  bool includeData = true;
  int maxItems = 0;
  std::optional<std::string> marker;
  bool reverse = false;
};

struct ListQuery {
  std::optional<std::string> name;
  std::optional<std::string> nameContains;  // a part of the name (the /ui's filter)
  std::vector<std::string> statuses;
  std::optional<TimePoint> startedAfter, startedBefore;
  bool reverse = false;
  std::optional<std::string> marker;
  int maxItems = 0;
};

// An execution as GetDurableExecution shows it.
struct ExecutionView {
  std::string arn, name, functionName, status;
  Payload input, result;
  std::optional<ErrorObject> error;
  TimePoint start{};
  std::optional<TimePoint> end;
};

class Engine {
 public:
  Engine(Database& db, ServerClock& clock, EngineOptions options, std::vector<std::string> functions);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads the running executions, closes the invocations a stopped server left open, and
  // starts the timer thread.
  void start();
  void shutdown();  // stops the timer thread and wakes every waiter
  bool stopping() const;

  // ---- the Lambda API ----
  std::string functionArn(const std::string& function) const;
  bool knowsFunction(const std::string& function) const;
  // Starts an execution (or finds the one of that name with the same input: Invoke is
  // idempotent by name). Returns its ARN; throws ServiceError (409 when the name is taken
  // with another input).
  std::string startExecution(const std::string& function, std::optional<std::string> name, Payload input);
  // Blocks until the execution is no longer running (or the engine shuts down).
  ExecutionView waitForEnd(const std::string& arn);
  ExecutionView describe(const std::string& arn);
  Json history(const std::string& arn, const HistoryQuery& query);
  // ListDurableExecutionsByFunction's page; `function` empty: every function's executions.
  Json list(const std::string& function, const ListQuery& query);
  std::vector<std::string> functionNames() const;                      // sorted
  std::int64_t executionTimeoutOf(const std::string& function) const;  // seconds
  TimePoint stop(const std::string& arn, std::optional<ErrorObject> error);
  // Rewind's extension (Step Functions' RedriveExecution): a FAILED, TIMED_OUT or STOPPED
  // execution runs again from its point of failure (the rule: engine.cpp, Engine::redrive).
  // Throws ServiceError: 404 unknown, 400 ExecutionNotRedrivable when RUNNING or SUCCEEDED.
  TimePoint redrive(const std::string& arn);
  void callbackSuccess(const std::string& callbackId, Payload result);
  void callbackFailure(const std::string& callbackId, ErrorObject error);
  void callbackHeartbeat(const std::string& callbackId);
  CheckpointDurableExecutionResponse checkpoint(const CheckpointDurableExecutionRequest& request);
  GetDurableExecutionStateResponse state(const GetDurableExecutionStateRequest& request);

  // ---- the workers' side ----
  int addWorker(const std::string& function);
  std::uint64_t workerGeneration(int worker);
  // The next invocation for `worker`'s function; nullopt after `maxWait`, at shutdown, or
  // when the worker's generation moved on (its process died).
  std::optional<Dispatch> nextInvocation(int worker, std::uint64_t generation, std::chrono::milliseconds maxWait);
  // Throws ServiceError when no such invocation runs.
  void invocationOutput(const std::string& requestId, const DurableExecutionInvocationOutput& output);
  void invocationError(const std::string& requestId, const ErrorObject& error);
  // The worker's process is gone: its invocation (if any) failed, its generation moves on.
  void workerLost(int worker, const ErrorObject& error);
  // Invocations past their deadline fail; returns their workers (to be killed).
  std::vector<int> expireInvocations();

 private:
  struct Execution;
  struct Running;
  struct PendingAction;

  Execution* running(const std::string& arn);          // requires mu_
  Execution& byRequest(const std::string& requestId);  // requires mu_
  Execution& load(const std::string& arn);             // requires mu_; throws ResourceNotFound
  void recover();
  void loadRunning(const std::string& arn, TimePoint now);  // requires mu_
  std::string newArn(const std::string& function, const std::string& name);
  void enqueue(Execution& e);
  void finishInvocation(Execution& e, std::optional<ErrorObject> invocationError);
  void endExecution(Execution& e, const std::string& status, Payload result, std::optional<ErrorObject> error);
  void applyPending(Execution& e);
  void keepPending(Execution& e, PendingAction a);                   // requires mu_
  void storePending(const std::string& arn, const PendingAction& a);  // its row only
  void failInvocation(Execution& e, const ErrorObject& error);
  void persist(Execution& e, const std::vector<std::string>& touched, const std::function<void()>& more = {});
  void writeState(Execution& e, const std::vector<std::string>& touched);  // persist's writes, in its transaction
  void persistRow(Execution& e);
  Execution& newExecution(const std::string& function, const std::string& name, Payload input);  // requires mu_
  void insertExecutionRow(Execution& e);
  bool applyAction(Execution& e, const PendingAction& a);  // true: it starts an invocation
  void timerLoop();
  bool fireDue(Execution& e, TimePoint now);
  std::optional<TimePoint> nextDue();
  // Chained invokes (engine_invokes.cpp).
  void persistCheckpoint(Execution& e, const std::vector<std::string>& touched);
  void completeInvoke(const std::string& parentArn, const std::string& opId, const std::string& childArn,
                      const std::string& status, const Payload& result, const std::optional<ErrorObject>& error);
  void loadInvokeLinks(Execution& e);
  void collectEndedInvokes();
  std::string callbackOwner(const std::string& callbackId, std::string& opId);
  ExecutionView viewFromDb(const std::string& arn);

  Database& db_;
  ServerClock& clock_;
  EngineOptions options_;
  std::set<std::string> functions_;

  mutable std::mutex mu_;
  std::condition_variable readyCv_;  // an invocation is ready, or shutdown
  std::condition_variable endCv_;    // an execution ended
  std::condition_variable timerCv_;  // timers changed
  bool stopping_ = false;
  std::thread timerThread_;
  std::int64_t nextSeq_ = 1;
  std::unordered_map<std::string, std::unique_ptr<Execution>> executions_;          // running ones, by ARN
  std::unordered_map<std::string, std::string> requests_;                           // request id -> ARN
  std::unordered_map<std::string, std::pair<std::string, std::string>> callbacks_;  // id -> (ARN, op id)
  std::map<std::string, std::deque<std::string>> ready_;                            // function -> ARNs
  struct Worker {
    std::string function;
    std::uint64_t generation = 1;
  };
  std::vector<Worker> workers_;
};

}  // namespace rwd::server::internal
