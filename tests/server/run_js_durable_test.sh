#!/usr/bin/env bash
# #17.7 / #17.2: handlers written with the official AWS JS durable SDK (js_durable/workflows.mjs)
# hosted by rewind-server as separate node processes (js_durable/function.sh: aws-lambda-ric, or
# the Runtime API loop js_durable/runtime_loop.mjs where the RIC's native addon cannot be built),
# their operations compared with the SDK's own LocalDurableTestRunner's
# (js_durable/js_durable_sdk_test.mjs). Exits 77 (ctest: skipped) without node, npm or the
# registry.
#
#   run_js_durable_test.sh SERVER WORKDIR JS_SOURCE_DIR [ric|loop]
set -euo pipefail
server=$1 work=$2 src=$3 runtime=${4:-ric}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node or npm is not installed"; exit 77
fi
mkdir -p "$work"
work=$(cd "$work" && pwd) src=$(cd "$src" && pwd) server=$(realpath "$server")
run=$(mktemp -d "$work/run.XXXXXX")
cp "$src"/*.mjs "$work/"
# npm install once per package.json (a rerun reuses node_modules). aws-lambda-ric is optional:
# its install builds a native addon (autoconf, automake, libtool, cmake, a C++ compiler).
if ! cmp -s "$src/package.json" "$work/package.json" || [ ! -d "$work/node_modules/@aws/durable-execution-sdk-js-testing" ]; then
  cp "$src/package.json" "$work/"
  echo "npm install (into $work; aws-lambda-ric builds a native addon, a minute or two)"
  if ! (cd "$work" && npm install --no-audit --no-fund --loglevel=error >"$run/npm.log" 2>&1); then
    cat "$run/npm.log"; echo "SKIP: npm install failed (no registry?)"; exit 77
  fi
fi
if [ "$runtime" = ric ] && [ -x "$work/node_modules/.bin/aws-lambda-ric" ]; then
  echo "functions hosted by aws-lambda-ric $(node -p 'require(process.argv[1]).version' "$work/node_modules/aws-lambda-ric/package.json")"
else
  [ "$runtime" = ric ] && echo "aws-lambda-ric is not installed (its native addon did not build): Runtime API loop"
  echo "functions hosted by runtime_loop.mjs"
  runtime=loop
fi
export REWIND_JS_DIR=$work REWIND_JS_RUNTIME=$runtime

# The functions, from a config file (as many functions would be given): each a node process
# running one export of workflows.mjs. They sign their checkpoint calls with the key the
# server gives them; the test signs with AKIDREWIND. Virtual time runs 1000x (a 2-minute wait
# takes 120 ms); InitialExecutionState holds 2 records, so the SDK pages the rest with
# GetDurableExecutionState.
{
  printf 'auth = ["AKIDREWIND:rewind"]\nfunction = ['
  sep=
  for w in retries waits callbacks batches failing observed; do
    printf '%s"%s=%s/function.sh:workflows.%s"' "$sep" "$w" "$src" "$w"; sep=", "
  done
  printf ']\n'
} >"$run/server.toml"
exec 3< <(exec "$server" --listen 127.0.0.1:0 --db "$run/rewind.db" --time-scale 1000 --concurrency 1 \
  --initial-state-items 2 --execution-timeout 31622400 --config "$run/server.toml")
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$run"' EXIT
read -r line <&3
endpoint=${line##* }
echo "server: $endpoint"
cd "$work"
node js_durable_sdk_test.mjs "$endpoint"
