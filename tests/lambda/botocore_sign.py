#!/usr/bin/env python3
"""Signs each request of a JSON table with botocore's own SigV4Auth and prints, per
request, the Authorization header and canonical request botocore computed.

Input (stdin): [{"method", "url", "headers": [[name, value]...], "body", "epoch",
"accessKeyId", "secretAccessKey", "sessionToken", "region", "service"}, ...]
Output (stdout): [{"authorization": ..., "canonicalRequest": ...}, ...]
Exit 77 when botocore cannot be imported (the C++ test then skips).
"""
import datetime
import json
import sys

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    sys.exit(77)


def sign(entry):
    fixed = datetime.datetime.fromtimestamp(entry["epoch"], tz=datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda: fixed
    request = AWSRequest(method=entry["method"], url=entry["url"], data=entry["body"].encode("utf-8"))
    for name, value in entry["headers"]:
        request.headers[name] = value
    creds = Credentials(entry["accessKeyId"], entry["secretAccessKey"], entry["sessionToken"] or None)
    signer = botocore.auth.SigV4Auth(creds, entry["service"], entry["region"])
    signer.add_auth(request)
    request.context["timestamp"] = fixed.strftime(botocore.auth.SIGV4_TIMESTAMP)
    return {
        "authorization": request.headers["Authorization"],
        "canonicalRequest": signer.canonical_request(request),
    }


json.dump([sign(e) for e in json.load(sys.stdin)], sys.stdout)
