#!/usr/bin/env python3
"""Baseline: list and read one ZenML scope of AWS secrets with boto3, as ZenML 0.52.0 does.

    source /tmp/ferry-moto/moto.env
    /tmp/ferry-moto/venvs/moto/bin/python Benchmarks/aws/boto3_list_read.py \
        --endpoint "$FERRY_MOTO_ENDPOINT" --prefix zenml/global/ --count 1000

--prefix names the scope: `zenml/global/`, `zenml/namespace/<ns>/` or
`zenml/component/<uuid>/` (the `none` scope is not supported: moto does not answer its
negated tag filter as AWS does, see LegacyFixtures/README.md).

Listing is ZenML's `get_all_secret_keys()`: the `list_secrets` paginator with
PaginationConfig PageSize 100 and the filters ZenML sends for the scope, in its order
(tag-key zenml_scope, tag-value <scope>, then tag-key/tag-value zenml_namespace or
zenml_component_uuid, then name = <prefix>), keeping names whose rest after the prefix is
non-empty and has no `/`.  Then every listed secret is read with one GetSecretValue
(ZenML's `get_secret` would first repeat a filtered ListSecrets per secret; this
baseline does not).  The values are parsed as JSON.

Prints {"listed": n, "read": n, "pages": n, "seconds": t}; `seconds` covers listing and
reading, not the start of Python or the creation of the boto3 client.  With --count N
the exit code is 1 unless exactly N secrets were listed and read.
Credentials come from the environment (moto.env).
"""

import argparse
import json
import os
import sys
import time
from typing import Any, Dict, List


def scope_filters(prefix: str) -> List[Dict[str, Any]]:
    parts = prefix.split("/")
    if len(parts) < 3 or parts[0] != "zenml" or parts[-1] != "" or "" in parts[1:-1]:
        raise ValueError(f"--prefix {prefix!r} is not zenml/<scope>[/<x>]/")
    scope, rest = parts[1], parts[2:-1]
    if scope == "global" and not rest:
        meta = [("zenml_scope", "global")]
    elif scope == "namespace" and len(rest) == 1:
        meta = [("zenml_scope", "namespace"), ("zenml_namespace", rest[0])]
    elif scope == "component" and len(rest) == 1:
        meta = [("zenml_scope", "component"), ("zenml_component_uuid", rest[0])]
    else:
        raise ValueError(f"--prefix {prefix!r}: unknown scope layout")
    filters: List[Dict[str, Any]] = []
    for key, value in meta:
        filters.append({"Key": "tag-key", "Values": [key]})
        filters.append({"Key": "tag-value", "Values": [value]})
    filters.append({"Key": "name", "Values": [prefix]})
    return filters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--prefix", required=True, help="e.g. zenml/global/")
    parser.add_argument("--count", type=int, help="fail unless exactly this many secrets are listed and read")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    try:
        filters = scope_filters(args.prefix)
    except ValueError as e:
        parser.error(str(e))
    if not (os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY")):
        print("boto3_list_read: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY not set", file=sys.stderr)
        return 2

    import boto3

    client = boto3.client("secretsmanager", region_name=args.region, endpoint_url=args.endpoint)

    started = time.perf_counter()
    names: List[str] = []
    pages = 0
    for page in client.get_paginator("list_secrets").paginate(
        Filters=filters, PaginationConfig={"PageSize": 100}
    ):
        pages += 1
        for secret in page["SecretList"]:
            rest = secret["Name"][len(args.prefix):]
            if secret["Name"].startswith(args.prefix) and rest and "/" not in rest:
                names.append(secret["Name"])
    read = 0
    for name in names:
        value = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
        if "zenml_schema_name" not in value:
            print(f"boto3_list_read: {name} has no zenml_schema_name", file=sys.stderr)
            return 1
        read += 1
    seconds = time.perf_counter() - started

    print(json.dumps({"listed": len(names), "read": read, "pages": pages, "seconds": round(seconds, 3)}))
    if args.count is not None and not (len(names) == read == args.count):
        print(f"boto3_list_read: expected {args.count} secrets", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
