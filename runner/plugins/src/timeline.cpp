// Builds the Timeline from a finished (or blocked) execution: ticks from the history,
// spans from operations, lanes so that spans on one track always nest.
#include "rewind/plugins/timeline.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "text_util.hpp"

namespace rwd {
namespace {

using internal::truncatePayload;

// Events recorded between invocations: they never open one.
bool isBetweenInvocations(HistoryEventType t) {
  switch (t) {
    case HistoryEventType::WaitSucceeded:
    case HistoryEventType::WaitCancelled:
    case HistoryEventType::CallbackSucceeded:
    case HistoryEventType::CallbackFailed:
    case HistoryEventType::CallbackTimedOut:
    case HistoryEventType::ChainedInvokeSucceeded:
    case HistoryEventType::ChainedInvokeFailed:
    case HistoryEventType::ChainedInvokeTimedOut:
    case HistoryEventType::ChainedInvokeStopped:
    case HistoryEventType::ExecutionSucceeded:
    case HistoryEventType::ExecutionFailed:
    case HistoryEventType::ExecutionTimedOut:
    case HistoryEventType::ExecutionStopped:
      return true;
    default:
      return false;
  }
}

bool isExecutionEnd(HistoryEventType t) {
  return t == HistoryEventType::ExecutionSucceeded || t == HistoryEventType::ExecutionFailed ||
         t == HistoryEventType::ExecutionTimedOut || t == HistoryEventType::ExecutionStopped;
}

std::string categoryOf(OperationType t) {
  switch (t) {
    case OperationType::Execution:
      return "execution";
    case OperationType::Context:
      return "context";
    case OperationType::Step:
      return "step";
    case OperationType::Wait:
      return "wait";
    case OperationType::Callback:
      return "callback";
    case OperationType::ChainedInvoke:
      return "invoke";
  }
  return "operation";
}

Json errorJson(const ErrorObject& e) {
  Json j{{"ErrorType", e.errorType}, {"ErrorMessage", e.errorMessage}};
  if (e.errorData) j["ErrorData"] = truncatePayload(*e.errorData);
  return j;
}

std::int64_t millisBetween(TimePoint from, TimePoint to) { return (to - from).count(); }

// The positional number after `prefix-` in `stepId` ("3-2-1" after "3" → 2), 0 if none.
int itemNumber(const std::string& stepId, const std::string& batchStepId) {
  if (stepId.size() <= batchStepId.size() + 1 || stepId.compare(0, batchStepId.size(), batchStepId) != 0 ||
      stepId[batchStepId.size()] != '-')
    return 0;
  int n = 0;
  for (std::size_t i = batchStepId.size() + 1; i < stepId.size() && stepId[i] != '-'; ++i) {
    if (stepId[i] < '0' || stepId[i] > '9') return 0;
    n = n * 10 + (stepId[i] - '0');
  }
  return n;
}

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

class Builder {
 public:
  Builder(const TimelineSource& source, const TimelineOptions& options) : source_(source), options_(options) {}

  Timeline build() {
    timeline_.executionArn = source_.executionArn;
    timeline_.status = std::string(toString(source_.status));
    const auto& ops = source_.operations;
    for (std::size_t i = 0; i < ops.size(); ++i) opIndex_[ops[i].id] = i;
    makeTicks();
    timeline_.startTimestamp = formatTimestamp(epoch_);
    for (std::size_t i = 0; i < source_.history.size(); ++i) {
      const HistoryEvent& ev = source_.history[i];
      if (ev.id) eventsOf_[*ev.id].push_back(i);
    }
    addInvocations();
    addExecution();
    for (const Operation& op : ops) addOperation(op);
    assignLanes();
    return std::move(timeline_);
  }

 private:
  // A span while building: on a base track (before lanes), with the marks it owns.
  struct Draft {
    std::string trackKey;
    TimelineSpan span;
    std::size_t seq = 0;
  };
  struct DraftMark {
    std::size_t span;
    TimelineMark mark;
  };
  struct TrackDraft {
    std::string name;
    TimelineTrack::Kind kind;
    std::int64_t firstStart;
  };

