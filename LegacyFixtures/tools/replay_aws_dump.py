#!/usr/bin/env python3
"""Load an AWS fixture dump (make_aws_fixtures.py's dump.json) into a running moto.

    source STATE_DIR/moto.env      # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (scripts/moto-server)
    /work/venvs/zenml052/bin/python LegacyFixtures/tools/replay_aws_dump.py \
        LegacyFixtures/aws/zenml-0.52.0/dump.json --endpoint "$FERRY_MOTO_ENDPOINT"

For every entry, in file order: CreateSecret(Name, SecretString, Tags[, Description]),
with the tags in the dump's order.  Then every secret is read back (DescribeSecret +
GetSecretValue) and compared with the dump.  This gives CI the exact data ZenML 0.52.0
wrote without running ZenML's writer.  Only the current value is recreated: secrets that
ZenML updated had an AWSPREVIOUS version in the original, the replay has one version.

Plain boto3 (any venv with boto3: the zenml052 one or scripts/moto-server's).  Credentials
come from the environment.  Nothing is deleted first: clear moto with
`scripts/moto-server wipe-secrets STATE_DIR`; an existing name fails the replay.

Exit codes: 0 ok, 1 AWS error or read-back mismatch (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import sys
from typing import Any, Dict, List


def _err(msg: str) -> None:
    print(f"replay_aws_dump: {msg}", file=sys.stderr, flush=True)


def _load(path: str) -> List[Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        dump = json.load(f)
    if not isinstance(dump, list):
        raise ValueError("the dump must be a JSON array")
    for item in dump:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise ValueError(f"bad entry {item!r}")
        if not isinstance(item.get("SecretString"), str) or not isinstance(item.get("Tags"), list):
            raise ValueError(f"{item['Name']}: SecretString (string) and Tags (array) are required")
    return dump


def main() -> int:
    parser = argparse.ArgumentParser(description="Load a dump.json into a running moto.")
    parser.add_argument("dump", help="path to dump.json")
    parser.add_argument("--endpoint", required=True, help="e.g. http://127.0.0.1:4566")
    parser.add_argument("--region", default="us-east-1", help="region (default us-east-1)")
    args = parser.parse_args()

    try:
        dump = _load(args.dump)
    except (OSError, ValueError) as e:
        _err(f"cannot read {args.dump}: {e}")
        return 2
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not os.environ.get(var):
            _err(f"{var} is not set (source STATE_DIR/moto.env)")
            return 2

    import boto3
    import botocore.exceptions

    client = boto3.client("secretsmanager", region_name=args.region, endpoint_url=args.endpoint)
    try:
        for item in dump:
            kwargs: Dict[str, Any] = {
                "Name": item["Name"],
                "SecretString": item["SecretString"],
                "Tags": [{"Key": t["Key"], "Value": t["Value"]} for t in item["Tags"]],
            }
            if item.get("Description"):
                kwargs["Description"] = item["Description"]
            client.create_secret(**kwargs)

        problems = []
        for item in dump:
            described = client.describe_secret(SecretId=item["Name"])
            value = client.get_secret_value(SecretId=item["Name"])
            if value.get("SecretString") != item["SecretString"]:
                problems.append(f"{item['Name']}: SecretString differs")
            if (described.get("Tags") or []) != item["Tags"]:
                problems.append(f"{item['Name']}: tags differ: {described.get('Tags')!r}")
            if described.get("Description") != item.get("Description"):
                problems.append(f"{item['Name']}: description differs")
    except botocore.exceptions.BotoCoreError as e:
        _err(f"{type(e).__name__}: {e}")
        return 1
    except botocore.exceptions.ClientError as e:
        _err(f"{e.response['Error']['Code']}: {e}")
        return 1
    for p in problems:
        _err(p)
    if problems:
        return 1
    _err(f"created and verified {len(dump)} secrets at {args.endpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
