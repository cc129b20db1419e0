#!/usr/bin/env bash
# Compile cost of a representative handler TU and test TU (bench/compile/), measured
# side by side against two sets of Rewind's public headers: the working tree's and those
# of a git revision (default HEAD) — the measurement #14 point 11 asks for (target: each
# TU at most 60% of the baseline's CPU time).
#
#   bench/compile_cost.sh [BASELINE_REV] [RUNS]
#
# Each TU is compiled RUNS times (default 3) per header set with the flags a user's
# RelWithDebInfo build uses (g++ -std=c++20 -O2 -g -c); the median user+sys CPU seconds
# and the largest max RSS are printed, then new/baseline ratios. The header sets are
# every <dir>/include that holds rewind/ (found, not listed, so moved folders count).
# Then the same TUs with the tree's optional precompiled header (what
# rewind_precompile_headers() gives a target: rewind/precompiled.hpp for the handler TU,
# rewind/checker/precompiled.hpp for the test TU), built once with the same flags (its
# one-time cost is printed as `pch-build`) and used through -include.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:-HEAD}"
runs="${2:-3}"
cxx="${CXX:-g++}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Header directories: */include that contain rewind/, at a revision or in the tree.
include_dirs() {  # $1: root
  find "$1" -path "$1/build*" -prune -o -type d -name rewind -path '*/include/rewind' -print |
    sed 's#/rewind$##' | sort | sed 's#^#-I#'
}
mkdir -p "$tmp/baseline"
(cd "$repo" && git archive "$rev" | tar -x -C "$tmp/baseline")
mapfile -t base_flags < <(include_dirs "$tmp/baseline")
mapfile -t new_flags < <(include_dirs "$repo")

measure() {  # $1: label, $2: tu (or a header: -x c++-header), rest: flags -> "cpu_seconds max_rss_kb"
  local tu=$2
  shift 2
  local times=() rss=0 out="$tmp/out.o"
  [[ $tu == *.hpp ]] && out="$tu.gch"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%U %S %M" -o "$tmp/time" "$cxx" -std=c++20 -O2 -g -c "$tu" -o "$out" "$@" 2>"$tmp/err" ||
      { cat "$tmp/err" >&2; exit 1; }
    read -r user sys mem <"$tmp/time"
    times+=("$(echo "$user + $sys" | bc -l)")
    ((mem > rss)) && rss=$mem
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $rss"
}

printf '%-12s %-10s %10s %10s\n' "tu" "headers" "cpu_s" "max_rss_MB"
declare -A pch_header=([handler_tu]=rewind/precompiled.hpp [test_tu]=rewind/checker/precompiled.hpp)
for tu in handler_tu test_tu; do
  read -r base_cpu base_rss < <(measure baseline "$repo/bench/compile/$tu.cpp" "${base_flags[@]}")
  read -r new_cpu new_rss < <(measure tree "$repo/bench/compile/$tu.cpp" "${new_flags[@]}")
  printf '%-12s %-10s %10.2f %10d\n' "$tu" "$rev" "$base_cpu" $((base_rss / 1024))
  printf '%-12s %-10s %10.2f %10d\n' "$tu" "tree" "$new_cpu" $((new_rss / 1024))
  printf '%-12s %-10s %9.0f%%\n' "$tu" "ratio" "$(echo "100 * $new_cpu / $base_cpu" | bc -l)"
  # The optional precompiled header: built once (as CMake does, from a file that includes
  # it), then every TU of the target starts from it.
  pch="$tmp/pch_$tu.hpp"
  echo "#include <${pch_header[$tu]}>" >"$pch"
  read -r pch_cpu pch_rss < <(measure pch "$pch" "${new_flags[@]}")
  read -r with_cpu with_rss < <(measure tree+pch "$repo/bench/compile/$tu.cpp" -include "$pch" -Winvalid-pch \
    "${new_flags[@]}")
  printf '%-12s %-10s %10.2f %10d\n' "$tu" "pch-build" "$pch_cpu" $((pch_rss / 1024))
  printf '%-12s %-10s %10.2f %10d\n' "$tu" "tree+pch" "$with_cpu" $((with_rss / 1024))
  printf '%-12s %-10s %9.0f%%\n' "$tu" "ratio" "$(echo "100 * $with_cpu / $base_cpu" | bc -l)"
done
