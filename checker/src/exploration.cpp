// RapidCheck generators and the exploration loop.
#include "rewind/checker/exploration.hpp"

#include <fmt/format.h>

#include <rapidcheck/detail/Configuration.h>

#include "judge.hpp"

namespace rwd::checker {

ScheduleSpace scheduleSpace(const RunTrace& reference) {
  ScheduleSpace s;
  s.checkpoints = reference.updates.size();
  s.bodyStarts = reference.bodyStarts.size();
  for (const Operation& op : reference.operations) {
    if (op.type == OperationType::Callback) {
      ++s.callbacks;
      std::vector<std::string> names;
      if (op.name) names.push_back(*op.name);
      if (op.parentId)
        for (const Operation& p : reference.operations)
          if (p.id == *op.parentId && p.subType == OperationSubType::WaitForCallback && p.name)
            names.push_back(*p.name);
      s.callbackNames.push_back(std::move(names));
    }
    if (op.type == OperationType::Step && op.subType == OperationSubType::Step) s.steps.push_back(op.id);
    if (op.subType == OperationSubType::Map || op.subType == OperationSubType::Parallel) s.hasBatches = true;
  }
  return s;
}

rc::Gen<Schedule> genSchedule(const ScheduleSpace& space) {
  // Crashes may fall in later invocations too: their sequence numbers run past the
  // reference's count, since resumed invocations checkpoint again.
  std::size_t maxAt = std::max<std::size_t>(1, space.checkpoints + space.checkpoints / 2 + 1);
  std::size_t maxBody = std::max<std::size_t>(1, space.bodyStarts + 1);
  auto genCrash = rc::gen::apply(
      [maxBody](std::size_t at, int side) {
        auto s = static_cast<CrashSide>(side);
        return CrashPoint{s == CrashSide::MidStep ? at % maxBody : at, s};
      },
      rc::gen::inRange<std::size_t>(0, maxAt), rc::gen::inRange(0, 3));
  // A container (not a fixed count) so that shrinking can drop crashes one by one; the
  // count grows with RapidCheck's size and is capped at maxCrashes.
  const std::size_t maxCrashes = space.maxCrashes;
  auto genCrashes =
      rc::gen::map(rc::gen::container<std::vector<CrashPoint>>(genCrash), [maxCrashes](std::vector<CrashPoint> v) {
        if (v.size() > maxCrashes) v.resize(maxCrashes);
        return v;
      });
  // Kinds and delays vary; a payload only from the generator the user gave for that
  // callback (by its name or its waitForCallback's), else the declared answer's.
  std::vector<rc::Gen<CallbackAnswer>> answerGens;
  for (std::size_t i = 0; i < space.callbacks; ++i) {
    std::optional<rc::Gen<std::string>> payloads;
    if (i < space.callbackNames.size())
      for (const std::string& name : space.callbackNames[i])
        if (auto it = space.callbackPayloads.find(name); it != space.callbackPayloads.end() && !payloads)
          payloads = it->second;
    if (!payloads)
      if (auto it = space.callbackPayloads.find("*"); it != space.callbackPayloads.end()) payloads = it->second;
    auto genPayload = payloads ? rc::gen::map(*payloads, [](std::string p) { return std::optional<std::string>(p); })
                               : rc::gen::just(std::optional<std::string>());
    answerGens.push_back(rc::gen::apply(
        [](int kind, std::int64_t delay, std::optional<std::string> payload) {
          CallbackAnswer a;
          a.kind = static_cast<CallbackAnswerKind>(kind);
          a.delaySeconds = delay;
          a.payload = std::move(payload);
          return a;
        },
        rc::gen::inRange(0, 4), rc::gen::inRange<std::int64_t>(0, 7200), genPayload));
  }
  auto genAnswers = answerGens.empty() ? rc::gen::just(std::vector<CallbackAnswer>{}) : rc::gen::exec([answerGens] {
    std::vector<CallbackAnswer> v;
    for (const auto& g : answerGens) v.push_back(*g);
    return v;
  });
  auto genFailures = space.steps.empty() || !space.injectFailures
                         ? rc::gen::just(std::vector<StepFailure>{})
                         : rc::gen::resize(3, rc::gen::container<std::vector<StepFailure>>(rc::gen::apply(
                                                  [](std::string id, int attempt) {
                                                    return StepFailure{std::move(id), attempt};
                                                  },
                                                  rc::gen::elementOf(space.steps), rc::gen::inRange(1, 3))));
  auto genBranchSeed =
      space.hasBatches ? rc::gen::inRange<std::uint64_t>(0, 1u << 20) : rc::gen::just<std::uint64_t>(0);
  auto genJitter = rc::gen::inRange<std::uint64_t>(1, 1u << 20);
  std::vector<std::optional<std::string>> inputs;
  for (const auto& i : space.inputs) inputs.emplace_back(i);
  auto genInput = inputs.empty() ? rc::gen::just(std::optional<std::string>()) : rc::gen::elementOf(inputs);
  return rc::gen::apply(
      [](std::vector<CrashPoint> crashes, std::vector<CallbackAnswer> answers, std::vector<StepFailure> failures,
         std::uint64_t branchSeed, std::uint64_t jitterSeed, std::optional<std::string> input) {
        Schedule s;
        s.crashes = std::move(crashes);
        s.callbackAnswers = std::move(answers);
        s.stepFailures = std::move(failures);
        s.branchSeed = branchSeed;
        s.jitterSeed = jitterSeed;
        s.input = std::move(input);
        return s;
      },
      genCrashes, genAnswers, genFailures, genBranchSeed, genJitter, genInput);
}

ExploreResult explore(CrashChecker& checker, const ExploreOptions& options) {
  ExploreResult out;
  out.seed = options.seed;
  out.report.resumeKinds = std::string(resumeKind(checker.mode()));
  const RunTrace& ref = checker.reference();
  out.report.reference =
      fmt::format("{} ({} resume)", internal::describeOutcome(ref.status, ref.result, ref.error, ref.blockedReason),
                  resumeKind(checker.mode()));
  if (std::optional<std::string> error = checker.referenceError()) {
    out.report.referenceError = std::move(error);
    return out;
  }
  ScheduleSpace space = scheduleSpace(ref);
  space.callbackPayloads = options.callbackPayloads;
  space.maxCrashes = options.maxCrashes;
  space.injectFailures = options.injectFailures;
  space.inputs = options.inputs;
  rc::Gen<Schedule> gen = genSchedule(space);

  std::size_t tried = 0;
  std::optional<Finding> lastFailure;  // the last failing case RapidCheck tried is the minimal one
  auto property = [&]() {
    Schedule s = *gen;
    std::vector<Finding> findings = checker.check(s, &out.report);
    ++tried;
    if (options.progress && tried <= options.schedules) options.progress(tried, options.schedules);
    if (!findings.empty()) {
      lastFailure = findings.front();
      RC_FAIL(fmt::format("[{}] {} (schedule: {})", toString(findings.front().oracle), findings.front().message,
                          describe(s)));
    }
  };

  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = static_cast<int>(options.schedules);
  params.maxSize = 100;
  rc::detail::TestMetadata metadata;
  metadata.id = "rewind-check";
  metadata.description = "crash schedules";
  struct Quiet final : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  } quiet;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduceMap;
  if (options.rcReproduce) {
    rc::detail::Configuration config = rc::detail::configFromString(*options.rcReproduce);
    for (auto& [id, r] : config.reproduce) reproduceMap.emplace(metadata.id, r);
  }
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, quiet, reproduceMap);

  out.report.schedules = tried;  // shrinking steps included
  out.report.generatedSchedules = tried;
  rc::detail::FailureResult failure;
  if (result.match(failure) && lastFailure) {
    Finding f = *lastFailure;
    // RapidCheck shrinks one crash at a time, and dropping an early crash shifts the
    // sequence numbers of the later ones; so a shrunk schedule with several crashes may
    // still have a one-crash equivalent. Try every single crash point of its crash-free
    // variant and keep the first that fails the same oracle.
    if (f.schedule.crashes.size() > 1) {
      Schedule base = f.schedule;
      base.crashes.clear();
      for (const CrashPoint& p : checker.crashPoints(base)) {
        Schedule one = base;
        one.crashes = {p};
        for (Finding& g : checker.check(one))
          if (g.oracle == f.oracle) {
            f = std::move(g);
            break;
          }
        if (f.schedule.crashes.size() == 1) break;
      }
    }
    checker.confirm(f);
    out.report.findings.push_back(std::move(f));
    rc::detail::Configuration config;
    config.testParams = params;
    config.reproduce[metadata.id] = failure.reproduce;
    out.rcReproduce = rc::detail::configToMinimalString(config);
  }
  return out;
}

}  // namespace rwd::checker
