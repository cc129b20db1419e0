// What fixtures/README.md's mocking snippet assumes: the Inventory interface, the
// Reservation workflow that calls it inside a step, and the test fixture.
#pragma once

#include <gtest/gtest.h>
#include <gtest/trompeloeil.hpp>

#include <chrono>
#include <string>

#include <rewind/testing/durable_test.hpp>
#include <rewind/testing/matchers.hpp>

namespace doc_context::inventory {

using namespace rwd::testing;

class Inventory {
 public:
  virtual ~Inventory() = default;
  virtual std::string reserve(const std::string& key, const std::string& sku) const = 0;
};

class Reservation {
 public:
  explicit Reservation(const Inventory& inventory) : inventory_(inventory) {}
  std::string operator()(const std::string& sku, rwd::DurableContext& ctx) const {
    std::string id = ctx.step("reserve", [&] { return inventory_.reserve("order-1/reserve", sku); });
    ctx.wait("hold", std::chrono::minutes(10));
    ctx.waitForCallback("confirm", [](const std::string&) {});
    ctx.wait("settle", std::chrono::hours(1));
    return id;
  }

 private:
  const Inventory& inventory_;
};

class MockingPatternTest : public DurableTest {};

}  // namespace doc_context::inventory
