// Handlers written with the official AWS JS durable SDK (workflows.mjs), run twice:
//
//  1. by the SDK's own LocalDurableTestRunner (@aws/durable-execution-sdk-js-testing), in
//     process, time skipped;
//  2. as Lambda functions in rewind-server: node processes started by the server, speaking the
//     Runtime API (aws-lambda-ric or runtime_loop.mjs), the SDK's LambdaClient calling the
//     server's CheckpointDurableExecution / GetDurableExecutionState through
//     AWS_ENDPOINT_URL_LAMBDA. They are driven by the same package's CloudDurableTestRunner
//     (AWS's code for a deployed function): Invoke with a DurableExecutionName (added to its
//     InvokeCommand), GetDurableExecutionHistory polling, SendDurableExecutionCallbackSuccess.
//
// and the operation lists must be equal. Compared per operation: Id and ParentId (made by the
// SDK from the operation's position, so equal on both sides), Type, SubType, Name, Status, the
// step attempt, results and errors (type and message). Not compared: timestamps (the local
// runner skips time, the server scales it), callback ids (each backend makes its own) and
// StackTrace (paths differ). Also compared: the execution's status, result and error, and the
// step retry events in the history (StepFailed with a retry, in order). Then, for the server
// alone: GetDurableExecution agrees with the runner, GetDurableExecutionHistory read in pages
// of 2 (Marker/NextMarker) gives the same events as one read, RetryDetails.CurrentAttempt
// counts the attempts, and (workflow "observed") the SDK's plugins learn from the invocation
// input's UpdatedOperationIds which completions are new.
//
//   node js_durable_sdk_test.mjs ENDPOINT [WORKFLOW...]
// Exits non-zero at the first difference, printing both lists.
import assert from "node:assert/strict";
import {
  LambdaClient,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
} from "@aws-sdk/client-lambda";
import {
  LocalDurableTestRunner,
  CloudDurableTestRunner,
  WaitingOperationStatus,
  InvocationType,
} from "@aws/durable-execution-sdk-js-testing";
import * as workflows from "./workflows.mjs";

const [endpoint, ...only] = process.argv.slice(2);
const client = new LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDREWIND", secretAccessKey: "rewind" },
});

// Each workflow: its input, how it is invoked on the server (a callback workflow as Event: a
// RequestResponse Invoke returns only when the execution ends, and the runner answers the
// callbacks after the Invoke returns), and the callbacks the test answers, in order.
const cases = [
  { name: "retries", input: { key: "r1" } },
  { name: "waits", input: { key: "w1" } },
  {
    name: "callbacks",
    input: { key: "c1" },
    invocationType: InvocationType.Event,
    callbacks: [
      { op: "approval", when: WaitingOperationStatus.SUBMITTED, result: '"approved"' },
      // A createCallback operation's SUBMITTED is its completion: wait for it to start.
      { op: "receipt", when: WaitingOperationStatus.STARTED, result: '{"receipt":42}' },
    ],
  },
  { name: "batches", input: { items: [1, 2, 3, 4] } },
  { name: "failing", input: { key: "f1" } },
  // Its result is what the SDK told its plugins in the invocation after the wait: the wait is
  // new (UpdatedOperationIds), not a replay. Checked on the server alone: the local runner
  // (skipTime) ends the wait inside its WAIT START checkpoint, so its one invocation runs
  // the whole handler and sees no second invocation; Lambda, and rewind-server, end the
  // invocation at the wait. The operations are compared with that result left out.
  {
    name: "observed",
    input: { key: "o1" },
    serverResult: ["start first=false updated=pause", "end pause replay=false"],
    resultOf: "report",
  },
].filter((c) => only.length === 0 || only.includes(c.name));

function normalizeError(e) {
  if (!e) return undefined;
  return { ErrorType: e.ErrorType ?? e.errorType, ErrorMessage: (e.ErrorMessage ?? e.errorMessage)?.trim() };
}

// What the two runs must agree on, per operation (see the top of the file).
function normalizeOperation(op) {
  const d = op.getOperationData();
  const out = { Id: d.Id, ParentId: d.ParentId, Type: d.Type, SubType: d.SubType, Name: d.Name, Status: d.Status };
  if (d.StepDetails) {
    // The cloud runner rebuilds a step from its history events: the attempt comes from the
    // last StepFailed's RetryDetails (none for a step that never failed) and the error of a
    // retried attempt stays on a step that then succeeded. So: the result of a succeeded step,
    // the error and attempt of a failed one (every attempt is compared in retryEvents).
    out.Step =
      d.Status === "SUCCEEDED"
        ? { Result: d.StepDetails.Result }
        : { Attempt: d.StepDetails.Attempt, Error: normalizeError(d.StepDetails.Error) };
  }
  if (d.ContextDetails) {
    out.Context = { Result: d.ContextDetails.Result, Error: normalizeError(d.ContextDetails.Error) };
  }
  if (d.CallbackDetails) {
    out.Callback = { Result: d.CallbackDetails.Result, Error: normalizeError(d.CallbackDetails.Error) };
  }
  // Without the undefined members and the details left empty (a step that returned nothing
  // has StepDetails {Attempt: 1} locally and no StepDetails from the history).
  const pruned = JSON.parse(JSON.stringify(out));
  for (const key of ["Step", "Context", "Callback"]) {
    if (pruned[key] && Object.keys(pruned[key]).length === 0) delete pruned[key];
  }
  return pruned;
}

