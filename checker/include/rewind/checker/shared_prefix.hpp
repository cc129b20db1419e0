// SharedPrefixVector<T>: an append-only sequence whose first elements may be shared,
// read-only, with another one. A crash run that the checker resumes from the reference
// run's state starts with the reference's checkpoint updates and step-body starts up to
// its crash point; it holds them by reference instead of copying them for every run.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace rwd::checker {

template <class T>
class SharedPrefixVector {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using const_reference = const T&;

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    const_iterator(const SharedPrefixVector* v, std::size_t i) : v_(v), i_(i) {}
    reference operator*() const { return (*v_)[i_]; }
    pointer operator->() const { return &(*v_)[i_]; }
    reference operator[](difference_type n) const {
      return (*v_)[static_cast<std::size_t>(static_cast<difference_type>(i_) + n)];
    }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator t = *this;
      ++i_;
      return t;
    }
    const_iterator& operator--() {
      --i_;
      return *this;
    }
    const_iterator operator--(int) {
      const_iterator t = *this;
      --i_;
      return t;
    }
    const_iterator& operator+=(difference_type n) {
      i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n);
      return *this;
    }
    const_iterator& operator-=(difference_type n) { return *this += -n; }
    friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
    friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
    friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

   private:
    const SharedPrefixVector* v_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = const_iterator;

  SharedPrefixVector() = default;

  std::size_t size() const noexcept { return shared_ + own_.size(); }
  bool empty() const noexcept { return size() == 0; }
  const T& operator[](std::size_t i) const { return i < shared_ ? (*base_)[i] : own_[i - shared_]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return own_.empty() ? (*base_)[shared_ - 1] : own_.back(); }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  // std::vector's names, so that code written against RunTrace's former vectors compiles.
  void push_back(T v) { own_.push_back(std::move(v)); }  // NOLINT(readability-identifier-naming)
  template <class... A>
  const T& emplace_back(A&&... args) {  // NOLINT(readability-identifier-naming)
    return own_.emplace_back(std::forward<A>(args)...);
  }
  void reserve(std::size_t n) { own_.reserve(n > shared_ ? n - shared_ : 0); }
  void clear() noexcept {
    base_.reset();
    shared_ = 0;
    own_.clear();
  }

  // Moves every element into shared storage, so that other sequences can share them.
  void freeze() {
    if (own_.empty()) return;
    if (shared_ == 0) {
      base_ = std::make_shared<const std::vector<T>>(std::move(own_));
    } else {
      std::vector<T> all(base_->begin(), base_->begin() + static_cast<difference_type>(shared_));
      all.insert(all.end(), std::make_move_iterator(own_.begin()), std::make_move_iterator(own_.end()));
      base_ = std::make_shared<const std::vector<T>>(std::move(all));
    }
    shared_ = base_->size();
    own_ = {};
  }

  // Becomes the first `n` elements of `other`: shared when `other` holds them frozen,
  // copied otherwise.
  void assignPrefix(const SharedPrefixVector& other, std::size_t n) {
    clear();
    if (n <= other.shared_) {
      base_ = other.base_;
      shared_ = n;
      return;
    }
    own_.assign(other.begin(), other.begin() + static_cast<difference_type>(n));
  }

 private:
  std::shared_ptr<const std::vector<T>> base_;
  std::size_t shared_ = 0;  // elements of *base_ that come first
  std::vector<T> own_;
};

}  // namespace rwd::checker