  std::int64_t at(std::size_t tick) const { return timeline_.ticks[tick].layoutMicros; }

  void makeTicks() {
    const auto& history = source_.history;
    const auto& invocations = source_.invocations;
    epoch_ = !history.empty()       ? history.front().timestamp
             : !invocations.empty() ? invocations.front().start
                                    : TimePoint{};
    std::vector<TimePoint> times;
    auto add = [&](TimePoint t) {
      times.push_back(t);
      return times.size() - 1;
    };
    eventTick_.resize(history.size());
    invocationStart_.assign(invocations.size(), std::nullopt);
    invocationEnd_.assign(invocations.size(), std::nullopt);
    bool inInvocation = false;
    std::size_t inv = 0;
    for (std::size_t i = 0; i < history.size(); ++i) {
      const HistoryEvent& ev = history[i];
      if (ev.type != HistoryEventType::ExecutionStarted && !inInvocation && !isBetweenInvocations(ev.type)) {
        TimePoint start = inv < invocations.size() ? invocations[inv].start : ev.timestamp;
        std::size_t t = add(std::min(start, ev.timestamp));
        if (inv < invocations.size()) invocationStart_[inv] = t;
        inInvocation = true;
      }
      eventTick_[i] = add(ev.timestamp);
      if (ev.type == HistoryEventType::InvocationCompleted) {
        if (inv < invocations.size()) invocationEnd_[inv] = eventTick_[i];
        ++inv;
        inInvocation = false;
      }
    }
    const std::int64_t tick = std::max<std::int64_t>(1, options_.tickMicros);
    timeline_.tickMicros = tick;
    std::int64_t previous = -tick;
    for (std::size_t j = 0; j < times.size(); ++j) {
      std::int64_t layout = millisBetween(epoch_, times[j]) * 1000 + static_cast<std::int64_t>(j) * tick;
      layout = std::max(layout, previous + tick);
      timeline_.ticks.push_back({layout, millisBetween(epoch_, times[j])});
      previous = layout;
    }
    timeline_.endMicros = times.empty() ? 0 : previous + tick;
  }

  std::size_t addSpan(std::string trackKey, TimelineSpan span) {
    drafts_.push_back({std::move(trackKey), std::move(span), drafts_.size()});
    return drafts_.size() - 1;
  }

  void addMark(std::size_t span, std::string name, std::string category, std::int64_t atMicros, Json args) {
    marks_.push_back({span, TimelineMark{0, std::move(name), std::move(category), atMicros, std::move(args)}});
  }

  void addInvocations() {
    const auto& invocations = source_.invocations;
    for (std::size_t k = 0; k < invocations.size(); ++k) {
      const InvocationRecord& rec = invocations[k];
      std::string key = fmt::format("invocation:{}", rec.index);
      tracks_[key] = {fmt::format("invocation {}", rec.index), TimelineTrack::Kind::Invocation,
                      static_cast<std::int64_t>(k)};
      if (!invocationStart_[k]) continue;
      TimelineSpan s;
      s.name = fmt::format("invocation {}", rec.index);
      s.category = "invocation";
      s.status = std::string(toString(rec.outcome));
      s.startMicros = at(*invocationStart_[k]);
      s.open = !invocationEnd_[k].has_value();
      s.endMicros = s.open ? timeline_.endMicros : at(*invocationEnd_[k]);
      s.failed = rec.outcome == InvocationOutcome::Failed || rec.outcome == InvocationOutcome::Crashed ||
                 rec.outcome == InvocationOutcome::TimedOut;
      s.args = Json{{"requestId", rec.requestId},
                    {"outcome", s.status},
                    {"start", formatTimestamp(rec.start)},
                    {"end", formatTimestamp(rec.end)}};
      if (rec.error) s.args["error"] = errorJson(*rec.error);
      if (options_.invocationNotes) {
        auto it = options_.invocationNotes->find(rec.index);
        if (it != options_.invocationNotes->end()) s.args["hooks"] = it->second;
      }
      std::int64_t end = s.endMicros;
      bool crashed = rec.outcome == InvocationOutcome::Crashed;
      std::size_t id = addSpan(key, std::move(s));
      if (crashed) addMark(id, "crash", "failure", end, Json{{"error", errorJson(*rec.error)}});
    }
  }

