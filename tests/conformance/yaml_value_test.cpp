// YAML typing follows PyYAML's safe_load (DESIGN.md section 2).
#include "yaml_value.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace rwd::conformance {
namespace {

Value field(const std::string& yaml) { return parseYaml("v: " + yaml)["v"]; }

TEST(YamlValueTest, PlainIntegerIsAnInt) {
  EXPECT_EQ(field("42"), Value(42));
  EXPECT_TRUE(field("42").is_number_integer());
  EXPECT_EQ(field("-7"), Value(-7));
  EXPECT_EQ(field("1_000"), Value(1000));
}

TEST(YamlValueTest, QuotedIntegerIsAString) {
  EXPECT_EQ(field("'42'"), Value("42"));
  EXPECT_EQ(field("\"42\""), Value("42"));
}

TEST(YamlValueTest, EmptyValueIsNull) {
  EXPECT_TRUE(parseYaml("v:\nw: 1")["v"].is_null());
  EXPECT_TRUE(field("~").is_null());
  EXPECT_TRUE(field("null").is_null());
  EXPECT_EQ(field("''"), Value(""));
}

TEST(YamlValueTest, BooleansAreYaml11Booleans) {
  EXPECT_EQ(field("true"), Value(true));
  EXPECT_EQ(field("False"), Value(false));
  EXPECT_EQ(field("yes"), Value(true));
  EXPECT_EQ(field("off"), Value(false));
  EXPECT_EQ(field("'true'"), Value("true"));
}

TEST(YamlValueTest, FloatsNeedADotAsInPyYaml) {
  EXPECT_TRUE(field("1.5").is_number_float());
  EXPECT_DOUBLE_EQ(field("1.5").get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(field("1.0e+3").get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(field(".5").get<double>(), 0.5);
  EXPECT_EQ(field("1e5"), Value("1e5"));
  EXPECT_TRUE(std::isinf(field(".inf").get<double>()));
}

TEST(YamlValueTest, OctalHexBinaryAndSexagesimalIntegers) {
  EXPECT_EQ(field("010"), Value(8));
  EXPECT_EQ(field("0x1f"), Value(31));
  EXPECT_EQ(field("0b101"), Value(5));
  EXPECT_EQ(field("1:30"), Value(90));
  EXPECT_EQ(field("09"), Value("09"));
}

TEST(YamlValueTest, BlockScalarsAreStrings) {
  EXPECT_EQ(parseYaml("v: |\n  42\n")["v"], Value("42\n"));
  EXPECT_EQ(parseYaml("v: >\n  a\n  b\n")["v"], Value("a b\n"));
}

TEST(YamlValueTest, ExplicitTagsDecideTheType) {
  EXPECT_EQ(field("!!str 42"), Value("42"));
  EXPECT_EQ(field("!!int '7'"), Value(7));
  EXPECT_THROW(field("!custom x"), std::runtime_error);
}

TEST(YamlValueTest, MappingsKeepTheirKeyOrder) {
  Value v = parseYaml("z: 1\na: 2\nm: 3\n");
  std::vector<std::string> keys;
  for (const auto& [k, _] : v.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
}

TEST(YamlValueTest, FlowSequencesAndNestedMappings) {
  Value v = parseYaml("Input:\n  name: Alice\n  tags: [admin, active]\n");
  EXPECT_EQ(v["Input"]["tags"], Value::array({"admin", "active"}));
  EXPECT_EQ(parseYaml("v: ['${A}', 3]")["v"], Value::array({"${A}", 3}));
}

TEST(YamlValueTest, MergeKeysFillMissingKeys) {
  Value v = parseYaml("base: &b {x: 1, y: 2}\nv:\n  <<: *b\n  y: 3\n");
  EXPECT_EQ(v["v"]["x"], Value(1));
  EXPECT_EQ(v["v"]["y"], Value(3));
}

TEST(YamlValueTest, InvalidYamlNamesTheProblem) { EXPECT_THROW(parseYaml("a: [1, 2"), std::runtime_error); }

std::string yamlError(const std::string& text) {
  try {
    parseYaml(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(YamlValueTest, AMalformedTaggedScalarIsAnErrorWithItsLine) {
  EXPECT_THAT(yamlError("a: 1\nb: !!int 1:x\n"), ::testing::HasSubstr("line 2: !!int '1:x' is not an integer"));
  EXPECT_THAT(yamlError("a: 1\nb:\n  c: !!int abc\n"), ::testing::HasSubstr("line 3:"));
  EXPECT_THAT(yamlError("b: !!float x1\n"), ::testing::HasSubstr("line 1: !!float 'x1' is not a number"));
  // Out of the 64-bit range, as PyYAML's unbounded int and float read it: no error.
  EXPECT_DOUBLE_EQ(field("!!int 99999999999999999999:59").get<double>(), 1e20 * 60 + 59);
  EXPECT_TRUE(std::isinf(field("!!float 1.0e+999").get<double>()));
  EXPECT_EQ(field("!!float 1e3"), Value(1000.0));
}

TEST(YamlValueTest, AMalformedScalarInAFileNamesTheFileAndLine) {
  auto path = std::filesystem::temp_directory_path() / "rewind_yaml_value_test_bad_int.yaml";
  std::ofstream(path) << "Input: 1\nExpectedResult:\n  Result: !!int 12x\n";
  try {
    loadYamlFile(path.string());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path.string() + ": line 3: !!int '12x' is not an integer"));
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rwd::conformance
