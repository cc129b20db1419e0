// The result of parallel() and map(): per-item outcomes in index order, the reason the
// batch completed, and counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "rewind/boxed.hpp"
#include "rewind/error.hpp"
#include "rewind/json_text.hpp"
#include "rewind/serdes.hpp"

namespace rwd {

enum class BatchItemStatus { Succeeded, Failed, Started };
enum class CompletionReason { AllCompleted, MinSuccessfulReached, FailureToleranceExceeded };
std::string_view toString(BatchItemStatus s);
std::string_view toString(CompletionReason r);
std::optional<CompletionReason> completionReasonFromString(std::string_view s);
std::optional<BatchItemStatus> batchItemStatusFromString(std::string_view s);

template <class R>
struct BatchItem {
  std::size_t index = 0;
  BatchItemStatus status = BatchItemStatus::Started;
  std::optional<R> result;
  // Boxed (read and written as a std::optional, boxed.hpp): most items have no error,
  // and a map's result holds one BatchItem per item (168 bytes each held inline).
  Boxed<ErrorObject> error;
};

// Only started items appear in `all`; items never started count nowhere.
template <class R>
struct BatchResult {
  std::vector<BatchItem<R>> all;
  CompletionReason completionReason = CompletionReason::AllCompleted;

  bool hasFailure() const { return failureCount() > 0; }
  BatchItemStatus status() const { return hasFailure() ? BatchItemStatus::Failed : BatchItemStatus::Succeeded; }
  std::size_t successCount() const { return count(BatchItemStatus::Succeeded); }
  std::size_t failureCount() const { return count(BatchItemStatus::Failed); }
  std::size_t startedCount() const { return count(BatchItemStatus::Started); }
  std::size_t totalCount() const { return all.size(); }
  std::vector<BatchItem<R>> succeeded() const { return filter(BatchItemStatus::Succeeded); }
  std::vector<BatchItem<R>> failed() const { return filter(BatchItemStatus::Failed); }
  std::vector<R> getResults() const {
    std::vector<R> out;
    for (const auto& i : all)
      if (i.status == BatchItemStatus::Succeeded) out.push_back(*i.result);
    return out;
  }
  std::vector<ErrorObject> getErrors() const {
    std::vector<ErrorObject> out;
    for (const auto& i : all)
      if (i.status == BatchItemStatus::Failed) out.push_back(*i.error);
    return out;
  }
  // Throws BatchCompletionError carrying the first failed item's error type and message.
  void throwIfError() const {
    for (const auto& i : all)
      if (i.status == BatchItemStatus::Failed)
        throw BatchCompletionError(i.error->errorMessage, i.error->errorType, i.error->errorData);
  }

 private:
  std::size_t count(BatchItemStatus s) const {
    std::size_t n = 0;
    for (const auto& i : all) n += i.status == s;
    return n;
  }
  std::vector<BatchItem<R>> filter(BatchItemStatus s) const {
    std::vector<BatchItem<R>> out;
    for (const auto& i : all)
      if (i.status == s) out.push_back(i);
    return out;
  }
};

namespace internal {
Json errorToJson(const ErrorObject& e);
ErrorObject errorFromJson(const Json& j);
}  // namespace internal

// Default JSON: {"completionReason": "...", "all": [{"index", "status", "result" | "error"}]}.
template <class R>
void to_json(Json& j, const BatchResult<R>& b) {
  Json all = Json::array();
  for (const auto& i : b.all) {
    Json item{{"index", i.index}, {"status", toString(i.status)}};
    if (i.result) item["result"] = *i.result;
    if (i.error) item["error"] = internal::errorToJson(*i.error);
    all.push_back(std::move(item));
  }
  j = Json{{"completionReason", toString(b.completionReason)}, {"all", std::move(all)}};
}

template <class R>
void from_json(const Json& j, BatchResult<R>& b) {
  b.completionReason = completionReasonFromString(j.at("completionReason").get<std::string>())
                           .value_or(CompletionReason::AllCompleted);
  b.all.clear();
  for (const auto& it : j.at("all")) {
    BatchItem<R> item;
    std::optional<std::int64_t> index = wholeNumberIn(it.at("index"), 0, std::numeric_limits<std::int64_t>::max());
    if (!index)
      throw std::invalid_argument("[rewind.batch.bad_result] a batch item's index is " +
                                  it.at("index").dump().substr(0, 100) + ", not a whole number of 0 or more");
    item.index = static_cast<std::size_t>(*index);
    item.status = batchItemStatusFromString(it.at("status").get<std::string>()).value_or(BatchItemStatus::Started);
    if (it.contains("result")) item.result = it.at("result").get<R>();
    if (it.contains("error")) item.error = internal::errorFromJson(it.at("error"));
    b.all.push_back(std::move(item));
  }
}

}  // namespace rwd