  void addExecution() {
    const auto& history = source_.history;
    tracks_["main"] = {"main", TimelineTrack::Kind::Main, 0};
    if (history.empty()) return;
    TimelineSpan s;
    s.name = "execution";
    s.category = "execution";
    s.status = timeline_.status;
    s.startMicros = at(eventTick_.front());
    s.endMicros = timeline_.endMicros;
    s.open = true;
    for (std::size_t i = 0; i < history.size(); ++i)
      if (isExecutionEnd(history[i].type)) {
        s.endMicros = at(eventTick_[i]);
        s.open = false;
      }
    s.failed = source_.status == ExecutionStatus::Failed || source_.status == ExecutionStatus::TimedOut;
    s.args = Json{{"executionArn", source_.executionArn}, {"status", s.status}};
    if (source_.result) s.args["result"] = truncatePayload(*source_.result);
    if (source_.error) s.args["error"] = errorJson(*source_.error);
    Json err = s.failed && source_.error ? errorJson(*source_.error) : Json();
    std::int64_t end = s.endMicros;
    std::size_t id = addSpan("main", std::move(s));
    if (!err.is_null()) addMark(id, "execution failed", "failure", end, Json{{"error", err}});
  }

  const Operation* find(const std::string& id) const {
    auto it = opIndex_.find(id);
    return it == opIndex_.end() ? nullptr : &source_.operations[it->second];
  }

  std::string label(const Operation& op) const {
    if (op.name) return *op.name;
    // A waitForCallback's unnamed children: its callback and its submitter step.
    if (const Operation* parent = op.parentId ? find(*op.parentId) : nullptr;
        parent && parent->subType == OperationSubType::WaitForCallback) {
      std::string owner = parent->name ? *parent->name : "#" + parent->stepId;
      if (op.type == OperationType::Callback) return owner + " callback";
      if (op.type == OperationType::Step) return owner + " submitter";
    }
    if (op.subType == OperationSubType::MapIteration || op.subType == OperationSubType::ParallelBranch) {
      auto dash = op.stepId.rfind('-');
      std::string last = dash == std::string::npos ? op.stepId : op.stepId.substr(dash + 1);
      return fmt::format("item {}", std::max(0, std::atoi(last.c_str()) - 1));
    }
    return "#" + op.stepId;
  }

  // The track an operation is drawn on: its branch's (memoized).
  std::string trackOf(const Operation& op) {
    if (auto it = trackOfOp_.find(op.id); it != trackOfOp_.end()) return it->second;
    std::string key = "main";
    const Operation* parent = op.parentId ? find(*op.parentId) : nullptr;
    if (parent) {
      std::string parentTrack = trackOf(*parent);
      std::string prefix = parentTrack == "main" ? "" : tracks_[parentTrack].name + " › ";
      bool parentIsBatch = parent->subType == OperationSubType::Map || parent->subType == OperationSubType::Parallel;
      if (op.subType == OperationSubType::MapIteration || op.subType == OperationSubType::ParallelBranch) {
        key = "branch:" + op.id;
        tracks_.try_emplace(
            key, TrackDraft{prefix + label(*parent) + " › " + label(op), TimelineTrack::Kind::Branch, kNever});
      } else if (parentIsBatch) {
        // nesting FLAT: item i numbers its operations <batch>-<i+1>-<n> under the batch.
        int n = itemNumber(op.stepId, parent->stepId);
        key = fmt::format("item:{}:{}", parent->id, n);
        tracks_.try_emplace(key, TrackDraft{fmt::format("{}{} › item {}", prefix, label(*parent), std::max(0, n - 1)),
                                            TimelineTrack::Kind::Branch, kNever});
      } else {
        key = parentTrack;
      }
    }
    trackOfOp_[op.id] = key;
    return key;
  }

