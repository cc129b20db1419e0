#!/usr/bin/env bash
# One command for a new user: install what is missing, build, run the main example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREWIND_BUILD_LINT=OFF -DREWIND_BUILD_BENCH=OFF
cmake --build build -j2 --target rewind-run hello_workflow
build/tools/rewind-run build/examples/hello_workflow/libhello_workflow.so \
  --handler hello --event '{"userId":"alice"}' --skip-time
