// A minimal Lambda runtime interface client, used when aws-lambda-ric (npm) cannot be built on
// this machine (its install compiles a native addon and needs autoconf, automake and libtool).
// It does what the RIC does for an async handler: loads "FILE.EXPORT" (argv[2], as _HANDLER)
// from the current directory, then forever takes the next invocation from the Runtime API
// (AWS_LAMBDA_RUNTIME_API), calls the handler with the event and a Lambda context, and posts
// the handler's return value (JSON) to .../response, or its error to .../error.
//
//   node runtime_loop.mjs workflows.retries
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const handlerName = process.argv[2] ?? process.env._HANDLER;
if (!api || !handlerName) {
  console.error("[rewind.js_runtime.usage] needs AWS_LAMBDA_RUNTIME_API and a handler FILE.EXPORT");
  process.exit(2);
}
const dot = handlerName.lastIndexOf(".");
const module = await import(pathToFileURL(path.resolve(handlerName.slice(0, dot) + ".mjs")).href);
const handler = module[handlerName.slice(dot + 1)];
if (typeof handler !== "function") {
  await request("POST", "/2018-06-01/runtime/init/error", {
    errorType: "Runtime.HandlerNotFound",
    errorMessage: `${handlerName} is not a function`,
  });
  process.exit(1);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(method, route, body) {
  const [host, port] = api.split(":");
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: route, agent, headers: data ? { "content-type": "application/json" } : {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

for (;;) {
  const next = await request("GET", "/2018-06-01/runtime/invocation/next");
  if (next.status !== 200) throw new Error(`[rewind.js_runtime.next] ${next.status} ${next.body}`);
  const id = next.headers["lambda-runtime-aws-request-id"];
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: "128",
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: "rewind",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  try {
    const result = await handler(JSON.parse(next.body.toString() || "null"), context);
    await request("POST", `/2018-06-01/runtime/invocation/${id}/response`, result ?? null);
  } catch (e) {
    await request("POST", `/2018-06-01/runtime/invocation/${id}/error`, {
      errorType: e?.name ?? "Error",
      errorMessage: e?.message ?? String(e),
      stackTrace: String(e?.stack ?? "").split("\n"),
    });
  }
}
