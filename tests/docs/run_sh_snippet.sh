#!/usr/bin/env bash
# Runs one shell snippet of a doc (see extract_snippets.py) in a scratch directory that
# looks like the source tree with its build in build/: each top-level entry of the
# source tree is a symlink, and build/ points at this build tree.
#   run_sh_snippet.sh SOURCE_DIR BINARY_DIR WORK_DIR SNIPPET EXPECTED_EXIT [REQUIRED_FILE]
set -uo pipefail
source_dir=$1 binary_dir=$2 work=$3 snippet=$4 expected=$5 required=${6:-}
if [ -n "$required" ] && [ ! -e "$binary_dir/$required" ]; then
  echo "SKIPPED: build/$required was not built"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/tree"
for entry in "$source_dir"/* "$source_dir"/.[!.]*; do
  name=$(basename "$entry")
  [ -e "$entry" ] && [ "$name" != build ] && ln -s "$entry" "$work/tree/$name"
done
ln -s "$binary_dir" "$work/tree/build"
# ../shared/... in a doc means next to the source tree.
ln -s "$(dirname "$source_dir")"/shared "$work/shared" 2>/dev/null || true
cd "$work/tree"
bash -e "$snippet"
rc=$?
if [ "$rc" != "$expected" ]; then
  echo "the snippet exited $rc, the doc says $expected" >&2
  exit 1
fi
echo "snippet exited $rc as documented"