// The retry events of the steps, in order: what a step's attempts looked like.
function retryEvents(events) {
  return events
    .filter((e) => e.EventType === "StepFailed" || e.EventType === "StepSucceeded")
    .map((e) => {
      const details = e.StepFailedDetails ?? e.StepSucceededDetails;
      return {
        Id: e.Id,
        EventType: e.EventType,
        Error: normalizeError(details?.Error?.Payload),
        Retry: details?.RetryDetails?.NextAttemptDelaySeconds !== undefined,
      };
    });
}

function summary(execution) {
  const status = execution.getStatus();
  const s = { status };
  if (status === "SUCCEEDED") s.result = execution.getResult();
  else s.error = normalizeError(execution.getError());
  s.operations = execution.getOperations().map(normalizeOperation);
  s.operations.sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  s.retries = retryEvents(execution.getHistoryEvents());
  if (process.env.REWIND_JS_DUMP) Object.defineProperty(s, "history", { value: execution.getHistoryEvents(), enumerable: false });
  return s;
}

async function drive(runner, c) {
  const running = runner.run({ payload: c.input });
  for (const cb of c.callbacks ?? []) {
    const op = runner.getOperation(cb.op);
    await op.waitForData(cb.when);
    await op.sendCallbackSuccess(cb.result);
  }
  return running;
}

// RetryDetails.CurrentAttempt of each step event is the step's attempt: the number of its
// StepStarted events so far. (Checked on the server's history alone: the local runner 1.1.4
// records the previous attempt's number, 1, 1, 2 for attempts 1, 2, 3.)
function checkAttempts(events) {
  const started = new Map();
  let checked = 0;
  for (const e of events) {
    if (e.EventType === "StepStarted") started.set(e.Id, (started.get(e.Id) ?? 0) + 1);
    const details = e.StepFailedDetails ?? e.StepSucceededDetails;
    if (!details) continue;
    assert.equal(details.RetryDetails?.CurrentAttempt, started.get(e.Id), `CurrentAttempt of ${e.EventType} ${e.Id}`);
    checked++;
  }
  return checked;
}

async function readHistoryInPages(arn) {
  const events = [];
  let marker;
  let pages = 0;
  do {
    const page = await client.send(
      new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true, MaxItems: 2, Marker: marker }),
    );
    assert.ok((page.Events ?? []).length <= 2, "a page holds at most MaxItems events");
    events.push(...(page.Events ?? []));
    marker = page.NextMarker;
    pages++;
  } while (marker);
  return { events, pages };
}

await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
let failures = 0;
try {
  for (const c of cases) {
    const local = summary(await drive(new LocalDurableTestRunner({ handlerFunction: workflows[c.name] }), c));

    const executionName = `${c.name}-${process.pid}`;
    let arn;
    // CloudDurableTestRunner does not set DurableExecutionName: add it to its Invoke, and keep
    // the ARN the server answers with.
    const namingClient = {
      send: async (command, ...rest) => {
        if (command.constructor.name === "InvokeCommand") command.input.DurableExecutionName = executionName;
        const out = await client.send(command, ...rest);
        if (command.constructor.name === "InvokeCommand") arn = out.DurableExecutionArn;
        return out;
      },
    };
    const cloudRunner = new CloudDurableTestRunner({
      functionName: c.name,
      client: namingClient,
      config: { pollInterval: 25, invocationType: c.invocationType ?? InvocationType.RequestResponse },
    });
    let server;
    try {
      const execution = await drive(cloudRunner, c);
      server = summary(execution);
      if (c.serverResult) {
        assert.deepStrictEqual(server.result, c.serverResult);
        for (const side of [server, local]) {
          side.result = "(compared above)";
          for (const op of side.operations) if (op.Name === c.resultOf) op.Step.Result = "(compared above)";
        }
      }
      assert.deepStrictEqual(server, local);
      assert.match(arn, new RegExp(`:function:${c.name}:\\$LATEST/durable-execution/${executionName}/`));
      const described = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
      assert.equal(described.Status, local.status);
      assert.equal(described.DurableExecutionName, executionName);
      if (local.status === "SUCCEEDED")
        assert.deepStrictEqual(JSON.parse(described.Result), c.serverResult ?? local.result);
      else assert.deepStrictEqual(normalizeError(described.Error), local.error);
      const paged = await readHistoryInPages(arn);
      // REWIND_JS_DUMP=1: both histories, for a look at what is not compared.
      if (process.env.REWIND_JS_DUMP) console.log(JSON.stringify({ local: local.history, server: paged.events }, null, 1));
      const attempts = checkAttempts(paged.events);
      assert.deepStrictEqual(JSON.parse(paged.events[0].ExecutionStartedDetails.Input.Payload), c.input);
      assert.deepStrictEqual(paged.events, execution.getHistoryEvents());
      console.log(
        `ok - ${c.name}: ${local.status}, ${local.operations.length} operations equal, ` +
          `${paged.events.length} history events in ${paged.pages} pages, ${attempts} step attempts`,
      );
    } catch (e) {
      failures++;
      console.log(`not ok - ${c.name}: ${e.message}`);
      console.log(`  local runner: ${JSON.stringify(local, null, 1)}`);
      console.log(`  rewind-server: ${JSON.stringify(server, null, 1)}`);
    }
  }
} finally {
  await LocalDurableTestRunner.teardownTestEnvironment();
}
if (failures > 0) {
  console.log(`${failures} of ${cases.length} workflows differ`);
  process.exit(1);
}
console.log(`all ${cases.length} workflows: rewind-server's operations equal the local runner's`);
process.exit(0);
