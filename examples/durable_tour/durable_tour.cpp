// durable_tour: the workflow, its invoke target and default services for `rewind-run`.
//   rewind-run build/examples/durable_tour/libdurable_tour.so --handler durable-tour --skip-time
//     --event '{"traveller":"ada","cities":["Lisbon","Porto"],"departure":"2025-01-03T09:00:00Z"}'
//     --respond 'approve-plan=success:ok@600' --respond 'payment=success:paid@60'
#include "durable_tour.hpp"

#include <rewind/handler.hpp>
#include <rewind/history_json.hpp>

namespace tour {

using namespace std::chrono_literals;

double insuranceQuote(const TripRequest& trip) { return 12.5 * static_cast<double>(trip.cities.size()); }

Itinerary DurableTour::operator()(const TripRequest& trip, rwd::DurableContext& ctx) const {
  const std::string key = trip.traveller + "/";
  Itinerary out;

  // step: a deterministic plan, checkpointed.
  auto cities = ctx.step("plan", [&] { return trip.cities; });

  // waitForCallback: a human approves the plan.
  out.approval = ctx.waitForCallback(
      "approve-plan", [&](const std::string& callbackId) { services_.requestApproval(key + "approve", callbackId); },
      {.timeout = 24h});

  // wait: a cooling-off period (always suspends).
  ctx.wait("cool-off", 10min);

  // parallel: flight and hotel at once.
  auto bookings = ctx.parallel<std::string>(
      "book", {{"flight",
                [&](rwd::DurableContext& c) {
                  return c.step("book-flight", [&] { return services_.book(key + "flight", "flight"); });
                }},
               {"hotel", [&](rwd::DurableContext& c) {
                  return c.step("book-hotel", [&] { return services_.book(key + "hotel", "hotel"); });
                }}});
  bookings.throwIfError();
  out.bookings = bookings.getResults();

  // map: one postcard per city, at most two at a time.
  auto postcards = ctx.map(
      "postcards", cities,
      [&](rwd::DurableContext& c, const std::string& city, std::size_t, const std::vector<std::string>&) {
        return c.step("write", [&] { return services_.postcard(key + "postcard/" + city, city); });
      },
      {.maxConcurrency = 2, .itemNamer = [](const std::string& city, std::size_t) { return "postcard-" + city; }});
  postcards.throwIfError();
  out.postcards = postcards.getResults();

  // waitForCondition: poll the visa office until the visa is ready.
  auto visa = ctx.waitForCondition<VisaStatus>(
      "visa",
      [&](const VisaStatus& seen) {
        return VisaStatus{seen.checks + 1, services_.visaReady(trip.traveller)};
      },
      {.waitStrategy =
           rwd::createWaitStrategy<VisaStatus>({.shouldContinuePolling = [](const VisaStatus& s) { return !s.ready; },
                                                .maxAttempts = 10,
                                                .initialDelay = 1h,
                                                .jitter = rwd::JitterStrategy::None})});
  out.visaChecks = visa.checks;

  // invoke: another function quotes the insurance.
  out.insurance = ctx.invoke<double>("insurance", "insurance-quote", trip);

  // runInChildContext: checkout as one unit, with a callback from the payment provider.
  out.payment = ctx.runInChildContext("checkout", [&](rwd::DurableContext& c) {
    auto payment = c.createCallback("payment", {.timeout = 1h});
    c.step("start-payment", [&] { services_.startPayment(key + "pay", payment.callbackId()); });
    return payment.result();
  });

  // waitUntil: sleep until the departure time given in the request.
  auto departure = rwd::parseTimestamp(trip.departure);
  if (!departure) throw rwd::Error("tour.BadDeparture", "departure is not an ISO-8601 time: " + trip.departure);
  ctx.waitUntil("departure", *departure);
  ctx.logger().info("bon voyage, " + trip.traveller);
  return out;
}

namespace {

// Deterministic stand-ins: references derive from the idempotency key.
class DemoTravel : public TravelServices {
 public:
  void requestApproval(const std::string&, const std::string&) const override {}
  std::string book(const std::string& key, const std::string&) const override { return "booked:" + key; }
  std::string postcard(const std::string&, const std::string& city) const override { return "Greetings from " + city; }
  bool visaReady(const std::string&) const override { return true; }
  void startPayment(const std::string&, const std::string&) const override {}
};

Itinerary durableTour(const TripRequest& trip, rwd::DurableContext& ctx) {
  static const DemoTravel services;
  return DurableTour(services)(trip, ctx);
}

}  // namespace
}  // namespace tour

REWIND_HANDLER("durable-tour", tour::durableTour);
REWIND_FUNCTION("insurance-quote", tour::insuranceQuote);
