// Callback payloads are sent as Python's json.dumps writes them.
#include "python_json.hpp"

#include <gtest/gtest.h>

namespace rwd::conformance {
namespace {

TEST(PythonJsonTest, ObjectsAndListsUseSpacedSeparators) {
  EXPECT_EQ(pythonJsonDumps(Value::parse(R"({"status":"approved","n":[1,2]})")),
            R"({"status": "approved", "n": [1, 2]})");
  EXPECT_EQ(pythonJsonDumps(Value::object()), "{}");
  EXPECT_EQ(pythonJsonDumps(Value::array()), "[]");
}

TEST(PythonJsonTest, ScalarsAsPythonWritesThem) {
  EXPECT_EQ(pythonJsonDumps(Value("abc")), R"("abc")");
  EXPECT_EQ(pythonJsonDumps(Value(42)), "42");
  EXPECT_EQ(pythonJsonDumps(Value(true)), "true");
  EXPECT_EQ(pythonJsonDumps(Value(nullptr)), "null");
  EXPECT_EQ(pythonJsonDumps(Value(2.0)), "2.0");
}

TEST(PythonJsonTest, NonAsciiIsEscapedWithSurrogatePairs) {
  EXPECT_EQ(pythonJsonDumps(Value("caf\xc3\xa9")), R"("caf\u00e9")");
  EXPECT_EQ(pythonJsonDumps(Value("\xf0\x9f\x98\x80")), R"("\ud83d\ude00")");
}

TEST(PythonJsonTest, ControlCharactersAndDelAreEscaped) {
  EXPECT_EQ(pythonJsonDumps(Value("a\"b\\c\nd\te\x01\x7f")), R"("a\"b\\c\nd\te\u0001\u007f")");
}

TEST(PythonJsonTest, FloatReprMatchesPython) {
  EXPECT_EQ(pythonFloatRepr(0.1), "0.1");
  EXPECT_EQ(pythonFloatRepr(1.5), "1.5");
  EXPECT_EQ(pythonFloatRepr(100.0), "100.0");
  EXPECT_EQ(pythonFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(pythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(pythonFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(pythonFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(pythonFloatRepr(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(pythonFloatRepr(123456789.125), "123456789.125");
  EXPECT_EQ(pythonFloatRepr(0.0), "0.0");
}

TEST(PythonJsonTest, TextOfValuesForRegexSearches) {
  EXPECT_EQ(pythonText(Value("x")), "x");
  EXPECT_EQ(pythonText(Value(5)), "5");
  EXPECT_EQ(pythonText(Value(false)), "false");
  EXPECT_EQ(pythonText(Value::parse(R"({"a":1})")), R"({"a": 1})");
  EXPECT_EQ(pythonText(Value(nullptr)), "null");
}

}  // namespace
}  // namespace rwd::conformance
