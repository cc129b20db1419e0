#!/usr/bin/env bash
# A Lambda function written with the AWS JS durable SDK, as rewind-server runs it
# (--function NAME=function.sh:workflows.EXPORT): a node process speaking the Lambda Runtime API
# through the official runtime interface client aws-lambda-ric, or through runtime_loop.mjs
# where the RIC is not installed or REWIND_JS_RUNTIME=loop. REWIND_JS_DIR is the directory
# holding node_modules and the handler modules (the function's task root).
set -euo pipefail
cd "${REWIND_JS_DIR:?the function directory}"
export LAMBDA_TASK_ROOT=$REWIND_JS_DIR
if [ "${REWIND_JS_RUNTIME:-ric}" = ric ] && [ -x node_modules/.bin/aws-lambda-ric ]; then
  exec node_modules/.bin/aws-lambda-ric "$_HANDLER"
fi
exec node runtime_loop.mjs "$_HANDLER"
