// JSON text exactly as Python's json.dumps writes it with its defaults: ", " and ": "
// separators, ensure_ascii (non-ASCII as \uXXXX, surrogate pairs above U+FFFF), floats
// as repr() writes them. The conformance runner sends callback payloads in this form
// ({"status": "approved"} keeps its spaces), as the official suite does.
//
//   pythonJsonDumps(Value::parse(R"({"a":[1,2.0,"é"]})"));  // {"a": [1, 2.0, "\u00e9"]}
#pragma once

#include <string>

#include "value.hpp"

namespace rwd::conformance {

std::string pythonJsonDumps(const Value& value);

// repr() of a Python float: shortest round-trip digits, exponent form below 1e-4 and
// from 1e16 on ("1e+16", "1.5e-05"), "inf", "nan".
std::string pythonFloatRepr(double d);

// The text a `${/re/}` is searched in: a string as is, a bool as true/false, a number
// as str() writes it, anything else as json.dumps writes it.
std::string pythonText(const Value& value);

}  // namespace rwd::conformance
