#!/usr/bin/env python3
"""Builds durable API requests with botocore's own Lambda client (parameter validation
against the service model, rest-json serialization, endpoint and URI encoding) and prints
what it would send, without sending anything.

Input (stdin): [{"operation": "checkpoint_durable_execution" | "get_durable_execution_state",
"params": {...}, "endpoint": "http://...", "region": "..."}, ...]
Output (stdout): [{"method", "url", "body": <parsed JSON or null>, "signedHeaders": [...]}
or {"error": "..."} for a request botocore refuses, ...]
Exit 77 when botocore cannot be imported (the C++ test then skips).
"""
import json
import sys

try:
    import botocore.session
    from botocore.exceptions import ParamValidationError
except ImportError:
    sys.exit(77)


class Captured(Exception):
    pass


def build(entry):
    session = botocore.session.get_session()
    client = session.create_client(
        "lambda", region_name=entry["region"], endpoint_url=entry["endpoint"],
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", aws_session_token="token")
    captured = {}

    def capture(request, **_):
        captured["method"] = request.method
        captured["url"] = request.url
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        captured["body"] = json.loads(body) if body else None
        auth = request.headers.get("Authorization", b"")
        if isinstance(auth, bytes):
            auth = auth.decode()
        signed = auth.split("SignedHeaders=")[1].split(",")[0] if "SignedHeaders=" in auth else ""
        captured["signedHeaders"] = signed.split(";") if signed else []
        raise Captured()

    client.meta.events.register("before-send.lambda.*", capture)
    try:
        getattr(client, entry["operation"])(**entry["params"])
    except Captured:
        return captured
    except ParamValidationError as e:
        return {"error": str(e)}
    return {"error": "request was not built"}


json.dump([build(e) for e in json.load(sys.stdin)], sys.stdout)