  Json operationArgs(const Operation& op) const {
    Json a{{"id", op.id},
           {"stepId", op.stepId},
           {"type", std::string(toString(op.type))},
           {"subType", std::string(toString(op.subType))},
           {"status", std::string(toString(op.status))},
           {"start", formatTimestamp(op.startTimestamp)}};
    if (op.endTimestamp) a["end"] = formatTimestamp(*op.endTimestamp);
    if (op.parentId) a["parentId"] = *op.parentId;
    // A step that succeeded on a retry keeps its last attempt's error: the attempt shows it.
    const bool failed = op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut;
    auto outcome = [&](const std::optional<std::string>& result, const std::optional<ErrorObject>& error) {
      if (result) a["result"] = truncatePayload(*result);
      if (error && failed) a["error"] = errorJson(*error);
    };
    if (op.stepDetails) {
      a["attempts"] = op.stepDetails->attempt;
      outcome(op.stepDetails->result, op.stepDetails->error);
    }
    if (op.waitDetails) {
      a["durationSeconds"] = op.waitDetails->durationSeconds;
      a["scheduledEnd"] = formatTimestamp(op.waitDetails->scheduledEndTimestamp);
    }
    if (op.callbackDetails) {
      a["callbackId"] = op.callbackDetails->callbackId;
      if (op.callbackDetails->timeoutSeconds) a["timeoutSeconds"] = *op.callbackDetails->timeoutSeconds;
      if (op.callbackDetails->heartbeatTimeoutSeconds)
        a["heartbeatTimeoutSeconds"] = *op.callbackDetails->heartbeatTimeoutSeconds;
      outcome(op.callbackDetails->result, op.callbackDetails->error);
    }
    if (op.chainedInvokeDetails) {
      a["functionName"] = op.chainedInvokeDetails->functionName;
      outcome(op.chainedInvokeDetails->result, op.chainedInvokeDetails->error);
    }
    if (op.contextDetails) {
      if (op.contextDetails->replayChildren) a["replayChildren"] = true;
      outcome(op.contextDetails->result, op.contextDetails->error);
    }
    return a;
  }

