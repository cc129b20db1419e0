#!/usr/bin/env python3
"""Differential test: random programs run by Rewind and by the Python reference model.

A seeded generator writes random *programs* (README.md in this directory: steps with
retries, crashes and at-most-once semantics, waits, throws, child contexts, maps,
parallels (named or default-named items), callbacks, waitForConditions, chained invokes,
named or anonymous, nested up to depth 3). Each program runs twice: through `rewind-run`
with the handler library `libdiff_interp.so` (handler "diff", interp_library.cpp), and
through this file's interpreter of the same program on the reference model's LocalRunner.
The two outcomes (status, result, error) and execution histories (event by event,
normalized) must agree.

    diff.py --rewind-run build/tools/rewind-run \
        --library build/tests/differential/libdiff_interp.so [--count N] [--seed S]
    diff.py ... --program saved.json [--shrink]

A mismatching program is saved to --save-dir as prog-<seed>-<k>.json with the first
difference printed; --shrink also reduces it (deleting ops, items, branches and options
while the same kind of mismatch persists) and saves the result as ...-min.json. A program
the model itself cannot run (RunnerError or any other Python exception) is skipped.
The run ends with `differential: N programs, M matched, K mismatched, J skipped` and
exits 1 when K > 0.
"""
import argparse
import datetime
import importlib
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile

MAX_DEPTH = 3
REWIND_TIMEOUT_SECONDS = 60
CONTEXT_EVENTS = 3
CHECK_MAX_EVENTS = 80  # --rewind-check: larger histories are compared, not checked
CHECK_SCHEDULES = 25   # --rewind-check: generated schedules per program, after the exhaustive check
MODEL_MAX_INVOCATIONS = 1000  # the model's default, 200, is below what a few large programs take
BATCH_OPTIONS = ("maxConcurrency", "minSuccessful", "toleratedFailureCount", "toleratedFailurePercentage")


# ----------------------------------------------------------------------------- generator
class Scope:
    """Where an op is generated: its container depth, whether it runs once per map item
    (in_map), and whether "$item" is defined there (map bodies and child contexts in them;
    the spec does not say what a parallel branch's item is)."""

    def __init__(self, depth=0, in_map=False, has_item=False):
        self.depth, self.in_map, self.has_item = depth, in_map, has_item

    def nested(self, in_map=None, has_item=None):
        return Scope(self.depth + 1, self.in_map if in_map is None else in_map,
                     self.has_item if has_item is None else has_item)


