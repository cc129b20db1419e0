#!/usr/bin/env python3
"""Validates rewind-lint's SARIF against the official SARIF 2.1.0 JSON schema.

    validate_sarif.py LINT SCHEMA SOURCE... -- COMPILE-FLAGS...

Runs LINT --format=sarif over the sources and checks the log with
python3-jsonschema (Draft 4, the schema's dialect), plus what a format
checker without rfc3987 cannot: every helpUri and $schema is an absolute
URI, and columns count Unicode code points (columnKind unicodeCodePoints).
sarif-schema-2.1.0.json is the OASIS schema (errata01), copied unchanged
from github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/.
"""
import json
import subprocess
import sys
import urllib.parse

import jsonschema


def main():
    lint, schema_path, *rest = sys.argv[1:]
    sep = rest.index("--")
    sources, flags = rest[:sep], rest[sep + 1:]
    run = subprocess.run([lint, "--format=sarif", "--quiet", *sources, "--", *flags],
                         capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):
        sys.exit(f"rewind-lint failed ({run.returncode}):\n{run.stderr}")
    log = json.loads(run.stdout)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]

    def absolute(uri):
        parsed = urllib.parse.urlparse(uri)
        return bool(parsed.scheme) and (bool(parsed.netloc) or bool(parsed.path))

    if not absolute(log.get("$schema", "")):
        problems.append(f"$schema is not an absolute URI: {log.get('$schema')!r}")
    results = 0
    for sarif_run in log["runs"]:
        if sarif_run.get("columnKind") not in ("utf16CodeUnits", "unicodeCodePoints"):
            problems.append(f"columnKind {sarif_run.get('columnKind')!r}")
        for rule in sarif_run["tool"]["driver"].get("rules", []):
            if not absolute(rule.get("helpUri", "")):
                problems.append(f"rule {rule['id']}: helpUri is not an absolute URI: {rule.get('helpUri')!r}")
        bases = {k: v["uri"] for k, v in sarif_run.get("originalUriBaseIds", {}).items()}
        for result in sarif_run.get("results", []):
            results += 1
            location = result["locations"][0]["physicalLocation"]
            artifact = location["artifactLocation"]
            uri = urllib.parse.urljoin(bases.get(artifact.get("uriBaseId"), ""), artifact["uri"])
            path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
            with open(path, encoding="utf-8") as f:
                line = f.read().splitlines()[location["region"]["startLine"] - 1]
            column = location["region"]["startColumn"]
            message = result["message"]["text"]
            if message.startswith("'"):
                written = message[1:message.index("'", 1)]
                if line.count(written) == 1 and line.index(written) != column - 1:
                    problems.append(f"{path}: column {column} does not point at {written!r} "
                                    f"(code point {line.index(written) + 1}) in {line!r}")
    if results == 0:
        problems.append("no results: the test needs findings to validate")
    if problems:
        sys.exit("SARIF log is invalid:\n  " + "\n  ".join(problems))
    print(f"SARIF valid against {schema_path} ({results} results)")


if __name__ == "__main__":
    main()
