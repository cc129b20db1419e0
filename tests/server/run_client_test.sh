#!/usr/bin/env bash
# Drives a rewind-server (its functions: the test bootstrap's handlers) with a client
# nobody here wrote, and exits 77 (ctest: skipped) when that client is not available.
#
#   run_client_test.sh js  SERVER BOOTSTRAP WORKDIR JS_SOURCE_DIR   # @aws-sdk/client-lambda (npm)
#   run_client_test.sh cli SERVER BOOTSTRAP WORKDIR                 # the aws CLI
#   run_client_test.sh rewind SERVER BOOTSTRAP WORKDIR JS_DIR REWIND  # Rewind's own `rewind` CLI
set -euo pipefail
kind=$1 server=$2 bootstrap=$3 work=$4
mkdir -p "$work"
run=$(mktemp -d "$work/run.XXXXXX")
fifo=$run/callbacks.fifo
mkfifo "$fifo"
export REWIND_SERVER_TEST_FIFO=$fifo REWIND_SERVER_TEST_DIR=$run

case $kind in
  js)
    src=$5
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
      echo "SKIP: node or npm is not installed"; exit 77
    fi
    cp "$src/package.json" "$src/durable_client_test.mjs" "$work/"
    if [ ! -d "$work/node_modules/@aws-sdk/client-lambda" ]; then
      if ! (cd "$work" && npm install --no-audit --no-fund --loglevel=error >"$run/npm.log" 2>&1); then
        cat "$run/npm.log"; echo "SKIP: npm install failed (no registry?)"; exit 77
      fi
    fi
    ;;
  cli)
    if ! command -v aws >/dev/null; then echo "SKIP: the aws CLI is not installed"; exit 77; fi
    ;;
  rewind) rewind_cli=$6 ;;
  *) echo "unknown client kind '$kind'"; exit 2 ;;
esac

fns=()
for h in steps-and-wait callback; do fns+=(--function "$h=$bootstrap:$h"); done
# Every client signs with AKIDREWIND/rewind: the server checks it (SigV4), given on the
# command line, or for the aws CLI in a config file.
if [ "$kind" = cli ]; then
  printf 'auth = ["AKIDOTHER:x", "AKIDREWIND:rewind"]\n' >"$run/server.toml"
  fns+=(--config "$run/server.toml")
else
  fns+=(--auth AKIDOTHER:x,AKIDREWIND:rewind)
