#!/usr/bin/env python3
"""Checks durable API messages Rewind wrote against the AWS Lambda service model.

    check_wire_model.py SAMPLES.json

SAMPLES.json is a list of {"Shape", "Body", "Uri", "Query"} (tests/lambda_service/wire_log.hpp).
Every member name, type, enum value, length/range, pattern and required member is checked
against botocore's lambda/2015-03-31/service-2.json.gz; members bound to the URI or the query
string must be there and not in the body. DurableExecutionInvocationInput/Output are not
operations of the model: their members are the SDKs' (InitialExecutionState is a
CheckpointUpdatedExecutionState). Exits 77 (skipped) where botocore is absent.
"""
import gzip
import json
import os
import re
import sys

try:
    import botocore
except ImportError:
    print("botocore is not installed: skipped")
    sys.exit(77)

MODEL = os.path.join(os.path.dirname(botocore.__file__), "data", "lambda", "2015-03-31", "service-2.json.gz")
if not os.path.exists(MODEL):
    print(f"no {MODEL}: skipped")
    sys.exit(77)
with gzip.open(MODEL) as f:
    model = json.load(f)
shapes = dict(model["shapes"])
# The invocation payloads of a durable function (as the SDKs define them).
shapes["DurableExecutionInvocationInput"] = {
    "type": "structure",
    "required": ["DurableExecutionArn", "CheckpointToken"],
    "members": {
        "DurableExecutionArn": {"shape": "DurableExecutionArn"},
        "CheckpointToken": {"shape": "CheckpointToken"},
        "InitialExecutionState": {"shape": "CheckpointUpdatedExecutionState"},
    },
}
shapes["RewindInvocationStatus"] = {"type": "string", "enum": ["SUCCEEDED", "FAILED", "PENDING"]}
shapes["DurableExecutionInvocationOutput"] = {
    "type": "structure",
    "required": ["Status"],
    "members": {
        "Status": {"shape": "RewindInvocationStatus"},
        "Result": {"shape": "OperationPayload"},
        "Error": {"shape": "ErrorObject"},
    },
}
TIMESTAMP_FORMAT = model["metadata"].get("timestampFormat", "unixTimestamp")  # rest-json default

errors = []


def check(value, shape_name, path, member=None):
    shape = shapes[shape_name]
    t = shape["type"]
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object ({shape_name})")
            return
        members = shape.get("members", {})
        for k, v in value.items():
            if k not in members:
                errors.append(f"{path}.{k}: not a member of {shape_name}")
                continue
            check(v, members[k]["shape"], f"{path}.{k}", members[k])
        for r in shape.get("required", []):
            if r not in value:
                errors.append(f"{path}: required member {r} of {shape_name} is missing")
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list ({shape_name})")
            return
        for i, v in enumerate(value):
            check(v, shape["member"]["shape"], f"{path}[{i}]")
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string ({shape_name}), got {json.dumps(value)[:60]}")
            return
        if "enum" in shape and value not in shape["enum"]:
            errors.append(f"{path}: '{value}' is not one of {shape['enum']} ({shape_name})")
        if "min" in shape and len(value) < shape["min"]:
            errors.append(f"{path}: shorter than {shape['min']} ({shape_name})")
        if "max" in shape and len(value) > shape["max"]:
            errors.append(f"{path}: longer than {shape['max']} ({shape_name})")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value):
            errors.append(f"{path}: '{value[:80]}' does not match {shape['pattern']} ({shape_name})")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: expected an integer ({shape_name})")
            return
        if "min" in shape and value < shape["min"]:
            errors.append(f"{path}: {value} < {shape['min']} ({shape_name})")
        if "max" in shape and value > shape["max"]:
            errors.append(f"{path}: {value} > {shape['max']} ({shape_name})")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean ({shape_name})")
    elif t == "timestamp":
        fmt = (member or {}).get("timestampFormat") or shape.get("timestampFormat") or TIMESTAMP_FORMAT
        if fmt == "unixTimestamp":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                errors.append(f"{path}: expected epoch seconds ({shape_name}), got {json.dumps(value)}")
            elif value > 1e11:
                errors.append(f"{path}: {value} looks like milliseconds, the model says epoch seconds")
        elif not isinstance(value, str):
            errors.append(f"{path}: expected a {fmt} timestamp ({shape_name})")
    else:
        errors.append(f"{path}: unchecked type {t} ({shape_name})")


def check_message(i, m):
    name = m["Shape"]
    if name not in shapes:
        errors.append(f"[{i}] {name}: no such shape")
        return
    shape = shapes[name]
    body, uri, query = m.get("Body", {}), m.get("Uri", {}), m.get("Query", {})
    members = shape.get("members", {})
    merged = dict(body)
    for k, v in body.items():
        loc = members.get(k, {}).get("location")
        if loc in ("uri", "querystring", "header"):
            errors.append(f"[{i}] {name}.{k}: bound to the {loc}, must not be in the body")
    for where, part in (("uri", uri), ("querystring", query)):
        for k, v in part.items():
            if k not in members or members[k].get("location") != where:
                errors.append(f"[{i}] {name}.{k}: not a {where} member")
            merged[k] = v
    for k, mem in members.items():
        loc = mem.get("location")
        if loc in ("uri", "querystring") and k in merged and mem.get("locationName", k) != k:
            errors.append(f"[{i}] {name}.{k}: bound as {mem['locationName']}")
    check(merged, name, f"[{i}] {name}")


def main():
    with open(sys.argv[1]) as f:
        messages = json.load(f)
    seen = set()
    for i, m in enumerate(messages):
        seen.add(m["Shape"])
        check_message(i, m)
    expected = {"DurableExecutionInvocationInput", "DurableExecutionInvocationOutput",
                "CheckpointDurableExecutionRequest", "CheckpointDurableExecutionResponse",
                "GetDurableExecutionStateRequest", "GetDurableExecutionStateResponse"}
    for s in sorted(expected - seen):
        errors.append(f"no {s} among the samples: the test does not cover it")
    for op in ("CheckpointDurableExecution", "GetDurableExecutionState"):
        o = model["operations"][op]
        print(f"{op}: {o['http']['method']} {o['http']['requestUri']}")
    if errors:
        for e in errors[:200]:
            print(e)
        print(f"{len(errors)} mismatch(es) against {MODEL} in {len(messages)} message(s)")
        sys.exit(1)
    print(f"{len(messages)} message(s) of {len(seen)} shape(s) match the service model")


main()
