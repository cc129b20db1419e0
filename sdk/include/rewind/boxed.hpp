// Boxed<T>: an optional value kept on the heap, with std::optional's interface.
//
// Operation records and history events carry several large parts of which at most one
// or two are set (a step's details, an error). Held inline as std::optional they made a
// record over a kilobyte to build, move and copy; boxed, an unset part costs one null
// pointer. Reads and writes look the same as with std::optional:
//
//   if (op.stepDetails) use(op.stepDetails->attempt);
//   op.stepDetails.emplace();
//   event.error = update.error;                      // from std::optional<T> too
//   std::optional<ErrorObject> e = event.error;      // and back
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace rwd {

template <class T>
class Boxed {
 public:
  using value_type = T;

  Boxed() noexcept = default;
  Boxed(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor): as std::optional
  Boxed(const T& v) : p_(std::make_unique<T>(v)) {}             // NOLINT(google-explicit-constructor)
  Boxed(T&& v) : p_(std::make_unique<T>(std::move(v))) {}       // NOLINT(google-explicit-constructor)
  Boxed(const std::optional<T>& o) : p_(o ? std::make_unique<T>(*o) : nullptr) {}  // NOLINT
  Boxed(std::optional<T>&& o) : p_(o ? std::make_unique<T>(std::move(*o)) : nullptr) {}  // NOLINT
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  ~Boxed() = default;

  Boxed& operator=(const Boxed& o) {
    if (this != &o) assign(o.p_.get());
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(std::nullopt_t) noexcept {
    p_.reset();
    return *this;
  }
  Boxed& operator=(const T& v) {
    assign(&v);
    return *this;
  }
  Boxed& operator=(T&& v) {
    if (p_) *p_ = std::move(v);
    else p_ = std::make_unique<T>(std::move(v));
    return *this;
  }
  Boxed& operator=(const std::optional<T>& o) {
    assign(o ? &*o : nullptr);
    return *this;
  }
  Boxed& operator=(std::optional<T>&& o) {
    if (!o) p_.reset();
    else *this = std::move(*o);
    return *this;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() noexcept { p_.reset(); }

  bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T& operator*() & { return *p_; }
  const T& operator*() const& { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& value() & {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  const T& value() const& {
    if (!p_) throw std::bad_optional_access();
    return *p_;
  }
  template <class U>
  T value_or(U&& fallback) const {
    return p_ ? *p_ : static_cast<T>(std::forward<U>(fallback));
  }

  // A copy as std::optional (for APIs that take one).
  std::optional<T> optional() const { return p_ ? std::optional<T>(*p_) : std::nullopt; }
  operator std::optional<T>() const { return optional(); }  // NOLINT(google-explicit-constructor)

  friend bool operator==(const Boxed& a, const Boxed& b) {
    return a.has_value() == b.has_value() && (!a.p_ || *a.p_ == *b.p_);
  }
  friend bool operator==(const Boxed& a, std::nullopt_t) noexcept { return !a.p_; }
  friend bool operator==(const Boxed& a, const std::optional<T>& b) {
    return a.has_value() == b.has_value() && (!a.p_ || *a.p_ == *b);
  }

 private:
  void assign(const T* v) {
    if (!v) p_.reset();
    else if (p_) *p_ = *v;
    else p_ = std::make_unique<T>(*v);
  }

  std::unique_ptr<T> p_;
};

}  // namespace rwd
