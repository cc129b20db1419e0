// Property-based exploration of schedules with RapidCheck: several crashes across
// invocations, callback answers and their timing, injected step failures, branch
// orders and jitter seeds, generated from what the reference run did; a failing
// schedule is shrunk to a minimal one, confirmed by a re-run, and reported with a seed
// and reproduce strings (RapidCheck's `RC_PARAMS="reproduce=..."` and Rewind's token).
//
//   rwd::checker::CrashChecker checker(handler, input);
//   auto report = rwd::checker::explore(checker, {.schedules = 500, .seed = 42});
//
// Link rewind::checker_rc (RapidCheck is a static library, kept out of rewind::checker).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "rewind/checker/crash_checker.hpp"

namespace rwd::checker {

// What a generator needs to know about the crash-free run.
struct ScheduleSpace {
  std::size_t checkpoints = 0;  // checkpoint updates of the reference run
  std::size_t bodyStarts = 0;   // step-body starts of the reference run
  std::size_t callbacks = 0;    // callbacks it created
  // Per callback (in creation order): its names (own, and its waitForCallback's).
  std::vector<std::vector<std::string>> callbackNames;
  // Payload generators the user gave, by callback name ("*": any callback).
  std::map<std::string, rc::Gen<std::string>> callbackPayloads;
  std::vector<std::string> steps;  // wire ids of its steps (targets for injected failures)
  bool hasBatches = false;         // parallel/map: vary the branch order
  std::size_t maxCrashes = 3;
  bool injectFailures = true;
  // Inputs to choose from (empty: the checker's input).
  std::vector<std::string> inputs;
};

ScheduleSpace scheduleSpace(const RunTrace& reference);

// Generates schedules over `space`; shrinks toward fewer crashes, answers and failures,
// earlier crash points, seed 0 (index order) and jitter seed 1.
rc::Gen<Schedule> genSchedule(const ScheduleSpace& space);

struct ExploreOptions {
  std::size_t schedules = 100;
  std::uint64_t seed = 0;  // RapidCheck seed (0: derived from the clock by the caller)
  std::size_t maxCrashes = 3;
  bool injectFailures = true;
  std::vector<std::string> inputs;  // optional inputs to vary
  // Generated success payloads, per callback name ("*": any). Without one, a callback is
  // answered with the payload the user declared (CheckOptions::callbackResponders): the
  // checker varies when and how a callback is answered, never invents what it says.
  std::map<std::string, rc::Gen<std::string>> callbackPayloads;
  // A RapidCheck reproduce string (`reproduce=...`, as printed) replays one case.
  std::optional<std::string> rcReproduce;
  ProgressFn progress;
};

struct ExploreResult {
  CheckReport report;
  std::uint64_t seed = 0;
  std::optional<std::string> rcReproduce;  // `reproduce=...` for RC_PARAMS (on failure)
};

ExploreResult explore(CrashChecker& checker, const ExploreOptions& options);

}  // namespace rwd::checker