class Generator:
    """Random programs (README.md "Program format") from one random.Random."""

    def __init__(self, rng):
        self.rng = rng
        self.count = 0

    def program(self):
        body = self.body(Scope(), low=1, high=6)
        program = {"body": body}
        self.add_crash(program)
        return program

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def body(self, scope, low=1, high=3):
        return [self.op(scope) for _ in range(self.rng.randint(low, high))]

    def op(self, scope):
        kinds, weights = ["step", "wait", "throw", "condition", "invoke"], [6, 2, 1, 1, 1]
        if not scope.in_map:
            kinds.append("callback")  # a map body runs once per item: one answer per callback op
            weights.append(1)
        if scope.depth < MAX_DEPTH:
            nested = MAX_DEPTH - scope.depth  # fewer containers deeper down, so programs stay small
            kinds += ["child", "map", "parallel"]
            weights += [nested, nested, nested]
        kind = self.rng.choices(kinds, weights)[0]
        op = getattr(self, kind)(scope)
        if self.rng.random() < self.catch_probability(kind, scope.depth):
            op["catch"] = True
        # No unnamed invoke without a payload but with a config (tenant): generating them would
        # change every seed's programs (the ASan timeouts once blamed on that change were the
        # cost of fork mode under ASan; see CMakeLists.txt). ApiTest.InvokeWithoutAPayloadSendsNull
        # covers that overload.
        nameable = kind not in ("throw", "callback") and not (
            kind == "invoke" and "tenant" in op and "payload" not in op)
        if nameable and self.rng.random() < 0.1:
            op["anonymous"] = True  # given to the SDK without a name
        return op

    @staticmethod
    def catch_probability(kind, depth):
        if kind == "throw":
            return 0.85 if depth == 0 else 0.3  # a root throw mostly caught: executions don't always fail
        if kind in ("step", "child", "callback", "invoke"):
            return 0.3
        return 0.05

    def step(self, scope):
        op = {"op": "step", "name": self.name("s"), "value": self.value(scope.has_item)}
        if self.rng.random() < 0.4:
            op["maxAttempts"] = self.rng.randint(1, 4)
            op["failures"] = self.rng.randint(0, 4)  # failures >= maxAttempts: fails for good
            op["delay"] = self.rng.randint(1, 60)
        elif self.rng.random() < 0.15:
            op["failures"] = 1  # maxAttempts 1: fails on its first attempt
        if self.rng.random() < 0.2:
            op["semantics"] = "atMostOnce"
        return op

    def value(self, has_item, depth=0):
        roll = self.rng.random()
        if has_item and roll < 0.25:
            return "$item"
        if roll < 0.45:
            return self.rng.randint(-5, 100)
        if roll < 0.5:
            return self.rng.choice([None, True, False, 2.5, -0.125, 1e3])
        if roll < 0.75:
            return "".join(self.rng.choices(string.ascii_lowercase, k=self.rng.randint(1, 5)))
        if roll < 0.85 or depth >= 2:
            return self.text()
        if roll < 0.92:
            return [self.value(False, depth + 1) for _ in range(self.rng.randint(0, 3))]
        return {self.text(): self.value(False, depth + 1) for _ in range(self.rng.randint(0, 3))}

    def text(self):
        """A string with non-ASCII and JSON-escaped characters."""
        alphabet = ["a", "z", " ", "é", "ß", "日本", "🙂", "\"", "\\", "\n", "\t", "\u00a0", "/", "\u2028"]
        return "".join(self.rng.choices(alphabet, k=self.rng.randint(0, 6)))

    def invoke(self, scope):
        op = {"op": "invoke", "name": self.name("i"), "target": self.rng.choice(["echo", "echo", "echo", "fail"])}
        if op["target"] == "fail":
            op["payload"] = self.rng.choice([f"{op['name']} failed", self.text()])
        elif self.rng.random() < 0.8:
            op["payload"] = self.value(False)  # absent: the target gets null
        if self.rng.random() < 0.2:
            op["tenant"] = self.rng.choice(["tenant-a", "tenant-b"])
        return op

    def wait(self, scope):
        return {"op": "wait", "name": self.name("w"), "seconds": self.rng.randint(1, 100)}

    def throw(self, scope):
        name = self.name("t")
        return {"op": "throw", "name": name, "message": f"{name} thrown"}

    def callback(self, scope):
        alphabet = string.ascii_lowercase + string.digits + " "
        op = {"op": "callback", "name": self.name("cb"),
              "answer": self.rng.choice(["success", "success", "failure"]),
              "delay": self.rng.randint(0, 50),
              "payload": "".join(self.rng.choices(alphabet, k=self.rng.randint(1, 8)))}
        if self.rng.random() < 0.3:
            op["timeout"] = self.rng.randint(1, 60)  # below the delay: it times out first
        return op

    def condition(self, scope):
        op = {"op": "condition", "name": self.name("wc"), "polls": self.rng.randint(1, 4),
              "delay": self.rng.randint(1, 30)}
        roll = self.rng.random()
        if roll < 0.15:
            op["failAt"] = self.rng.randint(1, op["polls"])  # the check throws on that poll
        elif roll < 0.3:
            op["noStrategy"] = True  # no wait strategy: one poll, result 1
        return op

    def child(self, scope):
        return {"op": "child", "name": self.name("c"), "body": self.body(scope.nested())}

    def map(self, scope):
        items = [self.rng.randint(0, 50) for _ in range(self.rng.randint(1, 5))]
        op = {"op": "map", "name": self.name("m"), "items": items,
              "body": self.body(scope.nested(in_map=True, has_item=True))}
        if self.rng.random() < 0.25:
            op["unnamedItems"] = True  # no item namer: the SDK's default item names
        self.add_batch_options(op, len(items))
        return op

    def parallel(self, scope):
        unnamed = self.rng.random()  # below 0.15: no branch named; below 0.3: some
        branches = []
        for _ in range(self.rng.randint(1, 4)):
            branch = {"name": self.name("b"), "body": self.body(scope.nested(has_item=False))}
            if unnamed < 0.15 or unnamed < 0.3 and self.rng.random() < 0.5:
                del branch["name"]  # an unnamed branch: the SDK's default branch name
            branches.append(branch)
        op = {"op": "parallel", "name": self.name("p"), "branches": branches}
        self.add_batch_options(op, len(branches))
        return op

    def add_batch_options(self, op, n):
        if self.rng.random() < 0.5:
            op["maxConcurrency"] = self.rng.randint(1, 3)
        if self.rng.random() < 0.3:
            op["minSuccessful"] = self.rng.randint(1, n)
        if self.rng.random() < 0.3:
            op["toleratedFailureCount"] = self.rng.randint(0, 2)
        if self.rng.random() < 0.2:
            op["toleratedFailurePercentage"] = self.rng.choice([0, 10, 25, 33.5, 50, 100])

    def add_crash(self, program):
        """At most one crashing step, none when there is a callback (the model's known deviation)."""
        ops = list(walk(program["body"]))
        if any(op["op"] == "callback" for op, _ in ops) or self.rng.random() > 0.2:
            return
        in_batch = self.rng.random() < 0.1  # a crash inside a map item or branch: rare
        steps = [op for op, batched in ops if op["op"] == "step" and batched == in_batch]
        if steps:
            step = self.rng.choice(steps)
            step["crash"] = True
            if self.rng.random() < 0.3:
                step["semantics"] = "atMostOnce"  # replayed STARTED: StepInterruptedError


