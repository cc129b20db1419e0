#!/usr/bin/env bash
# One command for the whole test suite: install, build once (Release, -Werror), run unit
# tests, conformance, examples, lint over the project's own sources and each benchmark
# once; run each libFuzzer target briefly (fuzz/run.sh); then build with AddressSanitizer +
# UndefinedBehaviorSanitizer and run the tests again. REWIND_SKIP_FUZZ=1 / REWIND_SKIP_ASAN=1
# skip those passes.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${REWIND_JOBS:-2}"
phase_start=$SECONDS
phase() { echo "== $1 (after $((SECONDS - phase_start)) s)"; }

phase "install dependencies"
scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"

phase "configure + build (RelWithDebInfo, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREWIND_WERROR=ON
cmake --build build -j"$jobs"

phase "tests (unit, conformance, examples, lint)"
(cd build && ctest -j"$jobs" --output-on-failure --timeout 600)

if [ -d build/bench ] && ls build/bench/bm_* >/dev/null 2>&1; then
  phase "benchmarks (smoke: each once)"
  for b in build/bench/bm_*; do
    [ -x "$b" ] && "$b" --benchmark_min_time=0.01 >/dev/null
  done
  echo "benchmarks ran"
fi

if [ "${REWIND_SKIP_FUZZ:-0}" != 1 ]; then
  # libFuzzer targets (clang-16, ASan+UBSan) over the input readers, a short run each on
  # the seed corpora; fuzz/README.md has the command for long runs.
  # A fixed number of inputs from a fixed seed (repeatable); REWIND_FUZZ_RUNS overrides.
  phase "fuzz (each target ${REWIND_FUZZ_RUNS:-20000} inputs)"
  REWIND_FUZZ_RUNS="${REWIND_FUZZ_RUNS:-20000}" fuzz/run.sh
  echo "fuzzers ran"
fi

if [ "${REWIND_SKIP_ASAN:-0}" != 1 ]; then
  phase "configure + build (ASan + UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DREWIND_SANITIZE=ON -DREWIND_BUILD_LINT=OFF -DREWIND_BUILD_BENCH=OFF
  cmake --build build-asan -j"$jobs"
  phase "tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest -j"$jobs" --output-on-failure --timeout 900)
fi
phase "done"
