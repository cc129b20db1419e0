// Discovery and ordering of requirement files.
#include "requirement.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

namespace rwd::conformance {

namespace fs = std::filesystem;

namespace {

bool isYaml(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

// Numeric parts of an id for ordering; non-numeric parts sort after, by text.
std::vector<std::tuple<int, long, std::string>> sortKey(const std::string& id) {
  std::vector<std::tuple<int, long, std::string>> key;
  std::size_t start = 0;
  while (start <= id.size()) {
    std::size_t end = id.find('.', start);
    if (end == std::string::npos) end = id.size();
    std::string part = id.substr(start, end - start);
    bool numeric = !part.empty() && part.size() < 10 &&
                   std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    key.emplace_back(numeric ? 0 : 1, numeric ? std::stol(part) : 0, numeric ? std::string() : part);
    start = end + 1;
  }
  return key;
}

}  // namespace

std::string requirementIdFor(const fs::path& file) {
  std::string id = file.stem().string();
  std::replace(id.begin(), id.end(), '-', '.');
  return id;
}

std::vector<Requirement> findRequirements(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(root, ec)) throw std::runtime_error(fmt::format("{}: no such file or directory", root.string()));
  std::vector<Requirement> out;
  auto add = [&](const fs::path& file, const fs::path& base) {
    Requirement r;
    r.path = file;
    r.displayPath = base.empty() ? file.filename().string() : fs::relative(file, base).generic_string();
    r.id = requirementIdFor(file);
    r.family = file.parent_path().filename().string();
    out.push_back(std::move(r));
  };
  if (fs::is_regular_file(root)) {
    add(root, root.parent_path().parent_path());
  } else {
    for (const auto& entry : fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink))
      if (entry.is_regular_file() && isYaml(entry.path())) add(entry.path(), root);
  }
  std::sort(out.begin(), out.end(), [](const Requirement& a, const Requirement& b) {
    auto ka = sortKey(a.id);
    auto kb = sortKey(b.id);
    return std::tie(ka, a.displayPath) < std::tie(kb, b.displayPath);
  });
  return out;
}

bool selects(const std::string& filter, const Requirement& r) {
  return filter == r.id || filter == r.path.stem().string() || filter == r.family || filter == r.displayPath;
}

}  // namespace rwd::conformance
