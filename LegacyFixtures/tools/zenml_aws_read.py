#!/usr/bin/env python3
"""Read an AWS secrets manager's secrets with ZenML 0.52.0's own AWSSecretsManager.

    source STATE_DIR/moto.env      # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (scripts/moto-server)
    /work/venvs/zenml052/bin/python LegacyFixtures/tools/zenml_aws_read.py \
        --component '{"id": "<uuid>", "name": "ferry_aws_global", "scope": "global",
                      "namespace": null, "region_name": "us-east-1"}' \
        --endpoint http://127.0.0.1:4566

    -> {"<secret name>": {"schema": "<TYPE>", "values": {"<key>": "<value>"}}, ...}

`--component` is one entry of LegacyFixtures/aws/zenml-0.52.0/components.json (a JSON
object; `namespace` may be omitted or null).  The secrets are those of
`get_all_secret_keys()`, in that order, each read with `get_secret(name)`; values are
`str()` of what `.content` returns (a JSON `false` becomes "False").

The manager is built directly as `AWSSecretsManager(config=AWSSecretsManagerConfig(
region_name, scope, namespace), id=<id>, name=<name>, ...)`; no ZenML database is used.
ZENML_CONFIG_PATH is pointed at a throw-away temp directory.  ZenML creates its boto3
client itself (`boto3.session.Session().client("secretsmanager", region_name=...)`,
cached in the class attribute `AWSSecretsManager.CLIENT`); this script only sets
AWS_ENDPOINT_URL_SECRETS_MANAGER=<endpoint>, which boto3 honours, and checks that the
cached client really points there.  Credentials come from the environment.

moto compatibility: ZenML's `none` scope lists secrets with the filter
`tag-key = "!zenml_scope"`, meaning "secrets without a zenml_scope tag"; ZenML's scope
`none` secrets have no tags at all.  moto 5.2.5 never matches a secret without tags
against a tag-key filter, negated or not, so against plain moto ZenML's `none` scope
sees no secret.  `MotoNegatedTagKeyFix` wraps ZenML's cached client and answers such a
ListSecrets the way ZenML expects of AWS: moto is asked without the negated filter and
secrets having a tag key that starts with the negated prefix are dropped.  All other
calls and filters go to moto unchanged.

Check mode (for CI): `--expected FILE` compares the result with FILE, either an
expected.json written by make_aws_fixtures.py (the component is picked by its id) or a
plain {"<name>": {"schema": ..., "values": ...}} map; mismatches are listed on stderr and
the exit code is 3.  Key order is not compared.

Exit codes: 0 ok, 1 ZenML (or AWS) raised an error (message on stderr), 2 usage error,
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
from typing import Any, Dict, Iterator, List, Optional

from fixture_common import use_throwaway_zenml_config, compare_with_expected

ZENML_VERSION = "0.52.0"


def _err(msg: str) -> None:
    print(f"zenml_aws_read: {msg}", file=sys.stderr, flush=True)


class _NegatedTagKeyPaginator:
    def __init__(self, paginator: Any) -> None:
        self._paginator = paginator

    def paginate(self, **kwargs: Any) -> Iterator[Dict[str, Any]]:
        kept: List[Dict[str, Any]] = []
        excluded_prefixes: List[str] = []
        for f in kwargs.get("Filters", []):
            negated = [v for v in f["Values"] if v.startswith("!")]
            if f["Key"] == "tag-key" and negated:
                if len(f["Values"]) != 1:
                    raise NotImplementedError(f"negated tag-key filter with several values: {f}")
                excluded_prefixes.append(negated[0][1:])
            else:
                kept.append(f)
        if not excluded_prefixes:
            yield from self._paginator.paginate(**kwargs)
            return
        for page in self._paginator.paginate(**{**kwargs, "Filters": kept}):
            page = dict(page)
            page["SecretList"] = [
                s
                for s in page["SecretList"]
                if not any(
                    t["Key"].startswith(p) for t in s.get("Tags") or [] for p in excluded_prefixes
                )
            ]
            yield page


class MotoNegatedTagKeyFix:
    """A boto3 Secrets Manager client whose ListSecrets answers `tag-key: !prefix` as AWS.

    Everything else is delegated to the wrapped client unchanged (see the module doc).
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_paginator(self, operation_name: str) -> Any:
        paginator = self._client.get_paginator(operation_name)
        if operation_name == "list_secrets":
            return _NegatedTagKeyPaginator(paginator)
        return paginator

    def list_secrets(self, **kwargs: Any) -> Any:
        if any(
            v.startswith("!") for f in kwargs.get("Filters", []) if f["Key"] == "tag-key" for v in f["Values"]
        ):
            raise NotImplementedError("ZenML 0.52 lists through the paginator only")
        return self._client.list_secrets(**kwargs)


