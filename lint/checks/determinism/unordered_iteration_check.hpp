// UnorderedIterationCheck: see lint/docs/checks/ for what it flags and why.
#pragma once

#include <memory>
#include <string>

#include "core/check.hpp"

namespace rwd::lint {

class UnorderedIterationCheck : public Check {
 public:
  UnorderedIterationCheck(const std::string& name, const OptionReader& options);
  void check(const RewindModel& model, DiagnosticSink& sink) override;

 private:
  struct Config;
  std::shared_ptr<const Config> config_;
};

}  // namespace rwd::lint
