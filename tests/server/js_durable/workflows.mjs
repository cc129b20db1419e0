// Durable functions written with the official AWS JS durable SDK (@aws/durable-execution-sdk-js),
// run twice by js_durable_sdk_test.mjs: by the SDK's own LocalDurableTestRunner and as Lambda
// functions in rewind-server (a separate node process speaking the Runtime API, through
// aws-lambda-ric or runtime_loop.mjs). Each export is a handler ("workflows.NAME").
//
// Everything a handler decides comes from its input and its durable state (StepContext.attempt
// for the failures), never from process memory: rewind-server runs each invocation in whichever
// worker process is free, and a replay must take the same path.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

// Retries: "flaky" fails its first two attempts and succeeds on the third; "doomed" fails both
// of its two attempts, and the handler catches the StepError; an unnamed step follows.
const retryTwice = (error, attempt) => ({ shouldRetry: attempt < 3, delay: { seconds: 2 } });
export const retries = withDurableExecution(async (event, ctx) => {
  const flaky = await ctx.step(
    "flaky",
    async (step) => {
      if (step.attempt < 3) throw new Error(`flaky attempt ${step.attempt} failed`);
      return { attempt: step.attempt, key: event.key };
    },
    { retryStrategy: retryTwice },
  );
  let doomed;
  try {
    await ctx.step(
      "doomed",
      async (step) => {
        throw new TypeError(`doomed attempt ${step.attempt}`);
      },
      { retryStrategy: (error, attempt) => ({ shouldRetry: attempt < 2, delay: { seconds: 1 } }) },
    );
  } catch (e) {
    doomed = e.message;
  }
  const last = await ctx.step(async () => `${flaky.key}:${flaky.attempt}`);
  return { flaky, doomed, last };
});

// Waits: a named wait between two steps, an unnamed one inside a child context.
export const waits = withDurableExecution(async (event, ctx) => {
  const before = await ctx.step("before", async () => `before ${event.key}`);
  await ctx.wait("pause", { seconds: 30 });
  const inner = await ctx.runInChildContext("nap", async (child) => {
    await child.wait({ minutes: 2 });
    return child.step("after-nap", async () => "rested");
  });
  return { before, inner };
});

// Callbacks: waitForCallback (its submitter, a step, would hand the id to another system) and
// createCallback. The test answers both through the runners' operation handles: the local
// runner's in-process API, the cloud runner's SendDurableExecutionCallbackSuccess.
export const callbacks = withDurableExecution(async (event, ctx) => {
  const approval = await ctx.waitForCallback(
    "approval",
    async (callbackId) => {
      if (!callbackId) throw new Error("no callback id to hand out");
    },
    { timeout: { days: 1 } },
  );
  const [receipt, receiptId] = await ctx.createCallback("receipt", { timeout: { days: 1 } });
  await ctx.step("announce-receipt", async () => receiptId.length > 0);
  const received = await receipt;
  return { approval, received, key: event.key };
});

// Map and parallel: a map over the input's items (each a step, two at a time), and a parallel
// of two named branches, one of which waits.
export const batches = withDurableExecution(async (event, ctx) => {
  const squares = await ctx.map(
    "squares",
    event.items,
    async (child, item, index) => child.step(`square-${index}`, async () => item * item),
    { maxConcurrency: 2 },
  );
  const both = await ctx.parallel("both", [
    { name: "left", func: async (child) => child.step("l", async () => "L") },
    {
      name: "right",
      func: async (child) => {
        await child.wait({ seconds: 5 });
        return "R";
      },
    },
  ]);
  return { squares: squares.getResults(), both: both.getResults() };
});

// A failing execution: a step succeeds, then the handler throws.
export const failing = withDurableExecution(async (event, ctx) => {
  await ctx.step("fine", async () => "fine");
  throw new RangeError(`no luck for ${event.key}`);
});

// What the SDK tells its plugins about each invocation: which operations completed since the
// last one (UpdatedOperationIds in the invocation input) and which completions are replays.
// "report" returns what the plugin saw in the invocation that ran it.
const seen = [];
const observer = {
  async onInvocationStart(info) {
    seen.length = 0;
    const updated = Object.values(info.updatedOperations).map((op) => op.name ?? op.id);
    seen.push(`start first=${info.isFirstInvocation} updated=${updated.sort().join(",")}`);
  },
  async onOperationEnd(info) {
    seen.push(`end ${info.name ?? info.id} replay=${info.isReplay}`);
  },
};
export const observed = withDurableExecution(
  async (event, ctx) => {
    await ctx.step("first", async () => event.key);
    await ctx.wait("pause", { seconds: 10 });
    return ctx.step("report", async () => [...seen]);
  },
  { plugins: [observer] },
);