  void addOperation(const Operation& op) {
    if (op.type == OperationType::Execution) return;  // drawn from the history (addExecution)
    auto evIt = eventsOf_.find(op.id);
    if (evIt == eventsOf_.end() || evIt->second.empty()) return;
    const std::vector<std::size_t>& evs = evIt->second;
    const auto& history = source_.history;
    std::string key = trackOf(op);

    TimelineSpan s;
    s.name = label(op);
    s.category = categoryOf(op.type);
    s.status = std::string(toString(op.status));
    s.startMicros = at(eventTick_[evs.front()]);
    s.open = !isTerminal(op.status);
    s.endMicros = s.open ? timeline_.endMicros : at(eventTick_[evs.back()]);
    s.failed = op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut;
    s.args = operationArgs(op);
    const std::int64_t opEnd = s.endMicros;
    auto track = tracks_.find(key);
    track->second.firstStart = std::min(track->second.firstStart, s.startMicros);
    std::size_t opSpan = addSpan(key, std::move(s));
    if (op.status == OperationStatus::Failed || op.status == OperationStatus::TimedOut) {
      const auto& err = op.stepDetails            ? op.stepDetails->error
                        : op.callbackDetails      ? op.callbackDetails->error
                        : op.contextDetails       ? op.contextDetails->error
                        : op.chainedInvokeDetails ? op.chainedInvokeDetails->error
                                                  : Boxed<ErrorObject>();
      addMark(opSpan, fmt::format("{} {}", label(op), toString(op.status)), "failure", opEnd,
              err ? Json{{"error", errorJson(*err)}} : Json::object());
    }
    if (op.type != OperationType::Step) return;

    // Attempts (StepStarted → StepSucceeded/StepFailed) and retry delays between them.
    std::optional<std::int64_t> attemptStart, retryFrom;
    std::int64_t retrySeconds = 0;
    int attempt = 0;
    for (std::size_t i : evs) {
      const HistoryEvent& ev = history[i];
      std::int64_t t = at(eventTick_[i]);
      if (ev.type == HistoryEventType::StepStarted) {
        if (retryFrom) addRetry(key, *retryFrom, t, retrySeconds, false);
        retryFrom.reset();
        attemptStart = t;
      } else if (ev.type == HistoryEventType::StepSucceeded || ev.type == HistoryEventType::StepFailed) {
        attempt = ev.currentAttempt.value_or(attempt + 1);
        std::int64_t from = attemptStart ? *attemptStart : retryFrom ? *retryFrom : at(eventTick_[evs.front()]);
        if (!attemptStart && retryFrom) addRetry(key, *retryFrom, t, retrySeconds, false);
        bool failed = ev.type == HistoryEventType::StepFailed;
        TimelineSpan a;
        a.name = fmt::format("attempt {}", attempt);
        a.category = "attempt";
        a.status = failed ? "FAILED" : "SUCCEEDED";
        a.startMicros = from;
        a.endMicros = t;
        a.failed = failed;
        a.args = Json{{"attempt", attempt}};
        if (ev.error) a.args["error"] = errorJson(*ev.error);
        if (ev.hasResult && ev.result) a.args["result"] = truncatePayload(*ev.result);
        if (ev.nextAttemptDelaySeconds) a.args["nextAttemptDelaySeconds"] = *ev.nextAttemptDelaySeconds;
        std::size_t id = addSpan(key, std::move(a));
        if (failed)
          addMark(id, fmt::format("attempt {} failed", attempt), "failure", t,
                  ev.error ? Json{{"error", errorJson(*ev.error)}} : Json::object());
        attemptStart.reset();
        retryFrom.reset();
        if (ev.nextAttemptDelaySeconds) {
          retryFrom = t;
          retrySeconds = *ev.nextAttemptDelaySeconds;
        }
      }
    }
    if (attemptStart) {
      TimelineSpan a;
      a.name = fmt::format("attempt {}", attempt + 1);
      a.category = "attempt";
      a.status = "STARTED";
      a.startMicros = *attemptStart;
      a.endMicros = opEnd;
      a.open = true;
      a.args = Json{{"attempt", attempt + 1}};
      addSpan(key, std::move(a));
    }
    if (retryFrom) addRetry(key, *retryFrom, opEnd, retrySeconds, true);
  }

  void addRetry(const std::string& key, std::int64_t from, std::int64_t to, std::int64_t seconds, bool open) {
    TimelineSpan r;
    r.name = fmt::format("retry delay {}s", seconds);
    r.category = "retry";
    r.status = open ? "PENDING" : "SUCCEEDED";
    r.startMicros = from;
    r.endMicros = to;
    r.open = open;
    r.args = Json{{"delaySeconds", seconds}};
    addSpan(key, std::move(r));
  }

