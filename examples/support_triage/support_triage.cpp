// support_triage: the workflow and the default services that `rewind-run` uses.
// (see examples/README.md for the full command):
//   rewind-run build/examples/support_triage/libsupport_triage.so --handler support-triage --skip-time
//     --event '{"id":"T-1","customer":"ada","subject":"refund","body":"I was charged twice"}'
//     --respond 'agent-review=success:{"action":"resolve"}@7200'
#include "support_triage.hpp"

#include <rewind/handler.hpp>

namespace support {

rwd::RetryStrategy SupportTriage::analyzeRetryStrategy() {
  return rwd::createRetryStrategy({.maxAttempts = 3,
                                   .initialDelay = std::chrono::seconds(2),
                                   .jitter = rwd::JitterStrategy::None,
                                   .retryableErrorTypes = {"support::AnalyzerUnavailable"}});
}

Outcome SupportTriage::operator()(const Ticket& ticket, rwd::DurableContext& ctx) const {
  Analysis analysis =
      ctx.step("analyze", [&] { return analyzer_.analyze(ticket); }, {.retryStrategy = analyzeRetryStrategy()});

  ReviewDecision decision;
  std::string decidedBy = "agent";
  try {
    decision = review(ctx, "agent-review", "agents", kAgentReviewTimeout, ticket, analysis);
  } catch (const rwd::CallbackTimeoutError&) {
    // Nobody picked the ticket up in time: a specialist takes it.
    decision = ReviewDecision{"escalate", ""};
  }
  if (decision.action == "escalate") {
    // A specialist that does not answer within 3 days fails the execution (CallbackTimeoutError).
    decision = review(ctx, "specialist-review", "specialists", kSpecialistReviewTimeout, ticket, analysis);
    decidedBy = "specialist";
  }
  if (decision.action == "reject") return Outcome{ticket.id, "rejected", decidedBy, analysis.category};
  if (decision.action != "resolve")
    throw rwd::Error("support.UnknownDecision",
                     "reviewers answer resolve, escalate or reject, not '" + decision.action + "'");

  closeOut(ctx, ticket, decision.reply.empty() ? analysis.suggestedReply : decision.reply);
  return Outcome{ticket.id, "resolved", decidedBy, analysis.category};
}

ReviewDecision SupportTriage::review(rwd::DurableContext& ctx, const std::string& name, const std::string& queue,
                                     std::chrono::hours timeout, const Ticket& ticket, const Analysis& analysis) const {
  return ctx.waitForCallback<ReviewDecision>(name,
                                             [&](const std::string& callbackId, rwd::StepContext& step) {
                                               step.logger().info("asking " + queue + " to review " + ticket.id);
                                               desk_.requestReview(ticket.id + "/" + name, queue, callbackId, ticket,
                                                                   analysis);
                                             },
                                             {.timeout = timeout});
}

void SupportTriage::closeOut(rwd::DurableContext& ctx, const Ticket& ticket, const std::string& reply) const {
  auto done = ctx.parallel<std::string>("close-out", {{"send-reply",
                                                       [&](rwd::DurableContext& branch) {
                                                         return branch.step("email-reply", [&] {
                                                           desk_.sendReply(ticket.id + "/reply", ticket, reply);
                                                           return std::string("replied");
                                                         });
                                                       }},
                                                      {"send-survey", [&](rwd::DurableContext& branch) {
                                                         return branch.step("email-survey", [&] {
                                                           desk_.sendSurvey(ticket.id + "/survey", ticket);
                                                           return std::string("surveyed");
                                                         });
                                                       }}});
  done.throwIfError();
}

namespace {

bool mentions(const Ticket& t, const std::string& word) {
  return t.subject.find(word) != std::string::npos || t.body.find(word) != std::string::npos;
}

// A keyword classifier standing in for the real analyzer service.
class KeywordAnalyzer : public TicketAnalyzer {
 public:
  Analysis analyze(const Ticket& t) const override {
    std::string category = mentions(t, "refund") || mentions(t, "charged") ? "billing"
                           : mentions(t, "crash") || mentions(t, "error")  ? "technical"
                                                                           : "general";
    std::string severity = mentions(t, "urgent") ? "high" : "low";
    return {category, severity, "Thanks " + t.customer + ", we are on it (" + category + ")."};
  }
};

// Records nothing: rewind-run shows the review requests in the step logs.
class OutboxHelpDesk : public HelpDesk {
 public:
  void requestReview(const std::string&, const std::string&, const std::string&, const Ticket&,
                     const Analysis&) const override {}
  void sendReply(const std::string&, const Ticket&, const std::string&) const override {}
  void sendSurvey(const std::string&, const Ticket&) const override {}
};

Outcome triage(const Ticket& ticket, rwd::DurableContext& ctx) {
  static const KeywordAnalyzer analyzer;
  static const OutboxHelpDesk desk;
  return SupportTriage(analyzer, desk)(ticket, ctx);
}

}  // namespace
}  // namespace support

REWIND_HANDLER("support-triage", support::triage);
