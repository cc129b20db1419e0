// support_triage: a support-ticket workflow. An analyzer classifies the ticket (a step
// with a retry strategy), an agent reviews it (waitForCallback, 8 h timeout; a timeout
// escalates), an escalated ticket goes to a specialist (3-day timeout), and a resolved
// ticket is closed out by sending the reply and a survey in parallel.
//
// The outside world is two interfaces, so that tests can mock them (trompeloeil):
//   TicketAnalyzer — the classifier (e.g. an LLM service), may be unavailable;
//   HelpDesk       — review queues, email; idempotent by the key it is given.
// Their methods are const: clients keep no state a step could mutate.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include <rewind/durable_context.hpp>
#include <rewind/retry.hpp>

namespace support {

struct Ticket {
  std::string id;
  std::string customer;
  std::string subject;
  std::string body;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Ticket, id, customer, subject, body)

struct Analysis {
  std::string category;  // billing | technical | general
  std::string severity;  // low | high
  std::string suggestedReply;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Analysis, category, severity, suggestedReply)

// What a reviewer answers through the callback: {"action": "resolve" | "escalate" |
// "reject", "reply": "..."}; an empty reply means the analyzer's suggestion.
struct ReviewDecision {
  std::string action;
  std::string reply;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReviewDecision, action, reply)

struct Outcome {
  std::string ticketId;
  std::string status;     // resolved | rejected
  std::string decidedBy;  // agent | specialist
  std::string category;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Outcome, ticketId, status, decidedBy, category)

// The analyzer is down for a moment: the only error the analyze step retries.
class AnalyzerUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TicketAnalyzer {
 public:
  virtual ~TicketAnalyzer() = default;
  virtual Analysis analyze(const Ticket& ticket) const = 0;
};

class HelpDesk {
 public:
  virtual ~HelpDesk() = default;
  // Puts the ticket in `queue` ("agents", "specialists"); the reviewer answers `callbackId`.
  virtual void requestReview(const std::string& key, const std::string& queue, const std::string& callbackId,
                             const Ticket& ticket, const Analysis& analysis) const = 0;
  virtual void sendReply(const std::string& key, const Ticket& ticket, const std::string& reply) const = 0;
  virtual void sendSurvey(const std::string& key, const Ticket& ticket) const = 0;
};

inline constexpr std::chrono::hours kAgentReviewTimeout{8};
inline constexpr std::chrono::hours kSpecialistReviewTimeout{72};

// The workflow over injected services: callable as a durable handler.
class SupportTriage {
 public:
  SupportTriage(const TicketAnalyzer& analyzer, const HelpDesk& desk) : analyzer_(analyzer), desk_(desk) {}
  Outcome operator()(const Ticket& ticket, rwd::DurableContext& ctx) const;

  // Up to 3 attempts, 2 s then 4 s apart, retrying only AnalyzerUnavailable.
  static rwd::RetryStrategy analyzeRetryStrategy();

 private:
  ReviewDecision review(rwd::DurableContext& ctx, const std::string& name, const std::string& queue,
                        std::chrono::hours timeout, const Ticket& ticket, const Analysis& analysis) const;
  void closeOut(rwd::DurableContext& ctx, const Ticket& ticket, const std::string& reply) const;

  const TicketAnalyzer& analyzer_;
  const HelpDesk& desk_;
};

}  // namespace support
