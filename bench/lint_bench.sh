#!/usr/bin/env bash
# Times rewind-lint (all checks) against `clang++-16 -fsyntax-only` on the same
# translation units and prints the ratio per TU (target: <= 1.3x).
#
#   bench/lint_bench.sh [BUILD_DIR] [RUNS] [TU...]
#
# BUILD_DIR holds lint/rewind-lint (default: build). Each TU is parsed with
# -std=c++20 -I runner/include -I tests/lint/fixtures, the same flags for both
# tools; the median of RUNS runs (default 7) is reported. Uses hyperfine when
# installed, else a timing loop. Figures are recorded in lint/docs/performance.md.
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
  tus=("$repo/runner/src/durable_context.cpp"
       "$repo/examples/hello_workflow/hello_workflow.cpp"
       "$repo/examples/buggy/lint/unordered_fan_out.cpp")
fi
flags=(-std=c++20 -I"$repo/runner/include" -I"$repo/tests/lint/fixtures")

# Median wall time in seconds of running "$@" $runs times (after one warm-up).
median() {
  "$@" >/dev/null 2>&1 || true
  local times=()
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

printf '%-48s %12s %12s %7s\n' "translation unit" "syntax-only" "rewind-lint" "ratio"
for tu in "${tus[@]}"; do
  [[ -f "$tu" ]] || { echo "skipping missing $tu" >&2; continue; }
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$runs" -N \
      "$clangxx -fsyntax-only ${flags[*]} $tu" \
      "$lint --quiet $tu -- ${flags[*]}"
    continue
  fi
  base=$(median "$clangxx" -fsyntax-only "${flags[@]}" "$tu")
  lint_time=$(median "$lint" --quiet "$tu" -- "${flags[@]}")
  ratio=$(echo "$lint_time / $base" | bc -l)
  printf '%-48s %11.3fs %11.3fs %6.2fx\n' "${tu#$repo/}" "$base" "$lint_time" "$ratio"
done
