#!/usr/bin/env bash
# rewind-server's command line: each bad option value is a one-line error naming the
# option, exit code 2, and no server is started. Usage: server_cli_errors.sh REWIND_SERVER WORKDIR
set -uo pipefail
server=$1
work=$2
mkdir -p "$work"
failures=0
expect_error() {  # $1: the message's expected part; rest: arguments
  local want=$1
  shift
  local out rc
  out=$(timeout 20 "$server" --db "$work/cli.db" "$@" 2>&1 </dev/null)
  rc=$?
  if [[ $rc != 2 || $out != *"$want"* || $(wc -l <<<"$out") != 1 ]]; then
    echo "FAIL: $* -> exit $rc, output: $out (wanted exit 2 and '$want')"
    failures=$((failures + 1))
  else
    echo "ok: $* -> $out"
  fi
}
expect_error "expects NAME=SECONDS, got 'x'" --external-function a --function-execution-timeout x
expect_error "expects NAME=SECONDS, got '=5'" --external-function a --function-execution-timeout =5
expect_error "names no function 'b'" --external-function a --function-execution-timeout b=5
expect_error "SECONDS must be 1-31622400, got 'abc'" --external-function a --function-execution-timeout a=abc
expect_error "SECONDS must be 1-31622400, got '0'" --external-function a --function-execution-timeout a=0
expect_error "SECONDS must be 1-31622400, got '31622401'" --external-function a --function-execution-timeout a=31622401
expect_error "SECONDS must be 1-31622400, got '5s'" --external-function a --function-execution-timeout a=5s
expect_error "--listen expects HOST:PORT" --listen nowhere --external-function a
expect_error "--auth expects ACCESS_KEY_ID:SECRET" --external-function a --auth nosecret
echo "$failures failed"
exit $((failures > 0))
