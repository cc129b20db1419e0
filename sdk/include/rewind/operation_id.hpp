// OperationId: an operation's id (the wire Id of a record or a history event), held
// inline.
//
// Rewind's ids are 16 hexadecimal characters (md5-16 of the positional step id), one
// more than libstdc++'s std::string keeps without a heap buffer: held as std::string, a
// record and each of its history events allocated its id and its parent's id again (a
// map item: twelve allocations, a step: three). OperationId keeps up to 23 characters in
// itself (longer ids, which other runtimes may send, on the heap) and reads like a
// string:
//
//   if (op.id == "5f4dcc3b5aa765d6") ...             // with std::string, string_view, char*
//   std::string s = op.id;                            // converts to std::string
//   std::string_view v = op.id;                       // and to std::string_view
//   std::cout << op.id;  fmt::format("{}", op.id);  op.id + "-1";
//   std::optional<std::string> p = op.parentId;       // optional<OperationId> converts too
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace rwd {

class OperationId {
 public:
  static constexpr std::size_t kInlineCapacity = 23;
  static constexpr std::size_t npos = std::string_view::npos;

  OperationId() noexcept { s_.chars[0] = '\0'; }
  OperationId(std::string_view text) { init(text); }                    // NOLINT(google-explicit-constructor)
  OperationId(const std::string& text) { init(text); }                  // NOLINT(google-explicit-constructor)
  OperationId(const char* text) { init(std::string_view(text)); }       // NOLINT(google-explicit-constructor)
  OperationId(const OperationId& other) { init(other.view()); }
  OperationId(OperationId&& other) noexcept { take(other); }
  ~OperationId() { release(); }

  OperationId& operator=(const OperationId& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  OperationId& operator=(OperationId&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  OperationId& operator=(std::string_view text) {
    assign(text);
    return *this;
  }
  OperationId& operator=(const std::string& text) { return *this = std::string_view(text); }
  OperationId& operator=(const char* text) { return *this = std::string_view(text); }

  const char* data() const noexcept { return onHeap_ ? s_.heap : s_.chars; }
  const char* c_str() const noexcept { return data(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t length() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size_; }
  char operator[](std::size_t i) const noexcept { return data()[i]; }
  char front() const noexcept { return data()[0]; }
  char back() const noexcept { return data()[size_ - 1]; }

  std::string_view view() const noexcept { return {data(), size_}; }
  std::string str() const { return std::string(view()); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  operator std::string() const { return str(); }                 // NOLINT(google-explicit-constructor)

  std::string substr(std::size_t pos = 0, std::size_t count = npos) const { return std::string(view().substr(pos, count)); }
  std::size_t find(std::string_view s, std::size_t pos = 0) const noexcept { return view().find(s, pos); }
  std::size_t find(char c, std::size_t pos = 0) const noexcept { return view().find(c, pos); }
  std::size_t rfind(char c, std::size_t pos = npos) const noexcept { return view().rfind(c, pos); }
  bool starts_with(std::string_view s) const noexcept { return view().starts_with(s); }
  bool ends_with(std::string_view s) const noexcept { return view().ends_with(s); }
  int compare(std::string_view s) const noexcept { return view().compare(s); }

  void clear() noexcept {
    release();
    s_.chars[0] = '\0';
  }
  void swap(OperationId& other) noexcept {
    OperationId t(std::move(other));
    other = std::move(*this);
    *this = std::move(t);
  }

  friend bool operator==(const OperationId& a, const OperationId& b) noexcept { return a.view() == b.view(); }
  friend std::strong_ordering operator<=>(const OperationId& a, const OperationId& b) noexcept {
    return a.view() <=> b.view();
  }
  // With std::string, std::string_view and character strings (either side).
  template <class S>
    requires(std::is_convertible_v<const S&, std::string_view> && !std::is_same_v<S, OperationId>)
  friend bool operator==(const OperationId& a, const S& b) {
    return a.view() == std::string_view(b);
  }
  template <class S>
    requires(std::is_convertible_v<const S&, std::string_view> && !std::is_same_v<S, OperationId>)
  friend std::strong_ordering operator<=>(const OperationId& a, const S& b) {
    return a.view() <=> std::string_view(b);
  }

  friend std::string operator+(const OperationId& a, const OperationId& b) { return concat(a.view(), b.view()); }
  friend std::string operator+(const OperationId& a, std::string_view b) { return concat(a.view(), b); }
  friend std::string operator+(std::string_view a, const OperationId& b) { return concat(a, b.view()); }
  friend std::string operator+(const OperationId& a, const char* b) { return concat(a.view(), b); }
  friend std::string operator+(const char* a, const OperationId& b) { return concat(a, b.view()); }
  friend std::string operator+(const OperationId& a, const std::string& b) { return concat(a.view(), b); }
  friend std::string operator+(const std::string& a, const OperationId& b) { return concat(a, b.view()); }

  template <class Stream>
  friend auto operator<<(Stream& os, const OperationId& id) -> decltype(os << std::string_view()) {
    return os << id.view();
  }

 private:
  static std::string concat(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    out.append(a).append(b);
    return out;
  }

  void init(std::string_view text) {
    size_ = static_cast<std::uint32_t>(text.size());
    if (text.size() <= kInlineCapacity) {
      if (!text.empty()) std::memcpy(s_.chars, text.data(), text.size());
      s_.chars[text.size()] = '\0';
      return;
    }
    char* p = new char[text.size() + 1];
    std::memcpy(p, text.data(), text.size());
    p[text.size()] = '\0';
    s_.heap = p;
    onHeap_ = true;
  }
  void assign(std::string_view text) {
    if (text.size() <= kInlineCapacity) {
      char copy[kInlineCapacity];  // `text` may be this id's own characters
      if (!text.empty()) std::memcpy(copy, text.data(), text.size());
      release();
      if (!text.empty()) std::memcpy(s_.chars, copy, text.size());
      s_.chars[text.size()] = '\0';
      size_ = static_cast<std::uint32_t>(text.size());
      return;
    }
    OperationId copy(text);
    release();
    take(copy);
  }
  void take(OperationId& other) noexcept {
    size_ = other.size_;
    onHeap_ = other.onHeap_;
    if (onHeap_)
      s_.heap = other.s_.heap;
    else
      std::memcpy(s_.chars, other.s_.chars, sizeof s_.chars);
    other.onHeap_ = false;
    other.size_ = 0;
    other.s_.chars[0] = '\0';
  }
  void release() noexcept {
    if (onHeap_) delete[] s_.heap;
    onHeap_ = false;
    size_ = 0;
  }

  union Storage {
    char chars[kInlineCapacity + 1];  // NUL-terminated
    char* heap;                       // size_ + 1 characters, NUL-terminated
  } s_;
  std::uint32_t size_ = 0;
  bool onHeap_ = false;
};

}  // namespace rwd

template <>
struct std::hash<rwd::OperationId> {
  std::size_t operator()(const rwd::OperationId& id) const noexcept { return std::hash<std::string_view>{}(id.view()); }
};
