#!/usr/bin/env python3
"""Read (or write) a ZenML local secrets-manager file with ZenML 0.52.0's own code.

Read every secret (JSON on stdout):

    /work/venvs/zenml052/bin/python LegacyFixtures/tools/zenml_local_read.py \
        --secrets-file PATH/secrets.yaml

    -> {"<secret name>": {"schema": "<TYPE>", "values": {"<key>": "<value>"}}, ...}

Values are `str()` of what `LocalSecretsManager.get_secret(name).content`
returns (ZenML already gives strings for everything it read back from a file).
Secrets appear in `get_all_secret_keys()` order (the file's order).

Write one secret through ZenML, then print the whole file as above:

    ... zenml_local_read.py --secrets-file PATH --write NAME --schema TYPE \
        --values-json '{"key": "value"}'   [--update]

`--write` uses `register_secret` (fails if NAME exists) or, with `--update`,
`update_secret` (fails if NAME does not exist).  `--delete NAME` calls
`delete_secret`.  Values in --values-json are passed to the schema class as
given (JSON strings stay strings; a JSON `true` becomes a Python bool, which
ZenML stores as "True").

The manager is built directly as
`LocalSecretsManager(config=LocalSecretsManagerConfig(secrets_file=PATH), ...)`;
no ZenML database is used.  ZENML_CONFIG_PATH is pointed at a throw-away temp
directory so that nothing touches the user's ZenML config.  In read mode the
file must already exist (ZenML itself would silently create it as `{}`).

Check mode (for CI): `--expected FILE` additionally compares the result with
FILE, which is either an expected.json written by make_local_fixtures.py (the
component is picked by the UUID directory name of --secrets-file) or a plain
{"<name>": {"schema": ..., "values": ...}} map; mismatches are listed on
stderr and the exit code is 3.  Key order is not compared.

Exit codes: 0 ok, 1 ZenML raised an error (message on stderr), 2 usage error,
3 --expected mismatch.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import uuid
from typing import Any, Dict

from fixture_common import use_throwaway_zenml_config, compare_with_expected

ZENML_VERSION = "0.52.0"


def _err(msg: str) -> None:
    print(f"zenml_local_read: {msg}", file=sys.stderr, flush=True)


def _compare(result: Dict[str, Any], expected_file: str, component_id: str) -> int:
    return compare_with_expected(result, expected_file, component_id, _err)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Read/write a ZenML 0.52.0 local secrets manager file."
    )
    parser.add_argument("--secrets-file", required=True, help="path to secrets.yaml")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", metavar="NAME", help="register (or update) secret NAME")
    mode.add_argument("--delete", metavar="NAME", help="delete secret NAME")
    parser.add_argument("--schema", default="arbitrary", help="schema TYPE for --write")
    parser.add_argument("--values-json", help="JSON object of values for --write")
    parser.add_argument(
        "--update", action="store_true", help="with --write: update_secret instead of register_secret"
    )
    parser.add_argument("--expected", metavar="FILE", help="compare the result with FILE (see above)")
    args = parser.parse_args()

    secrets_file = os.path.abspath(args.secrets_file)
    values: Dict[str, Any] = {}
    if args.write is not None:
        if args.values_json is None:
            _err("--write needs --values-json")
            return 2
        try:
            values = json.loads(args.values_json)
        except json.JSONDecodeError as e:
            _err(f"--values-json is not valid JSON: {e}")
            return 2
        if not isinstance(values, dict):
            _err("--values-json must be a JSON object")
            return 2
    elif args.values_json is not None or args.update:
        _err("--values-json/--update only make sense with --write")
        return 2
    elif not os.path.isfile(secrets_file):
        _err(f"{secrets_file} does not exist")
        return 2

    tmp_config = use_throwaway_zenml_config()
    os.environ.pop("ZENML_LOCAL_STORES_PATH", None)

    # ZenML's logger writes to sys.stdout: route fd 1 to stderr and keep a
    # private handle on the real stdout for the JSON result.
    sys.stdout.flush()
    real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    try:
        try:
            import zenml
            from zenml.enums import StackComponentType
            from zenml.secret import SecretSchemaClassRegistry
            from zenml.secrets_managers.local.local_secrets_manager import (
                LocalSecretsManager,
                LocalSecretsManagerConfig,
            )
        except Exception as e:  # noqa: BLE001
            _err(f"cannot import zenml: {e!r}")
            return 1
        if zenml.__version__ != ZENML_VERSION:
            _err(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
            return 2

        # Component id: the parent directory name when it is a UUID (the
        # default local_stores/<uuid>/secrets.yaml layout), else a nil UUID.
        # It is not used for anything since secrets_file is given explicitly.
        try:
            component_id = uuid.UUID(os.path.basename(os.path.dirname(secrets_file)))
        except ValueError:
            component_id = uuid.UUID(int=0)
        now = datetime.datetime.utcnow()

        try:
            sm = LocalSecretsManager(
                name="ferry_interop",
                id=component_id,
                config=LocalSecretsManagerConfig(secrets_file=secrets_file),
                flavor="local",
                type=StackComponentType.SECRETS_MANAGER,
                user=None,
                workspace=uuid.UUID(int=0),
                created=now,
                updated=now,
            )
            if args.write is not None:
                cls = SecretSchemaClassRegistry.get_class(secret_schema=args.schema)
                secret = cls(name=args.write, **values)
                if args.update:
                    sm.update_secret(secret)
                else:
                    sm.register_secret(secret)
            elif args.delete is not None:
                sm.delete_secret(args.delete)

            result: Dict[str, Any] = {}
            for name in sm.get_all_secret_keys():
                secret = sm.get_secret(name)
                result[name] = {
                    "schema": secret.TYPE,
                    "values": {k: str(v) for k, v in secret.content.items()},
                }
        except Exception as e:  # noqa: BLE001 - any ZenML/pydantic/YAML error
            _err(f"{type(e).__name__}: {e}")
            return 1

        json.dump(result, real_stdout, ensure_ascii=False, indent=2)
        real_stdout.write("\n")
        real_stdout.flush()
        if args.expected is not None:
            return _compare(result, args.expected, str(component_id))
        return 0
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
