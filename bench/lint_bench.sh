#!/usr/bin/env bash
# Times rewind-lint (all checks) against `clang++-16 -fsyntax-only` on the same
# translation units and prints the ratio per TU (target: <= 1.3x).
#
#   bench/lint_bench.sh [BUILD_DIR] [RUNS] [TU...]
#
# BUILD_DIR holds lint/rewind-lint (default: build). Each TU is parsed with
# -std=c++20 -I sdk/include -I runner/include (and src/) -I tests/lint/fixtures, the same flags for both
# tools; the median of RUNS runs (default 7) is reported. Uses hyperfine when
# installed and USE_HYPERFINE=1, else a
# /usr/bin/time loop reporting wall and CPU medians. Figures are recorded in lint/docs/performance.md.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build}"
runs="${2:-7}"
shift $(( $# > 2 ? 2 : $# )) || true
lint="$build/lint/rewind-lint"
clangxx="${CLANGXX:-clang++-16}"
[[ -x "$lint" ]] || { echo "no $lint: build the rewind-lint target first" >&2; exit 2; }
command -v "$clangxx" >/dev/null || { echo "no $clangxx" >&2; exit 2; }

tus=("$@")
if [[ ${#tus[@]} -eq 0 ]]; then
  tus=("$repo/sdk/src/durable_context.cpp"
       "$repo/examples/hello_workflow/hello_workflow.cpp"
       "$repo/examples/buggy/lint/unordered_fan_out.cpp")
fi
flags=(-std=c++20 -I"$repo/sdk/include" -I"$repo/sdk/src" -I"$repo/runner/include" -I"$repo/runner/src" -I"$repo/tests/lint/fixtures")

# Prints "<median wall s> <median cpu s>" of running "$@" $runs times (after
# one warm-up). CPU time (user+sys) is the robust figure on a shared machine.
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
measure() {
  "$@" >/dev/null 2>&1 || true
  local walls=() cpus=()
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -o "$timing" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -1 "$timing")
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc -l)")
  done
  local mid=$(( (runs + 1) / 2 ))
  echo "$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "${mid}p")" \
       "$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "${mid}p")"
}

printf '%-44s %10s %10s %6s %10s %10s %6s\n' "translation unit" "wall:clang" "wall:lint" "ratio" \
  "cpu:clang" "cpu:lint" "ratio"
for tu in "${tus[@]}"; do
  [[ -f "$tu" ]] || { echo "skipping missing $tu" >&2; continue; }
  if command -v hyperfine >/dev/null && [[ -n "${USE_HYPERFINE:-}" ]]; then
    hyperfine --warmup 1 --runs "$runs" -N \
      "$clangxx -fsyntax-only ${flags[*]} $tu" \
      "$lint --quiet $tu -- ${flags[*]}"
    continue
  fi
  read -r base_wall base_cpu <<<"$(measure "$clangxx" -fsyntax-only "${flags[@]}" "$tu")"
  read -r lint_wall lint_cpu <<<"$(measure "$lint" --quiet "$tu" -- "${flags[@]}")"
  printf '%-44s %9.2fs %9.2fs %5.2fx %9.2fs %9.2fs %5.2fx\n' "${tu#"$repo"/}" \
    "$base_wall" "$lint_wall" "$(echo "$lint_wall / $base_wall" | bc -l)" \
    "$base_cpu" "$lint_cpu" "$(echo "$lint_cpu / $base_cpu" | bc -l)"
done
