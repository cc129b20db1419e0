#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-16 in their own build directory (build-fuzz/,
# only the fuzz targets and what they link) and runs each for SECONDS (default 30) on its
# seed corpus (fuzz/corpus/<target>/; new inputs go to build-fuzz/corpus/<target>/).
#
#   fuzz/run.sh                     # every target, 30 s each
#   fuzz/run.sh 3600 fuzz_conformance   # one target for an hour (see fuzz/README.md)
#
# A finding leaves crash-*/timeout-*/oom-* in build-fuzz/findings/<target>/ and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
all=(fuzz_event_reader fuzz_history_replay fuzz_invocation_response fuzz_reproduce_token fuzz_conformance)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
jobs="${REWIND_JOBS:-2}"
cxx="${REWIND_FUZZ_CXX:-clang++-16}"
cc="${REWIND_FUZZ_CC:-clang-16}"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DREWIND_BUILD_FUZZ=ON -DREWIND_BUILD_TESTS=OFF -DREWIND_BUILD_LINT=OFF -DREWIND_BUILD_BENCH=OFF \
  -DREWIND_BUILD_SHARED=OFF -DREWIND_INSTALL=OFF -DREWIND_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# REWIND_FUZZ_RUNS=N: a fixed number of inputs from a fixed seed (REWIND_FUZZ_SEED, default
# 1) instead of a time budget, so that a CI run is repeatable (scripts/test.sh uses it).
if [ -n "${REWIND_FUZZ_RUNS:-}" ]; then
  limit=(-runs="$REWIND_FUZZ_RUNS" -seed="${REWIND_FUZZ_SEED:-1}")
else
  limit=(-max_total_time="$seconds")
fi
status=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
  echo "== $t: ${limit[*]}"
  if ! build-fuzz/fuzz/"$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/findings/$t/" \
      "build-fuzz/corpus/$t" "fuzz/corpus/$t" 2>"build-fuzz/$t.log"; then
    echo "$t: FINDING (see build-fuzz/$t.log and build-fuzz/findings/$t/)"
    tail -40 "build-fuzz/$t.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "build-fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $status
