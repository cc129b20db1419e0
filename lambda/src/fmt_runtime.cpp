// {fmt}'s compiled part, built into every rewind_add_lambda() bootstrap so that the zip
// does not carry libfmt.so.9 — which would bring the shared libstdc++.so.6 and
// libgcc_s.so.1 of the build machine along with it, and those need a newer glibc than
// provided.al2023 has. Debian ships no static libfmt: this translation unit compiles the
// library's non-inline functions from the installed fmt 9 headers (format-inl.h holds
// them when FMT_HEADER_ONLY is not defined) and instantiates the templates that
// libfmt.so.9 exports, so every fmt::format call of the SDK and the handlers binds here
// and the linker (--as-needed) drops libfmt.so.9. fmt/os.h's file classes are not part of
// it: a handler using them brings libfmt.so.9 back (and the package check says so).
#include <fmt/format-inl.h>

#include "glibc_compat.hpp"

extern "C" const int rewind_lambda_fmt_runtime_v1 = FMT_VERSION;

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template FMT_API locale_ref::locale_ref(const std::locale& loc);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;
template FMT_API auto decimal_point_impl(locale_ref) -> wchar_t;
template FMT_API void buffer<char>::append(const char*, const char*);
template FMT_API void buffer<wchar_t>::append(const wchar_t*, const wchar_t*);
template FMT_API void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);

}  // namespace detail
FMT_END_NAMESPACE
