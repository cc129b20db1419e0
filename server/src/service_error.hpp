// ServiceError: a failed API call as the Lambda service reports it — an HTTP status, the
// exception's name (the x-amzn-ErrorType header) and a message with a stable
// [rewind.server.*] id.
#pragma once

#include <stdexcept>
#include <string>

namespace rwd::server::internal {

class ServiceError : public std::runtime_error {
 public:
  ServiceError(int status, std::string type, const std::string& message)
      : std::runtime_error(message), status_(status), type_(std::move(type)) {}
  int status() const noexcept { return status_; }
  const std::string& type() const noexcept { return type_; }

 private:
  int status_;
  std::string type_;
};

inline ServiceError invalidParameter(const std::string& message) {
  return ServiceError(400, "InvalidParameterValueException", message);
}
inline ServiceError notFound(const std::string& message) {
  return ServiceError(404, "ResourceNotFoundException", message);
}

}  // namespace rwd::server::internal