def connect_zenml_client(endpoint: str, region_name: str) -> None:
    """Let ZenML build its cached boto3 client against ENDPOINT, then wrap it (see module doc)."""
    from zenml.integrations.aws.secrets_managers.aws_secrets_manager import AWSSecretsManager

    os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = endpoint
    AWSSecretsManager.CLIENT = None
    AWSSecretsManager._ensure_client_connected(region_name)
    actual = AWSSecretsManager.CLIENT.meta.endpoint_url
    if actual.rstrip("/") != endpoint.rstrip("/"):
        raise RuntimeError(f"ZenML's boto3 client uses {actual}, not {endpoint}")
    AWSSecretsManager.CLIENT = MotoNegatedTagKeyFix(AWSSecretsManager.CLIENT)


def build_manager(component: Dict[str, Any]) -> Any:
    """ZenML 0.52.0's AWSSecretsManager for a components.json entry, without a ZenML DB."""
    from zenml.enums import StackComponentType
    from zenml.integrations.aws.flavors.aws_secrets_manager_flavor import (
        AWSSecretsManagerConfig,
    )
    from zenml.integrations.aws.secrets_managers.aws_secrets_manager import AWSSecretsManager

    config: Dict[str, Any] = {"region_name": component["region_name"], "scope": component["scope"]}
    if component.get("namespace") is not None:
        config["namespace"] = component["namespace"]
    now = datetime.datetime.utcnow()
    return AWSSecretsManager(
        name=component["name"],
        id=uuid.UUID(component["id"]),
        config=AWSSecretsManagerConfig(**config),
        flavor="aws",
        type=StackComponentType.SECRETS_MANAGER,
        user=None,
        workspace=uuid.UUID(int=0),
        created=now,
        updated=now,
    )


def read_all(sm: Any) -> Dict[str, Any]:
    """`get_all_secret_keys()` + `get_secret(name)` as {"<name>": {"schema", "values"}}."""
    result: Dict[str, Any] = {}
    for name in sm.get_all_secret_keys():
        secret = sm.get_secret(name)
        result[name] = {
            "schema": secret.TYPE,
            "values": {k: str(v) for k, v in secret.content.items()},
        }
    return result


def _compare(result: Dict[str, Any], expected_file: str, component_id: str) -> int:
    return compare_with_expected(result, expected_file, component_id, _err)


def _parse_component(text: str) -> Optional[Dict[str, Any]]:
    try:
        component = json.loads(text)
    except json.JSONDecodeError as e:
        _err(f"--component is not valid JSON: {e}")
        return None
    if not isinstance(component, dict):
        _err("--component must be a JSON object")
        return None
    missing = [k for k in ("id", "name", "scope", "region_name") if k not in component]
    if missing:
        _err(f"--component lacks {', '.join(missing)}")
        return None
    try:
        uuid.UUID(component["id"])
    except (TypeError, ValueError):
        _err(f"--component id {component['id']!r} is not a UUID")
        return None
    return component


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Read a ZenML 0.52.0 AWS secrets manager's secrets through ZenML."
    )
    parser.add_argument("--component", required=True, help="JSON object: id, name, scope, namespace, region_name")
    parser.add_argument("--endpoint", required=True, help="Secrets Manager endpoint, e.g. http://127.0.0.1:4566")
    parser.add_argument("--expected", metavar="FILE", help="compare the result with FILE (see above)")
    args = parser.parse_args()

    component = _parse_component(args.component)
    if component is None:
        return 2
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not os.environ.get(var):
            _err(f"{var} is not set (source STATE_DIR/moto.env)")
            return 2

    tmp_config = use_throwaway_zenml_config()

    # ZenML's logger writes to sys.stdout: route fd 1 to stderr and keep a
    # private handle on the real stdout for the JSON result.
    sys.stdout.flush()
    real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    try:
        try:
            import zenml
        except Exception as e:  # noqa: BLE001
            _err(f"cannot import zenml: {e!r}")
            return 1
        if zenml.__version__ != ZENML_VERSION:
            _err(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
            return 2
        try:
            sm = build_manager(component)
            connect_zenml_client(args.endpoint, sm.config.region_name)
            result = read_all(sm)
        except Exception as e:  # noqa: BLE001 - any ZenML/pydantic/botocore error
            _err(f"{type(e).__name__}: {e}")
            return 1

        json.dump(result, real_stdout, ensure_ascii=False, indent=2)
        real_stdout.write("\n")
        real_stdout.flush()
        if args.expected is not None:
            return _compare(result, args.expected, str(uuid.UUID(component["id"])))
        return 0
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