  // Splits each base track into lanes in which spans strictly nest, then orders tracks:
  // invocations, main, branches by first start; each track's extra lanes right after it.
  void assignLanes() {
    std::vector<std::size_t> order(drafts_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const TimelineSpan& x = drafts_[a].span;
      const TimelineSpan& y = drafts_[b].span;
      if (x.startMicros != y.startMicros) return x.startMicros < y.startMicros;
      if (x.endMicros != y.endMicros) return x.endMicros > y.endMicros;
      return drafts_[a].seq < drafts_[b].seq;
    });
    std::map<std::string, std::vector<std::vector<std::int64_t>>> lanes;  // key → lane → stack of ends
    std::vector<std::size_t> laneOf(drafts_.size());
    for (std::size_t i : order) {
      TimelineSpan& s = drafts_[i].span;
      auto& stacks = lanes[drafts_[i].trackKey];
      std::size_t lane = 0;
      for (;; ++lane) {
        if (lane == stacks.size()) stacks.emplace_back();
        auto& stack = stacks[lane];
        while (!stack.empty() && stack.back() <= s.startMicros) stack.pop_back();
        if (stack.empty() || stack.back() >= s.endMicros) {
          s.depth = static_cast<int>(stack.size());
          stack.push_back(s.endMicros);
          break;
        }
      }
      laneOf[i] = lane;
    }

    std::vector<std::pair<std::string, const TrackDraft*>> base;
    for (const auto& [key, t] : tracks_) base.emplace_back(key, &t);
    auto rank = [](TimelineTrack::Kind k) {
      return k == TimelineTrack::Kind::Invocation ? 0 : k == TimelineTrack::Kind::Main ? 1 : 2;
    };
    std::sort(base.begin(), base.end(), [&](const auto& a, const auto& b) {
      if (rank(a.second->kind) != rank(b.second->kind)) return rank(a.second->kind) < rank(b.second->kind);
      if (a.second->firstStart != b.second->firstStart) return a.second->firstStart < b.second->firstStart;
      return a.second->name < b.second->name;
    });
    std::map<std::pair<std::string, std::size_t>, std::size_t> trackIndex;
    for (const auto& [key, t] : base) {
      std::size_t count = std::max<std::size_t>(1, lanes[key].size());
      for (std::size_t lane = 0; lane < count; ++lane) {
        trackIndex[{key, lane}] = timeline_.tracks.size();
        timeline_.tracks.push_back({lane == 0 ? t->name : fmt::format("{} ({})", t->name, lane + 1), t->kind});
      }
    }
    for (std::size_t i = 0; i < drafts_.size(); ++i)
      drafts_[i].span.track = trackIndex.at({drafts_[i].trackKey, laneOf[i]});
    for (auto& m : marks_) {
      m.mark.track = drafts_[m.span].span.track;
      timeline_.marks.push_back(std::move(m.mark));
    }
    std::sort(timeline_.marks.begin(), timeline_.marks.end(),
              [](const TimelineMark& a, const TimelineMark& b) { return a.atMicros < b.atMicros; });
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return drafts_[a].span.track < drafts_[b].span.track; });
    for (std::size_t i : order) timeline_.spans.push_back(std::move(drafts_[i].span));
  }

  const TimelineSource& source_;
  const TimelineOptions& options_;
  Timeline timeline_;
  TimePoint epoch_{};
  std::vector<std::size_t> eventTick_;
  std::vector<std::optional<std::size_t>> invocationStart_, invocationEnd_;
  std::unordered_map<std::string, std::size_t> opIndex_;
  std::unordered_map<std::string, std::vector<std::size_t>> eventsOf_;
  std::unordered_map<std::string, std::string> trackOfOp_;
  std::map<std::string, TrackDraft> tracks_;
  std::vector<Draft> drafts_;
  std::vector<DraftMark> marks_;
};

}  // namespace

TimelineSource timelineSource(const ExecutionResult& result) {
  return TimelineSource{result.getExecutionArn(), result.getStatus(),      result.getResultPayload(), result.getError(),
                        result.getOperations(),   result.getInvocations(), result.getHistoryEvents()};
}

Timeline buildTimeline(const TimelineSource& source, const TimelineOptions& options) {
  return Builder(source, options).build();
}

Timeline buildTimeline(const ExecutionResult& result, const TimelineOptions& options) {
  return buildTimeline(timelineSource(result), options);
}

}  // namespace rwd