def walk(ops, in_batch=False):
    """Every op of a body, depth first, with whether it runs inside a map item or branch."""
    for op in ops:
        yield op, in_batch
        if op["op"] == "child":
            yield from walk(op["body"], in_batch)
        elif op["op"] == "map":
            yield from walk(op["body"], True)
        elif op["op"] == "parallel":
            for branch in op["branches"]:
                yield from walk(branch["body"], True)


def flattened(program):
    """The program with every map and parallel FLAT, or None when an item that can end
    without a durable operation (no trace) comes after the last item that leaves one: its
    outcome in an earlier invocation is lost then (batch.cpp's documented limit: it counts
    as not started until it runs again, so a batch that completes early in a later
    invocation leaves it out). A map's items share one body: all leave a trace or none."""
    flat = json.loads(json.dumps(program))
    for op, _ in walk(flat["body"]):
        if op["op"] in ("map", "parallel"):
            bodies = [op["body"]] if op["op"] == "map" else [b["body"] for b in op["branches"]]
            marks = [leaves_trace(body) for body in bodies]
            last = max((i for i, mark in enumerate(marks) if mark), default=-1)
            if not all(marks[last + 1:]) and last >= 0:
                return None
            op["nesting"] = "flat"
    return flat


def leaves_trace(body):
    """Whether running the body always reaches a durable operation (every op but throw is one)."""
    for op in body:
        if op["op"] != "throw":
            return True
        if not op.get("catch"):
            return False
    return False


def callback_ops(program):
    return [op for op, _ in walk(program["body"]) if op["op"] == "callback"]


