#!/usr/bin/env bash
# rewind-run --endpoint URL --function NAME against a rewind-server started here (its
# functions: the test bootstrap's handlers, clock 1000x): output options, --respond,
# exit statuses, and the same operations as the in-process run of the same handler.
#
#   run_remote_run_test.sh SERVER BOOTSTRAP HANDLER_LIBRARY REWIND_RUN WORKDIR
set -euo pipefail
server=$1 bootstrap=$2 library=$3 rewind_run=$4 work=$5
mkdir -p "$work"
run=$(mktemp -d "$work/run.XXXXXX")
export REWIND_SERVER_TEST_DIR=$run
unset REWIND_SERVER_TEST_FIFO AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA
export AWS_ACCESS_KEY_ID=AKIDREWIND AWS_SECRET_ACCESS_KEY=rewind AWS_REGION=us-east-1

fns=()
for h in steps-and-wait approval-flow fails; do fns+=(--function "$h=$bootstrap:$h"); done
exec 3< <(exec "$server" --listen 127.0.0.1:0 --db "$run/rewind.db" --time-scale 1000 "${fns[@]}")
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$run"' EXIT
read -r line <&3
endpoint=${line##* }
echo "server: $endpoint"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
expect() {  # expect WHAT ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then echo "not ok - $1: got '$2', expected '$3'"; exit 1; fi
  echo "ok - $1"
}
status() { set +e; "$@" >"$run/out" 2>"$run/err"; echo $?; set -e; }
rr() { "$rewind_run" --endpoint "$endpoint" "$@"; }

expect "a succeeded run exits 0" "$(status rr --function steps-and-wait --event '{"key":"rr"}')" 0
expect "the timeline's header" "$(head -1 "$run/out" | cut -d' ' -f1-2)" "execution SUCCEEDED"
expect "the result" "$(grep '^result:' "$run/out")" 'result: "hello rr done"'
expect "the wait in the timeline" "$(grep -c 'pause WAIT/Wait SUCCEEDED' "$run/out")" 1

out=$(rr --function steps-and-wait --event '{"key":"js"}' --json)
expect "--json status" "$(json 'd["Status"]' <<<"$out")" SUCCEEDED
expect "--json operations" "$(json '",".join(o["Name"] for o in d["Operations"])' <<<"$out")" greet,pause,finish
expect "--json history" "$(json 'd["History"][-1]["EventType"]' <<<"$out")" ExecutionSucceeded

rr --function steps-and-wait --event '{"key":"tl"}' --trace "$run/trace.json" --timeline "$run/timeline.html" >"$run/out"
expect "--trace from the history" \
  "$(json '",".join(sorted({e["name"] for e in d["traceEvents"] if e.get("ph") == "X" and e["name"] in ("greet", "pause", "finish")}))' <"$run/trace.json")" \
  finish,greet,pause
expect "--timeline from the history" "$(grep -c '<script type="application/json" id="timeline-data">' "$run/timeline.html")" 1
expect "the timeline names the operations" "$(grep -o '"name":"pause"' "$run/timeline.html" | head -1)" '"name":"pause"'
expect "an unwritable --timeline exits 2" \
  "$(status rr --function steps-and-wait --event '{"key":"tx"}' --timeline "$run/no/such/dir/t.html")" 2
expect "and says so" "$(grep -c 'cannot write the timeline' "$run/err")" 1

rr --function steps-and-wait --event '{"key":"sh"}' --show-history >"$run/out"
expect "--show-history" "$(grep -c '"EventType": "WaitSucceeded"' "$run/out")" 1

respond=(--respond 'approval=success:"ok"@5')
out=$(rr --function approval-flow --event '{"key":"cb"}' "${respond[@]}" --time-scale 1000 --json)
expect "--respond answers the callback" "$(json 'd["Result"]' <<<"$out")" 'order-cb:"ok":2'
local_out=$("$rewind_run" "$library" --handler approval-flow --event '{"key":"cb"}' "${respond[@]}" --skip-time --json)
ops='";".join(f"{o.get(\"Name\")} {o[\"Type\"]} {o[\"Status\"]}" for o in d["Operations"])'
expect "the same operations as in process" "$(json "$ops" <<<"$out")" "$(json "$ops" <<<"$local_out")"
expect "the same result as in process" "$(json 'd["Result"]' <<<"$out")" "$(json 'd["Result"]' <<<"$local_out")"

out=$(rr --function approval-flow --event '{"key":"no"}' --respond 'approval=failure:Rejected:no' --json || true)
expect "a failure answer fails the execution" "$(json 'd["Error"]["ErrorMessage"]' <<<"$out")" no

expect "a failed run exits 1" "$(status rr --function fails)" 1
expect "its header" "$(head -1 "$run/out" | cut -d' ' -f1-2)" "execution FAILED"

expect "an unreachable endpoint exits 2" "$(status "$rewind_run" --endpoint http://127.0.0.1:1 --function x)" 2
expect "and says so" "$(grep -c 'cannot reach http://127.0.0.1:1: \[rewind.client.transport\]' "$run/err")" 1
expect "an unknown function exits 2" "$(status rr --function nope)" 2
expect "with the service's error" "$(grep -o '\[rewind.client.[A-Za-z]*\]' "$run/err")" "[rewind.client.ResourceNotFoundException]"
expect "--endpoint without --function" "$(status rr)" 2
expect "names what is missing" "$(grep -o '\[rewind.tools.no_function\]' "$run/err")" "[rewind.tools.no_function]"
expect "--skip-time is the server's" "$(status rr --function fails --skip-time)" 2
expect "an in-process option is refused" "$(grep -o '\[rewind.tools.remote_option\]' "$run/err")" "[rewind.tools.remote_option]"
echo "all rewind-run --endpoint checks passed"
