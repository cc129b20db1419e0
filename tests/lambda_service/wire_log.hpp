// WireLog: every durable API message a transport wrote, as JSON, with the service model
// shape it claims to be (the model test checks each against botocore's shapes).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "rewind/serdes.hpp"

namespace rwd::testing {

struct WireMessage {
  std::string shape;  // "CheckpointDurableExecutionRequest", ..., or "DurableExecutionInvocationInput"
  Json body;          // the JSON body
  Json uri;           // members bound to the path ({} when none)
  Json query;         // members bound to the query string ({} when none)
};

// Thread-safe.
class WireLog {
 public:
  void add(std::string shape, Json body, Json uri = Json::object(), Json query = Json::object()) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back({std::move(shape), std::move(body), std::move(uri), std::move(query)});
  }
  std::vector<WireMessage> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  // [{"Shape", "Body", "Uri", "Query"}...]
  Json toJson() const;

 private:
  mutable std::mutex mu_;
  std::vector<WireMessage> messages_;
};

}  // namespace rwd::testing