# ----------------------------------------------------------------------------- model side
class ModelInterpreter:
    """The program's handler on the reference model; one instance per run (its crashed steps)."""

    def __init__(self, model, default_names=True):
        self.m = model
        self.crashed = set()
        # The model leaves unnamed map items and parallel branches without a Name, where
        # Rewind names them as the JS SDK does ("map-item-<i>", "parallel-branch-<i>"): a
        # known deviation of the model (README.md), so its interpreter names them so itself.
        self.default_names = default_names

    def handler(self, event, ctx):
        return self.run_ops(ctx, event["body"], None)

    def run_ops(self, ctx, ops, item):
        return [self.run_op(ctx, op, item) for op in ops]

    def run_op(self, ctx, op, item):
        run = getattr(self, "op_" + op["op"])
        if not op.get("catch"):
            return run(ctx, op, item)
        try:
            return run(ctx, op, item)
        except self.m.DurableError as e:
            return {"caught": e.message}

    @staticmethod
    def sdk_name(op):
        """The name given to the SDK: none for an "anonymous" op."""
        return None if op.get("anonymous") else op["name"]

    def op_step(self, ctx, op, item):
        name, failures = op["name"], op.get("failures", 0)
        max_attempts, delay = op.get("maxAttempts", 1), op.get("delay", 1)

        def fn(step_ctx):
            if op.get("crash") and name not in self.crashed:
                self.crashed.add(name)
                raise self.m.SimulatedCrash()
            attempt = step_ctx.attempt()
            if attempt <= failures:
                raise self.m.Error("DiffError", f"{name} attempt {attempt}")
            return item if op["value"] == "$item" else op["value"]

        def retry(err, attempt):
            return self.m.RetryDecision(attempt < max_attempts, delay)

        semantics = self.m.AT_MOST_ONCE if op.get("semantics") == "atMostOnce" else self.m.AT_LEAST_ONCE
        return ctx.step(fn, name=self.sdk_name(op), retry_strategy=retry, semantics=semantics)

    def op_wait(self, ctx, op, item):
        ctx.wait(op["seconds"], name=self.sdk_name(op))
        return None

    def op_invoke(self, ctx, op, item):
        if "payload" in op:
            return ctx.invoke(op["target"], op["payload"], name=self.sdk_name(op), tenant_id=op.get("tenant"))
        return ctx.invoke(op["target"], name=self.sdk_name(op), tenant_id=op.get("tenant"))

    def op_throw(self, ctx, op, item):
        raise self.m.Error("DiffError", op["message"])

    def op_child(self, ctx, op, item):
        return ctx.run_in_child_context(lambda c: self.run_ops(c, op["body"], item), name=self.sdk_name(op))

    def op_callback(self, ctx, op, item):
        return ctx.create_callback(name=op["name"], timeout=op.get("timeout")).result()

    def op_condition(self, ctx, op, item):
        name, polls, delay, fail_at = op["name"], op["polls"], op["delay"], op.get("failAt", 0)

        def check(state, step_ctx):
            if state + 1 == fail_at:
                raise self.m.Error("DiffError", f"{name} poll {fail_at}")
            return state + 1

        strategy = None if op.get("noStrategy") else lambda state, attempt: self.m.WaitDecision(state < polls, delay)
        return ctx.wait_for_condition(check, name=self.sdk_name(op), initial_state=0, wait_strategy=strategy)

    def op_map(self, ctx, op, item):
        name = op["name"]
        namer = lambda value, index: f"{name}-{index}"  # noqa: E731
        if op.get("unnamedItems"):
            namer = (lambda value, index: f"map-item-{index}") if self.default_names else None
        result = ctx.map(op["items"], lambda c, value, index, items: self.run_ops(c, op["body"], value),
                         name=self.sdk_name(op), max_concurrency=op.get("maxConcurrency"),
                         completion_config=completion_config(op), item_namer=namer)
        return batch_summary(result)

    def op_parallel(self, ctx, op, item):
        branches = []
        for i, b in enumerate(op["branches"]):
            fn = lambda c, body=b["body"]: self.run_ops(c, body, item)  # noqa: E731
            if "name" in b:
                branches.append((b["name"], fn))
            else:
                branches.append((f"parallel-branch-{i}", fn) if self.default_names else fn)
        result = ctx.parallel(branches, name=self.sdk_name(op), max_concurrency=op.get("maxConcurrency"),
                              completion_config=completion_config(op))
        return batch_summary(result)


def completion_config(op):
    """The model's completion config dict (the keys model._completion_reason reads) of the keys given."""
    return {key: op[key] for key in ("minSuccessful", "toleratedFailureCount", "toleratedFailurePercentage")
            if op.get(key) is not None}


def batch_summary(result):
    items = []
    for it in result.all:
        entry = {"index": it["index"], "status": it["status"]}
        if it["status"] == "SUCCEEDED":
            entry["result"] = it["result"]
        elif it["status"] == "FAILED":
            entry["error"] = it["error"]["ErrorMessage"]
        items.append(entry)
    return {"reason": result.completionReason, "all": items}


def callback_actions(program):
    actions = []
    for op in callback_ops(program):
        action = {"CallbackName": op["name"], "Operation": op["answer"], "Delay": op["delay"]}
        if op["answer"] == "success":
            action["Payload"] = op["payload"]
        else:
            action.update(ErrorType="DiffCallbackError", ErrorMessage=op["payload"])
        actions.append(action)
    return actions


def invoke_fail(model, payload):
    raise model.Error("DiffInvokeError", payload if isinstance(payload, str) else "fail target")


def invoke_targets(model):
    """The chained-invoke targets (interp_library.cpp's REWIND_FUNCTIONs)."""
    return {"echo": lambda payload: payload, "fail": lambda payload: invoke_fail(model, payload)}


def run_model(model, program, default_names=True):
    """The model's outcome as {Status, Result, Error, History}; raises when the model cannot run it."""
    runner = model.LocalRunner(ModelInterpreter(model, default_names).handler,
                               callback_actions=callback_actions(program), functions=invoke_targets(model),
                               max_invocations=MODEL_MAX_INVOCATIONS)
    res = runner.run(program)
    return {"Status": res.status, "Result": None if res.result is None else json.loads(res.result),
            "Error": res.error, "History": res.history}