fi
exec 3< <(exec "$server" --listen 127.0.0.1:0 --db "$run/rewind.db" --time-scale 1000 "${fns[@]}")
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$run"' EXIT
read -r line <&3
endpoint=${line##* }
echo "server: $endpoint"

if [ "$kind" = js ]; then
  (cd "$work" && node durable_client_test.mjs "$endpoint" "$fifo")
  exit
fi
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
expect() {  # expect WHAT ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then echo "not ok - $1: got '$2', expected '$3'"; exit 1; fi
  echo "ok - $1"
}

if [ "$kind" = rewind ]; then
  export AWS_ACCESS_KEY_ID=AKIDREWIND AWS_SECRET_ACCESS_KEY=rewind AWS_REGION=us-east-1
  rw() { "$rewind_cli" --endpoint "$endpoint" "$@"; }
  out=$(rw start steps-and-wait --name rw-sync --payload '{"key":"rw"}')
  expect "start waits for the result" "$(json 'd["Payload"]' <<<"$out")" '"hello rw done"'
  arn=$(json 'd["DurableExecutionArn"]' <<<"$out")
  expect "describe" "$(rw describe "$arn" | json 'd["Status"]')" SUCCEEDED
  expect "history" "$(rw history "$arn" | json 'len(d["Events"])')" 10
  out=$(rw start callback --name rw-cb --payload '{"key":"rw-cb"}' --async)
  expect "start --async" "$(json 'd["StatusCode"]' <<<"$out")" 202
  read -r key id <"$fifo"
  rw callback heartbeat "$id" >/dev/null
  rw callback succeed "$id" --payload '"via rewind"' >/dev/null
  expect "callback answered" "$(rw start callback --name rw-cb --payload '{"key":"rw-cb"}' | json 'd["Payload"]')" '"approved:\"via rewind\""'
  out=$(rw start callback --name rw-stop --payload '{"key":"rw-stop"}' --async)
  read -r key id <"$fifo"
  stop_arn=$(json 'd["DurableExecutionArn"]' <<<"$out")
  rw stop "$stop_arn" >/dev/null
  expect "list --status" "$(rw list callback --status STOPPED | json '",".join(e["DurableExecutionName"] for e in d["DurableExecutions"])')" rw-stop
  expect "redrive" "$(rw redrive "$stop_arn" | json '"RedriveTimestamp" in d')" True
  read -r key id <"$fifo"  # the stopped callback runs again, with a new id
  rw callback succeed "$id" --payload '"redriven"' >/dev/null
  expect "redriven execution ends" "$(rw start callback --name rw-stop --payload '{"key":"rw-stop"}' | json 'd["Payload"]')" '"approved:\"redriven\""'
  if rw describe "${arn%/*}/0000" 2>"$run/err"; then echo "not ok - an unknown execution was found"; exit 1; fi
  expect "error id" "$(grep -o '\[rewind.client.[A-Za-z]*\]' "$run/err")" "[rewind.client.ResourceNotFoundException]"
  echo "all rewind CLI checks passed"
  exit
fi

# ---- the aws CLI (v1 here; v2 reads --payload as base64 unless told otherwise) ----
export AWS_ACCESS_KEY_ID=AKIDREWIND AWS_SECRET_ACCESS_KEY=rewind AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
binfmt=()
if aws --version 2>&1 | grep -q '^aws-cli/2'; then binfmt=(--cli-binary-format raw-in-base64-out); fi
aws_l() { aws lambda --endpoint-url "$endpoint" --output json "$@"; }

out=$(aws_l invoke --function-name steps-and-wait --durable-execution-name cli-sync "${binfmt[@]}" \
  --payload '{"key":"cli"}' "$run/result.json")
expect "invoke returns 200" "$(json 'd["StatusCode"]' <<<"$out")" 200
expect "invoke result" "$(cat "$run/result.json")" '"hello cli done"'
arn=$(json 'd["DurableExecutionArn"]' <<<"$out")
expect "get-durable-execution status" "$(aws_l get-durable-execution --durable-execution-arn "$arn" | json 'd["Status"]')" SUCCEEDED
expect "history events" "$(aws_l get-durable-execution-history --durable-execution-arn "$arn" | json '",".join(e["EventType"] for e in d["Events"])')" \
  ExecutionStarted,StepStarted,StepSucceeded,WaitStarted,InvocationCompleted,WaitSucceeded,StepStarted,StepSucceeded,InvocationCompleted,ExecutionSucceeded

out=$(aws_l invoke --function-name callback --durable-execution-name cli-cb --invocation-type Event "${binfmt[@]}" \
  --payload '{"key":"cli-cb"}' "$run/none.json")
expect "event invoke returns 202" "$(json 'd["StatusCode"]' <<<"$out")" 202
read -r key id <"$fifo"
expect "callback for" "$key" cli-cb
aws_l send-durable-execution-callback-heartbeat --callback-id "$id" >/dev/null
echo "ok - heartbeat"
aws_l send-durable-execution-callback-success --callback-id "$id" "${binfmt[@]}" --result '"from cli"' >/dev/null
aws_l invoke --function-name callback --durable-execution-name cli-cb "${binfmt[@]}" --payload '{"key":"cli-cb"}' "$run/cb.json" >/dev/null
expect "callback result" "$(cat "$run/cb.json")" '"approved:\"from cli\""'

out=$(aws_l invoke --function-name callback --durable-execution-name cli-stop --invocation-type Event "${binfmt[@]}" \
  --payload '{"key":"cli-stop"}' "$run/none.json")
stop_arn=$(json 'd["DurableExecutionArn"]' <<<"$out")
read -r key id <"$fifo"
aws_l stop-durable-execution --durable-execution-arn "$stop_arn" >/dev/null
expect "stopped" "$(aws_l get-durable-execution --durable-execution-arn "$stop_arn" | json 'd["Status"]')" STOPPED
expect "list by status" "$(aws_l list-durable-executions-by-function --function-name callback --statuses STOPPED | json '",".join(e["DurableExecutionName"] for e in d["DurableExecutions"])')" cli-stop
expect "list reversed" "$(aws_l list-durable-executions-by-function --function-name callback --reverse-order | json '",".join(e["DurableExecutionName"] for e in d["DurableExecutions"])')" cli-stop,cli-cb
if err=$(aws_l get-durable-execution --durable-execution-arn "${arn%/*}/0000" 2>&1); then
  echo "not ok - an unknown execution was found"; exit 1
fi
case $err in *ResourceNotFoundException*) echo "ok - unknown execution: ResourceNotFoundException" ;;
  *) echo "not ok - unknown execution: $err"; exit 1 ;; esac
if err=$(AWS_ACCESS_KEY_ID=AKIDNOBODY aws_l get-durable-execution --durable-execution-arn "$arn" 2>&1); then
  echo "not ok - an unknown access key was accepted"; exit 1
fi
case $err in *UnrecognizedClientException*) echo "ok - unknown key: UnrecognizedClientException" ;;
  *) echo "not ok - unknown key: $err"; exit 1 ;; esac
if err=$(AWS_SECRET_ACCESS_KEY=wrong aws_l get-durable-execution --durable-execution-arn "$arn" 2>&1); then
  echo "not ok - a wrong secret was accepted"; exit 1
fi
case $err in *InvalidSignatureException*) echo "ok - wrong secret: InvalidSignatureException" ;;
  *) echo "not ok - wrong secret: $err"; exit 1 ;; esac
echo "all aws CLI checks passed"
