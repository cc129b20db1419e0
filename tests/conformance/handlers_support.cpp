// Helpers of the conformance handlers.
#include "conformance_handlers.hpp"

namespace conformance {

std::string pyStr(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return value.get<std::string>();
    case Json::value_t::null:
      return "None";
    case Json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case Json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i) out += ", ";
        out += value[i].is_string() ? "'" + value[i].get<std::string>() + "'" : pyStr(value[i]);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        if (!first) out += ", ";
        first = false;
        out += "'" + k + "': " + (v.is_string() ? "'" + v.get<std::string>() + "'" : pyStr(v));
      }
      return out + "}";
    }
    default:
      return value.dump();
  }
}

}  // namespace conformance
