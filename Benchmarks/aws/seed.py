#!/usr/bin/env python3
"""Create COUNT ZenML-shaped AWS secrets in one ZenML scope, for Benchmarks/aws/boto3_list_read.py.

    scripts/moto-server start /tmp/ferry-moto && source /tmp/ferry-moto/moto.env
    /tmp/ferry-moto/venvs/moto/bin/python Benchmarks/aws/seed.py \
        --endpoint "$FERRY_MOTO_ENDPOINT" --count 1000 --scope global

Each secret looks exactly like one that ZenML 0.52.0's AWS secrets manager registers
(see LegacyFixtures/aws/zenml-0.52.0/dump.json):
  * Name `zenml/global/bench-0001` ... (`zenml/namespace/<ns>/...`, `zenml/component/<uuid>/...`)
  * SecretString = json.dumps({"username": ..., "password": ..., "url": ...,
    "zenml_schema_name": "arbitrary"}) with json's defaults (", ", ": ", ASCII escapes)
  * Tags in ZenML's order: zenml_scope, zenml_secret_name, [zenml_namespace],
    zenml_component_name, zenml_component_uuid (component scope: zenml_component_uuid
    before zenml_component_name), zenml_secret_schema.
Secrets are created one after the other, in name order.  Names that already exist are
left alone (so a re-run tops up); pass --force to delete all secrets of the scope prefix first.
Credentials come from the environment.  Prints {"created": n, "existing": n, "seconds": t}.
"""

import argparse
import json
import os
import sys
import time
import uuid
from typing import Dict, List

DEFAULT_COMPONENT_UUID = "0b5e7c1e-6d1f-4c8e-9a57-f3a4d2b1c0de"


def scope_metadata(scope: str, name: str, namespace: str, component_uuid: str, component_name: str) -> Dict[str, str]:
    meta = {"zenml_scope": scope, "zenml_secret_name": name}
    if scope == "namespace":
        meta["zenml_namespace"] = namespace
    if scope == "component":
        meta["zenml_component_uuid"] = component_uuid
    meta["zenml_component_name"] = component_name
    meta["zenml_component_uuid"] = component_uuid
    meta["zenml_secret_schema"] = "arbitrary"
    return meta


def scope_prefix(scope: str, namespace: str, component_uuid: str) -> str:
    return {
        "global": "zenml/global/",
        "namespace": f"zenml/namespace/{namespace}/",
        "component": f"zenml/component/{component_uuid}/",
    }[scope]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--scope", choices=["global", "namespace", "component"], default="global")
    parser.add_argument("--namespace", default="bench", help="for --scope namespace")
    parser.add_argument("--component-uuid", default=DEFAULT_COMPONENT_UUID, help="writer's id (all scopes)")
    parser.add_argument("--component-name", default="ferry_bench", help="writer's name (all scopes)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--force", action="store_true", help="first delete every secret under the prefix")
    args = parser.parse_args()
    if args.count < 0:
        parser.error("--count must be >= 0")
    component_uuid = str(uuid.UUID(args.component_uuid))

    import boto3

    client = boto3.client("secretsmanager", region_name=args.region, endpoint_url=args.endpoint)
    prefix = scope_prefix(args.scope, args.namespace, component_uuid)
    started = time.perf_counter()
    if args.force:
        old: List[str] = []
        for page in client.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "name", "Values": [prefix]}], IncludePlannedDeletion=True
        ):
            old += [s["ARN"] for s in page["SecretList"]]
        for arn in old:
            client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)

    created = existing = 0
    width = max(4, len(str(args.count)))
    for i in range(1, args.count + 1):
        name = f"bench-{i:0{width}d}"
        value = {
            "username": f"user-{i}",
            "password": f"pässword-{i}-🔐",
            "url": f"postgres://db-{i}.example.com:5432/app?sslmode=require",
            "zenml_schema_name": "arbitrary",
        }
        meta = scope_metadata(args.scope, name, args.namespace, component_uuid, args.component_name)
        try:
            client.create_secret(
                Name=prefix + name,
                SecretString=json.dumps(value),
                Tags=[{"Key": k, "Value": v} for k, v in meta.items()],
            )
            created += 1
        except client.exceptions.ResourceExistsException:
            existing += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"created": created, "existing": existing, "seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    if not (os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY")):
        print("seed: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY not set (source STATE_DIR/moto.env)", file=sys.stderr)
        sys.exit(2)
    sys.exit(main())
