// durable_tour: one workflow that uses every durable operation — plan a trip (step),
// have it approved (waitForCallback), cool off (wait), book flight and hotel
// (parallel), write a postcard per city (map), wait for the visa (waitForCondition),
// quote insurance (invoke), check out (runInChildContext with createCallback) and
// wait for the departure time (waitUntil).
//
// Services are an interface (mocked in tests); effects take idempotency keys.
#pragma once

#include <string>
#include <vector>

#include <rewind/durable_context.hpp>

namespace tour {

struct TripRequest {
  std::string traveller;
  std::vector<std::string> cities;
  std::string departure;  // ISO-8601 UTC, e.g. 2025-01-03T09:00:00Z
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TripRequest, traveller, cities, departure)

// The state waitForCondition polls with: checkpointed after each poll.
struct VisaStatus {
  int checks = 0;
  bool ready = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VisaStatus, checks, ready)

struct Itinerary {
  std::string approval;
  std::vector<std::string> bookings;
  std::vector<std::string> postcards;
  int visaChecks = 0;
  double insurance = 0;
  std::string payment;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Itinerary, approval, bookings, postcards, visaChecks, insurance, payment)

class TravelServices {
 public:
  virtual ~TravelServices() = default;
  virtual void requestApproval(const std::string& key, const std::string& callbackId) const = 0;
  virtual std::string book(const std::string& key, const std::string& what) const = 0;
  virtual std::string postcard(const std::string& key, const std::string& city) const = 0;
  virtual bool visaReady(const std::string& traveller) const = 0;
  virtual void startPayment(const std::string& key, const std::string& callbackId) const = 0;
};

// The chained-invoke target the tour calls (registered as REWIND_FUNCTION "insurance-quote").
double insuranceQuote(const TripRequest& trip);

class DurableTour {
 public:
  explicit DurableTour(const TravelServices& services) : services_(services) {}
  Itinerary operator()(const TripRequest& trip, rwd::DurableContext& ctx) const;

 private:
  const TravelServices& services_;
};

}  // namespace tour
