// The registry test: every registered check has its source pair, doc page,
// fixture (with expectations) and test file, and names follow the rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/registry.hpp"
#include "lint_test_support.hpp"

namespace rwd::lint::testing {
namespace {

namespace fs = std::filesystem;

TEST(RegistryTest, EveryCheckHasSourcesDocsFixtureAndTest) {
  ASSERT_FALSE(allChecks().empty());
  for (const CheckInfo& info : allChecks()) {
    SCOPED_TRACE(info.name);
    std::string source = repoDir() + "/lint/checks/" + info.module + "/" + info.stem + "_check";
    EXPECT_TRUE(fs::exists(source + ".cpp")) << source << ".cpp is missing";
    EXPECT_TRUE(fs::exists(source + ".hpp")) << source << ".hpp is missing";
    std::string doc = repoDir() + "/lint/docs/checks/" + info.name + ".md";
    EXPECT_TRUE(fs::exists(doc)) << doc << " is missing";
    EXPECT_NE(readFile(doc).find("# " + info.name), std::string::npos)
        << doc << " must start with '# " << info.name << "'";
    std::string fixture = fixturePath(info.name);
    EXPECT_TRUE(fs::exists(fixture)) << fixture << " is missing";
    EXPECT_FALSE(readExpectations(fixture).empty()) << fixture << " has no expectations";
    std::string test = repoDir() + "/tests/lint/checks/" + info.module + "/" + info.stem + "_test.cpp";
    EXPECT_TRUE(fs::exists(test)) << test << " is missing";
    EXPECT_NE(readFile(test).find("expectFixtureMatches(kCheck)"), std::string::npos)
        << test << " must run the fixture";
    EXPECT_NE(readFile(test).find("\"" + info.name + "\""), std::string::npos) << test << " must name the check";
    EXPECT_NE(readFile(repoDir() + "/lint/README.md").find(info.name), std::string::npos)
        << "lint/README.md does not list the check";
  }
}

TEST(RegistryTest, NamesAreUniquePrefixedAndMatchTheirModule) {
  std::set<std::string> names;
  std::regex shape("rewind-([a-z]+)-[a-z]+(-[a-z]+)*");
  for (const CheckInfo& info : allChecks()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " is registered twice";
    std::smatch match;
    ASSERT_TRUE(std::regex_match(info.name, match, shape)) << info.name;
    EXPECT_EQ(match[1].str(), info.module) << info.name << " is not in its module's folder";
    EXPECT_FALSE(info.summary.empty());
  }
}

TEST(RegistryTest, NoCheckSourceIsLeftUnregistered) {
  std::set<std::string> registered;
  for (const CheckInfo& info : allChecks()) registered.insert(info.module + "/" + info.stem);
  for (const auto& entry : fs::recursive_directory_iterator(repoDir() + "/lint/checks")) {
    std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".cpp") continue;
    std::string stem = file.substr(0, file.size() - std::string("_check.cpp").size());
    std::string key = entry.path().parent_path().filename().string() + "/" + stem;
    EXPECT_TRUE(registered.count(key) != 0) << entry.path() << " is not in the registry";
  }
  for (const auto& entry : fs::directory_iterator(repoDir() + "/lint/docs/checks")) {
    std::string name = entry.path().stem().string();
    EXPECT_NE(findCheck(name), nullptr) << entry.path() << " documents no registered check";
  }
}

}  // namespace
}  // namespace rwd::lint::testing
