// rewind-server driven by a client nobody here wrote: the AWS JS SDK v3 LambdaClient with
// its endpoint set to the server. Usage: node durable_client_test.mjs ENDPOINT FIFO
// (FIFO: where the test handlers write "KEY CALLBACK_ID" lines). Exits non-zero on the
// first failed check.
import assert from "node:assert/strict";
import fs from "node:fs";
import readline from "node:readline";
import {
  LambdaClient,
  InvokeCommand,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackHeartbeatCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
} from "@aws-sdk/client-lambda";

const [endpoint, fifo] = process.argv.slice(2);
const client = new LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDREWIND", secretAccessKey: "rewind" },
});
const text = (bytes) => Buffer.from(bytes ?? []).toString();
const payload = (obj) => Buffer.from(JSON.stringify(obj));

// The next "KEY ID" line a handler writes to the FIFO.
async function nextCallback() {
  const lines = readline.createInterface({ input: fs.createReadStream(fifo) });
  for await (const line of lines) {
    lines.close();
    const [key, id] = line.split(" ");
    return { key, id };
  }
  throw new Error("the FIFO closed without a callback id");
}

let checks = 0;
async function check(name, fn) {
  await fn();
  checks++;
  console.log(`ok - ${name}`);
}

await check("Invoke (RequestResponse) with DurableExecutionName returns the result", async () => {
  const r = await client.send(
    new InvokeCommand({ FunctionName: "steps-and-wait", DurableExecutionName: "js-sync", Payload: payload({ key: "js" }) }),
  );
  assert.equal(r.StatusCode, 200);
  assert.equal(text(r.Payload), '"hello js done"');
  assert.equal(r.ExecutedVersion, "$LATEST");
  assert.match(r.DurableExecutionArn, /:function:steps-and-wait:\$LATEST\/durable-execution\/js-sync\//);
  globalThis.syncArn = r.DurableExecutionArn;
});

await check("GetDurableExecution describes it", async () => {
  const d = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: globalThis.syncArn }));
  assert.equal(d.Status, "SUCCEEDED");
  assert.equal(d.DurableExecutionName, "js-sync");
  assert.equal(d.InputPayload, '{"key":"js"}');
  assert.equal(d.Result, '"hello js done"');
  assert.ok(d.StartTimestamp instanceof Date && d.EndTimestamp instanceof Date);
  assert.ok(d.EndTimestamp >= d.StartTimestamp);
});

await check("GetDurableExecutionHistory reads the events, with paging", async () => {
  const h = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: globalThis.syncArn }));
  assert.deepEqual(
    h.Events.map((e) => e.EventType),
    ["ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted", "WaitSucceeded",
     "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded"],
  );
  assert.ok(h.Events.every((e) => e.EventTimestamp instanceof Date));
  assert.equal(h.Events[3].WaitStartedDetails.Duration, 30);
  const page = await client.send(
    new GetDurableExecutionHistoryCommand({ DurableExecutionArn: globalThis.syncArn, MaxItems: 4, ReverseOrder: true }),
  );
  assert.deepEqual(page.Events.map((e) => e.EventId), [10, 9, 8, 7]);
  const rest = await client.send(
    new GetDurableExecutionHistoryCommand({ DurableExecutionArn: globalThis.syncArn, Marker: page.NextMarker, ReverseOrder: true }),
  );
  assert.equal(rest.Events[0].EventId, 6);
});

await check("Event invoke, callback heartbeat and success through the API", async () => {
  const started = await client.send(
    new InvokeCommand({ FunctionName: "callback", DurableExecutionName: "js-cb", InvocationType: "Event", Payload: payload({ key: "js-cb" }) }),
  );
  assert.equal(started.StatusCode, 202);
  const { key, id } = await nextCallback();
  assert.equal(key, "js-cb");
  await client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: id }));
  await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: Buffer.from('"from js"') }));
  const done = await client.send(
    new InvokeCommand({ FunctionName: "callback", DurableExecutionName: "js-cb", Payload: payload({ key: "js-cb" }) }),
  );
  assert.equal(text(done.Payload), '"approved:\\"from js\\""');
  await assert.rejects(
    client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: Buffer.from("1") })),
    (e) => e.name === "CallbackTimeoutException",
  );
});

await check("StopDurableExecution stops a running execution", async () => {
  const started = await client.send(
    new InvokeCommand({ FunctionName: "callback", DurableExecutionName: "js-stop", InvocationType: "Event", Payload: payload({ key: "js-stop" }) }),
  );
  await nextCallback();
  const stopped = await client.send(
    new StopDurableExecutionCommand({
      DurableExecutionArn: started.DurableExecutionArn,
      Error: { ErrorType: "Operator", ErrorMessage: "stopped from js" },
    }),
  );
  assert.ok(stopped.StopTimestamp instanceof Date);
  const d = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: started.DurableExecutionArn }));
  assert.equal(d.Status, "STOPPED");
  assert.equal(d.Error.ErrorMessage, "stopped from js");
});

await check("ListDurableExecutionsByFunction filters and pages", async () => {
  const all = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "callback" }));
  assert.deepEqual(all.DurableExecutions.map((e) => e.DurableExecutionName), ["js-cb", "js-stop"]);
  const stopped = await client.send(
    new ListDurableExecutionsByFunctionCommand({ FunctionName: "callback", Statuses: ["STOPPED"] }),
  );
  assert.deepEqual(stopped.DurableExecutions.map((e) => e.DurableExecutionName), ["js-stop"]);
  const first = await client.send(
    new ListDurableExecutionsByFunctionCommand({ FunctionName: "callback", MaxItems: 1, ReverseOrder: true }),
  );
  assert.deepEqual(first.DurableExecutions.map((e) => e.DurableExecutionName), ["js-stop"]);
  const second = await client.send(
    new ListDurableExecutionsByFunctionCommand({ FunctionName: "callback", MaxItems: 1, ReverseOrder: true, Marker: first.NextMarker }),
  );
  assert.deepEqual(second.DurableExecutions.map((e) => e.DurableExecutionName), ["js-cb"]);
  const later = await client.send(
    new ListDurableExecutionsByFunctionCommand({ FunctionName: "callback", StartedAfter: new Date(Date.now() + 86400e3 * 365) }),
  );
  assert.deepEqual(later.DurableExecutions ?? [], []);
});

await check("errors arrive as the SDK's modeled exceptions", async () => {
  await assert.rejects(
    client.send(new GetDurableExecutionCommand({
      DurableExecutionArn: "arn:aws:lambda:us-east-1:123456789012:function:callback:$LATEST/durable-execution/none/00",
    })),
    (e) => e.name === "ResourceNotFoundException" && e.$metadata.httpStatusCode === 404,
  );
  await assert.rejects(
    client.send(new InvokeCommand({ FunctionName: "callback", DurableExecutionName: "js-cb", InvocationType: "Event", Payload: payload({ key: "other" }) })),
    (e) => e.name === "DurableExecutionAlreadyStartedException",
  );
  await assert.rejects(
    client.send(new InvokeCommand({ FunctionName: "no-such-function", Payload: payload({}) })),
    (e) => e.name === "ResourceNotFoundException",
  );
});

console.log(`${checks} checks passed`);
process.exit(0);
