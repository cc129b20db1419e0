#!/usr/bin/env bash
# The conformance requirement files through rewind-server: a server hosting one function
# per requirement (rewind-conformance-a-b: the conformance bootstrap with _HANDLER a.b) and
# one per chained-invoke target (the bootstrap's REWIND_FUNCTIONs, under their own names),
# then rewind-conformance --endpoint against it. Prints the per-requirement verdicts and
# the counts; exits with rewind-conformance's status.
#
#   run_conformance_server.sh SERVER BOOTSTRAP CONFORMANCE REQUIREMENTS_DIR WORKDIR [TIME_SCALE]
set -euo pipefail
server=$1 bootstrap=$2 conformance=$3 requirements=$4 work=$5 scale=${6:-100}
mkdir -p "$work"
run=$(mktemp -d "$work/run.XXXXXX")
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA
export AWS_ACCESS_KEY_ID=AKIDREWIND AWS_SECRET_ACCESS_KEY=rewind AWS_REGION=us-east-1

fns=()
while IFS= read -r file; do
  stem=$(basename "$file"); stem=${stem%.*}
  fns+=(--function "rewind-conformance-$stem=$bootstrap:${stem//-/.}")
done < <(find "$requirements" -name '*.yaml' -o -name '*.yml' | sort)
while IFS= read -r target; do
  [ -n "$target" ] && fns+=(--function "$target=$bootstrap:$target")
done < <("$bootstrap" --list-functions)
exec 3< <(exec "$server" --listen 127.0.0.1:0 --db "$run/rewind.db" --time-scale "$scale" --concurrency 1 \
  --invocation-timeout 60 "${fns[@]}" 2>"$run/server.log")
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$run"' EXIT
read -r line <&3
endpoint=${line##* }
echo "server: $endpoint (${#fns[@]} arguments, --time-scale $scale)"
"$conformance" --endpoint "$endpoint" --time-scale "$scale" --requirements "$requirements" -v
