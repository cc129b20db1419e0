// Requirement files on disk: finding them under a directory and naming them by
// requirement id ("step/1-17.yaml" -> "1.17").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rwd::conformance {

struct Requirement {
  std::filesystem::path path;  // the file
  std::string displayPath;     // relative to the directory searched, e.g. step/1-17.yaml
  std::string id;              // e.g. 1.17
  std::string family;          // the parent directory's name, e.g. step
};

// "1-17.yaml" -> "1.17": the file's stem with '-' read as '.'.
std::string requirementIdFor(const std::filesystem::path& file);

// Every *.yaml / *.yml under `root` (recursively), or `root` itself when it is a file,
// ordered by id numerically (1.2 before 1.10). Throws std::runtime_error when `root`
// does not exist.
std::vector<Requirement> findRequirements(const std::filesystem::path& root);

// True when `filter` selects `r`: its id ("1.17"), its file stem ("1-17"), its family
// ("step") or its display path.
bool selects(const std::string& filter, const Requirement& r);

}  // namespace rwd::conformance