# ----------------------------------------------------------------------------- Rewind side
class RewindFailure(Exception):
    """rewind-run did not print an outcome (timeout, crash, unparsable output)."""


def respond_args(program):
    args = []
    for op in callback_ops(program):
        if op["answer"] == "success":
            answer = f"success:{json.dumps(op['payload'])}"
        else:
            answer = f"failure:DiffCallbackError:{op['payload']}"
        args += ["--respond", f"{op['name']}={answer}@{op['delay']}"]
    return args


def run_tool(tool, library, program, options):
    """rewind-run or rewind-check on the program (its input event, and the callbacks'
    answers): the CompletedProcess, or None when it ran out of time."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "prog.json")
        with open(path, "w") as f:
            json.dump(program, f)
        cmd = [tool, library, "--handler", "diff", "--event", "@" + path] + options + respond_args(program)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=REWIND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None


def run_rewind(rewind_run, library, program):
    proc = run_tool(rewind_run, library, program, ["--skip-time", "--json"])
    if proc is None:
        raise RewindFailure(f"rewind-run timed out after {REWIND_TIMEOUT_SECONDS} s")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RewindFailure(f"rewind-run exit {proc.returncode}, no JSON on stdout; stderr:\n"
                            f"{proc.stderr[-2000:]}") from None


def run_checker(rewind_check, library, program, mode="both"):
    """rewind-check on the program: every checkpoint boundary crashed (the resumes `mode`
    names: rewind-check's --mode), then CHECK_SCHEDULES generated schedules (several
    crashes, injected step failures, seeded branch orders, callback timings). These
    programs are deterministic, so any finding is a defect. Returns a description or None."""
    proc = run_tool(rewind_check, library, program, ["--no-progress", "--expect-failure", "--exhaustive",
                                                     "--schedules", str(CHECK_SCHEDULES), "--seed", "1",
                                                     "--mode", mode])
    if proc is None:
        return f"rewind-check timed out after {REWIND_TIMEOUT_SECONDS} s"
    if proc.returncode != 0 or "OK: no findings" not in proc.stdout:
        return f"rewind-check exit {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}"
    return None


def has_crash(program):
    return any(op.get("crash") for op, _ in walk(program["body"]))


# ----------------------------------------------------------------------------- normalization
def seconds_of(timestamp):
    if isinstance(timestamp, (int, float)):
        return timestamp
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def parse_payload(text):
    try:
        return json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return text


def error_fields(error):
    payload = error.get("Payload", error) if isinstance(error, dict) else {}
    return {"ErrorType": payload.get("ErrorType"), "ErrorMessage": payload.get("ErrorMessage")}


def normalize_event(event, start):
    kind = event["EventType"]
    details = event.get(kind + "Details") or {}
    out = {"EventType": kind}
    out.update({k: event[k] for k in ("Id", "Name", "ParentId", "SubType") if event.get(k) is not None})
    out["T"] = round(seconds_of(event["EventTimestamp"]) - start)
    if kind == "InvocationCompleted":
        # A crash's Error (Runtime.ExitError) on both sides. Rewind also gives a FAILED
        # invocation its error (issue #16.15), where the model gives none: checked apart
        # (failed_invocation_errors), so not compared here.
        out["Crashed"] = error_fields(details.get("Error") or {})["ErrorType"] == "Runtime.ExitError"
        return out
    if kind.endswith("Succeeded") and (details.get("Result") or {}).get("Payload") is not None:
        out["Result"] = parse_payload(details["Result"]["Payload"])
    if "Error" in details:
        out["Error"] = error_fields(details["Error"])
    if "RetryDetails" in details:
        retry = details["RetryDetails"]
        out["RetryDetails"] = {k: retry[k] for k in ("CurrentAttempt", "NextAttemptDelaySeconds") if k in retry}
    if kind == "WaitStarted":
        out["Duration"] = details.get("Duration")
    if kind == "ChainedInvokeStarted":
        out["FunctionName"] = details.get("FunctionName")
        out["Input"] = parse_payload((details.get("Input") or {}).get("Payload"))
        if details.get("TenantId") is not None:
            out["TenantId"] = details["TenantId"]
    return out


def normalize_history(events):
    started = [e for e in events if e["EventType"] == "ExecutionStarted"]
    start = seconds_of(started[0]["EventTimestamp"]) if started else 0
    return [normalize_event(e, start) for e in events]


def failed_invocation_errors(events):
    """Rewind's rule the model lacks: an invocation that failed the execution ends with an
    InvocationCompleted carrying the error the ExecutionFailed event that follows carries.
    Returns a description of the first event breaking it, or None."""
    for i, event in enumerate(events):
        if event["EventType"] != "InvocationCompleted":
            continue
        error = (event.get("InvocationCompletedDetails") or {}).get("Error")
        if error is None or error_fields(error)["ErrorType"] == "Runtime.ExitError":
            continue
        after = events[i + 1] if i + 1 < len(events) else {}
        failed = (after.get("ExecutionFailedDetails") or {}).get("Error")
        if after.get("EventType") != "ExecutionFailed" or error_fields(error) != error_fields(failed or {}):
            return f"event {i + 1}: InvocationCompleted with error {dumps(error_fields(error))} " \
                   f"not followed by an ExecutionFailed with that error"
    return None


# The StepInterruptedError message's wording is the implementation's (DESIGN.md names only
# the type): Rewind quotes the name ("step 's1' ...", unnamed "step at step 1-2 ..."), the
# model does not ("step s1 ...", "step 1-2 ..."). Both become "step <name or id> ...".
INTERRUPTED = re.compile(r"step (?:'([^']*)'|at step (\S+)|(\S+)) was interrupted before its result was checkpointed")


def canonical(value):
    """The value with implementation-worded messages in their one canonical wording."""
    if isinstance(value, str):
        return INTERRUPTED.sub(lambda m: f"step {m.group(1) or m.group(2) or m.group(3)} was interrupted", value)
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


def normalize_outcome(outcome):
    failed = outcome.get("Status") == "FAILED"
    return canonical({"Status": outcome.get("Status"), "Result": outcome.get("Result"),
                      "Error": error_fields(outcome.get("Error") or {}) if failed else None,
                      "History": normalize_history(outcome.get("History") or [])})


# ----------------------------------------------------------------------------- comparison
class Difference:
    """The first difference of two normalized outcomes; `kind` names its class for the shrinker."""

    def __init__(self, kind, text):
        self.kind, self.text = kind, text


def compare(model_out, rewind_out):
    for key in ("Status", "Result", "Error"):
        if model_out[key] != rewind_out[key]:
            return Difference((key,), f"{key}: model {dumps(model_out[key])}\n{' ' * len(key)}  rewind "
                                      f"{dumps(rewind_out[key])}")
    return compare_histories(model_out["History"], rewind_out["History"])


def compare_histories(model_events, rewind_events):
    for i in range(max(len(model_events), len(rewind_events))):
        m = model_events[i] if i < len(model_events) else None
        r = rewind_events[i] if i < len(rewind_events) else None
        if m != r:
            kind = ("History",) + event_difference_kind(m, r)
            return Difference(kind, history_context(model_events, rewind_events, i))
    return None


def event_difference_kind(m, r):
    if m is None or r is None or m["EventType"] != r["EventType"]:
        return ((m or {}).get("EventType"), (r or {}).get("EventType"))
    keys = sorted(k for k in set(m) | set(r) if m.get(k) != r.get(k))
    return (m["EventType"], tuple(keys))


def history_context(model_events, rewind_events, i):
    lines = [f"History: first difference at event {i + 1} (EventId)"]
    lo = max(0, i - CONTEXT_EVENTS)
    for side, events in (("model", model_events), ("rewind", rewind_events)):
        lines.append(f"  {side} ({len(events)} events):")
        for j in range(lo, min(len(events), i + CONTEXT_EVENTS)):
            lines.append(f"  {'>' if j == i else ' '} {j + 1:3} {dumps(events[j])}")
    return "\n".join(lines)


def dumps(value):
    return json.dumps(value, separators=(",", ":"))


# ----------------------------------------------------------------------------- one program
class Skipped(Exception):
    """The model itself cannot run the program (a limitation of the model)."""


class Harness:
    def __init__(self, model, rewind_run, library, rewind_check=None, default_names=True, check_mode="both"):
        self.model, self.rewind_run, self.library = model, rewind_run, library
        self.default_names = default_names
        self.rewind_check = rewind_check
        self.check_mode = check_mode
        self.checked = 0  # programs rewind-check also ran on

    def check(self, program):
        """The first Difference between the two runs, or None; raises Skipped."""
        try:
            model_out = normalize_outcome(run_model(self.model, program, self.default_names))
        except Exception as e:  # noqa: BLE001 - any model failure is a model limitation
            raise Skipped(f"{type(e).__name__}: {str(e)[:200]}") from None
        try:
            rewind_raw = run_rewind(self.rewind_run, self.library, program)
        except RewindFailure as e:
            return Difference(("RewindFailure",), str(e))
        rewind_out = normalize_outcome(rewind_raw)
        broken = failed_invocation_errors(rewind_raw.get("History") or [])
        if broken:
            return Difference(("InvocationError",), broken)
        difference = compare(model_out, rewind_out) or self.compare_flat(program, rewind_out)
        # A crash step crashes once per process: not a deterministic program for the checker.
        # The checker's work grows with checkpoints times invocations: large programs are left
        # to the comparison alone.
        checkable = not has_crash(program) and len(rewind_raw.get("History") or []) <= CHECK_MAX_EVENTS
        if difference is None and self.rewind_check and checkable:
            self.checked += 1
            finding = run_checker(self.rewind_check, self.library, program, self.check_mode)
            if finding:
                return Difference(("Checker",), finding)
        return difference

    def compare_flat(self, program, nested_out):
        """Rewind alone: the program with every batch FLAT (items share their batch's context:
        no item records) must end as the NESTED run did (issue #16.3)."""
        flat = flattened(program)
        if flat is None or flat == program:
            return None
        try:
            flat_out = normalize_outcome(run_rewind(self.rewind_run, self.library, flat))
        except RewindFailure as e:
            return Difference(("FlatRewindFailure",), str(e))
        for key in ("Status", "Result", "Error"):
            if flat_out[key] != nested_out[key]:
                return Difference(("Flat", key), f"FLAT batches: {key} {dumps(flat_out[key])}\n"
                                                 f"NESTED batches: {key} {dumps(nested_out[key])}")
        return None

    def shrink(self, program, difference):
        """Greedily the smallest variant of the program with a difference of the same kind."""
        improved = True
        while improved:
            improved = False
            for body in body_variants(program["body"]):
                candidate = {"body": body}
                try:
                    found = self.check(candidate)
                except Skipped:
                    continue
                if found is not None and found.kind == difference.kind:
                    program, difference, improved = candidate, found, True
                    break
        return program, difference


# ----------------------------------------------------------------------------- shrinking
def body_variants(ops):
    """Smaller versions of a body (never empty): one op removed, or one op made smaller."""
    for i, op in enumerate(ops):
        if len(ops) > 1:
            yield ops[:i] + ops[i + 1:]
        for replacement in op_variants(op):
            yield ops[:i] + replacement + ops[i + 1:]


def op_variants(op):
    """Smaller versions of one op, each a list of ops (unwrapping a container yields its body)."""
    kind = op["op"]
    if kind == "child":
        yield op["body"]
        yield from ([dict(op, body=b)] for b in body_variants(op["body"]))
    elif kind == "map":
        yield from map_variants(op)
    elif kind == "parallel":
        yield from parallel_variants(op)
    elif kind == "step":
        yield from ([without(op, key)] for key in ("crash", "failures", "maxAttempts", "delay", "semantics")
                    if key in op)
    elif kind == "condition":
        yield from ([without(op, key)] for key in ("failAt", "noStrategy") if key in op)
    elif kind == "invoke":
        yield from ([without(op, key)] for key in ("payload", "tenant") if key in op)
    if op.get("anonymous"):
        yield [without(op, "anonymous")]
    if op.get("catch"):
        yield [without(op, "catch")]


def map_variants(op):
    items = op["items"]
    for j in range(len(items) if len(items) > 1 else 0):
        yield [fit_min_successful(dict(op, items=items[:j] + items[j + 1:]), len(items) - 1)]
    yield from ([dict(op, body=b)] for b in body_variants(op["body"]))
    yield from ([without(op, key)] for key in BATCH_OPTIONS + ("unnamedItems",) if key in op)


def parallel_variants(op):
    branches = op["branches"]
    for j in range(len(branches) if len(branches) > 1 else 0):
        yield [fit_min_successful(dict(op, branches=branches[:j] + branches[j + 1:]), len(branches) - 1)]
    for j, branch in enumerate(branches):
        yield branch["body"]
        for b in body_variants(branch["body"]):
            yield [dict(op, branches=branches[:j] + [dict(branch, body=b)] + branches[j + 1:])]
    yield from ([without(op, key)] for key in BATCH_OPTIONS if key in op)


def fit_min_successful(op, n):
    if op.get("minSuccessful") is not None and op["minSuccessful"] > n:
        op["minSuccessful"] = n
    return op


def without(op, key):
    return {k: v for k, v in op.items() if k != key}


# ----------------------------------------------------------------------------- CLI
def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rewind-run", required=True, help="the rewind-run tool")
    ap.add_argument("--library", required=True, help="libdiff_interp.so (handler 'diff')")
    ap.add_argument("--model-dir", default=os.path.join(here, "..", "..", "..", "shared", "reference-model"),
                    help="directory of the reference model's model.py")
    ap.add_argument("--count", type=int, default=100, help="programs to generate (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--program", help="run one saved program instead of generating")
    ap.add_argument("--save-dir", help="where mismatching programs go (default: a new temporary directory)")
    ap.add_argument("--shrink", action="store_true", help="reduce each mismatching program")
    ap.add_argument("--rewind-check", help="also run this rewind-check on every program without a crash step: "
                                           "any finding is a mismatch")
    ap.add_argument("--check-mode", choices=("both", "in-process", "fork"), default="both",
                    help="rewind-check's --mode: which resumes it explores (default both). Under AddressSanitizer "
                         "a fork costs ~20 ms (a checked program forks up to ~1,000 times), so the sanitizer "
                         "build checks in-process")
    ap.add_argument("--large-values", action="store_true",
                    help="make about half the steps return strings of 90,000-140,000 characters (results over "
                         "256 KiB: ReplayChildren)")
    ap.add_argument("--model-unnamed-items", action="store_true",
                    help="let the model leave unnamed map items and parallel branches nameless (its known "
                         "deviation) instead of giving them the SDK's default names")
    return ap.parse_args(argv)


def load_model(model_dir):
    sys.path.insert(0, os.path.abspath(model_dir))
    return importlib.import_module("model")


def programs(args):
    """(label, program) pairs: the saved one, or --count generated from --seed."""
    if args.program:
        with open(args.program) as f:
            yield os.path.splitext(os.path.basename(args.program))[0], json.load(f)
        return
    for k in range(args.count):
        program = Generator(random.Random(f"{args.seed}:{k}")).program()
        if args.large_values:
            enlarge(program, random.Random(f"{args.seed}:{k}:large"))
        yield f"prog-{args.seed}-{k}", program


LARGE_VALUE_SIZES = (90_000, 140_000)  # two or three of them make a result over 256 KiB


def enlarge(program, rng):
    """--large-values: about half the steps return a string of 90,000 or 140,000 characters,
    so that child contexts, map items and batches holding two or more have results over the
    256 KiB checkpoint limit (ReplayChildren: rebuilt by re-running their children). A
    second random stream, so that the programs are otherwise those of the seed."""
    for op, _ in walk(program["body"]):
        if op["op"] == "step" and rng.random() < 0.5:
            op["value"] = rng.choice("abcxyz") * rng.choice(LARGE_VALUE_SIZES)


def save(save_dir, label, program):
    path = os.path.join(save_dir, label + ".json")
    with open(path, "w") as f:
        json.dump(program, f, indent=1)
    return path


def report_mismatch(harness, args, save_dir, label, program, difference):
    print(f"MISMATCH {label}: {save(save_dir, label, program)}")
    print(difference.text)
    if args.shrink:
        small, small_difference = harness.shrink(program, difference)
        print(f"  shrunk to {dumps(small)}: {save(save_dir, label + '-min', small)}")
        print(small_difference.text)


def main(argv=None):
    args = parse_args(argv)
    harness = Harness(load_model(args.model_dir), args.rewind_run, args.library, args.rewind_check,
                      default_names=not args.model_unnamed_items, check_mode=args.check_mode)
    save_dir = args.save_dir or tempfile.mkdtemp(prefix="rewind-differential-")
    os.makedirs(save_dir, exist_ok=True)
    counts = {"matched": 0, "mismatched": 0, "skipped": 0}
    for label, program in programs(args):
        try:
            difference = harness.check(program)
        except Skipped as e:
            counts["skipped"] += 1
            print(f"skipped (model) {label}: {e}")
            continue
        if difference is None:
            counts["matched"] += 1
        else:
            counts["mismatched"] += 1
            report_mismatch(harness, args, save_dir, label, program, difference)
        sys.stdout.flush()
    total = sum(counts.values())
    if args.rewind_check:
        print(f"rewind-check: {harness.checked} of the programs checked, every finding a mismatch")
    print(f"differential: {total} programs, {counts['matched']} matched, {counts['mismatched']} mismatched, "
          f"{counts['skipped']} skipped")
    return 1 if counts["mismatched"] else 0


if __name__ == "__main__":
    sys.exit(main())
