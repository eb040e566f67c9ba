#!/usr/bin/env python3
"""Read a Vault secrets manager's secrets with ZenML 0.52.0's own VaultSecretsManager.

    source STATE_DIR/openbao.env   # FERRY_VAULT_ADDR / FERRY_VAULT_TOKEN (scripts/openbao-server)
    /root/.cache/ferry-test/venvs/zenml052/bin/python LegacyFixtures/tools/zenml_vault_read.py \
        --component '{"id": "<uuid>", "name": "ferry_vault_global", "scope": "global",
                      "namespace": null, "mount_point": "secret"}' \
        --addr "$FERRY_VAULT_ADDR" --token "$FERRY_VAULT_TOKEN"

    -> {"<secret name>": {"schema": "<TYPE>", "values": {"<key>": "<value>"}}, ...}

`--component` is one entry of LegacyFixtures/vault/zenml-0.52.0/components.json (a JSON
object; `namespace` may be omitted or null, `mount_point` defaults to "secret").  The
secrets are those of `get_all_secret_keys()`, in that order, each read with
`get_secret(name)`; values are `str()` of what `.content` returns (a JSON `true` becomes
"True").

The manager is built directly as `VaultSecretsManager(config=VaultSecretsManagerConfig(
url, token, mount_point, scope, namespace), id=<id>, name=<name>, ...)`; no ZenML
database is used.  ZENML_CONFIG_PATH is pointed at a throw-away temp directory.  ZenML
creates its hvac client itself (`hvac.Client(url, token)`, cached in the class attribute
`VaultSecretsManager.CLIENT`); this script resets that cache first, so --addr/--token are
what ZenML connects with, and checks afterwards that the cached client points at --addr.

Check mode (for CI): `--expected FILE` compares the result with FILE, either an
expected.json written by make_vault_fixtures.py (the component is picked by its id) or a
plain {"<name>": {"schema": ..., "values": ...}} map; mismatches are listed on stderr and
the exit code is 3.  Key order is not compared.

Exit codes: 0 ok, 1 ZenML (or Vault) raised an error (message on stderr), 2 usage error,
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
from typing import Any, Dict, Optional

from fixture_common import compare_with_expected

ZENML_VERSION = "0.52.0"
DEFAULT_MOUNT_POINT = "secret"


def _err(msg: str) -> None:
    print(f"zenml_vault_read: {msg}", file=sys.stderr, flush=True)


def build_manager(component: Dict[str, Any], addr: str, token: str) -> Any:
    """ZenML 0.52.0's VaultSecretsManager for a components.json entry, without a ZenML DB.

    Also drops ZenML's cached hvac client so that the next call connects to ADDR with TOKEN.
    """
    from zenml.enums import StackComponentType
    from zenml.integrations.vault.flavors.vault_secrets_manager_flavor import (
        VaultSecretsManagerConfig,
    )
    from zenml.integrations.vault.secrets_manager.vault_secrets_manager import (
        VaultSecretsManager,
    )

    config: Dict[str, Any] = {
        "url": addr,
        "token": token,
        "mount_point": component.get("mount_point") or DEFAULT_MOUNT_POINT,
        "scope": component["scope"],
    }
    if component.get("namespace") is not None:
        config["namespace"] = component["namespace"]
    VaultSecretsManager.CLIENT = None
    now = datetime.datetime.utcnow()
    return VaultSecretsManager(
        name=component["name"],
        id=uuid.UUID(component["id"]),
        config=VaultSecretsManagerConfig(**config),
        flavor="vault",
        type=StackComponentType.SECRETS_MANAGER,
        user=None,
        workspace=uuid.UUID(int=0),
        created=now,
        updated=now,
    )


def check_client(sm: Any, addr: str) -> None:
    """After ZenML connected: its cached hvac client must talk to ADDR."""
    client = type(sm).CLIENT
    if client is None:
        raise RuntimeError("ZenML did not create its hvac client")
    actual = client.adapter.base_uri
    if actual.rstrip("/") != addr.rstrip("/"):
        raise RuntimeError(f"ZenML's hvac client uses {actual}, not {addr}")


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


def _parse_component(text: str) -> Optional[Dict[str, Any]]:
    try:
        component = json.loads(text)
    except json.JSONDecodeError as e:
        _err(f"--component is not valid JSON: {e}")
        return None
    if not isinstance(component, dict):
        _err("--component must be a JSON object")
        return None
    missing = [k for k in ("id", "name", "scope") if k not in component]
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
        description="Read a ZenML 0.52.0 Vault secrets manager's secrets through ZenML."
    )
    parser.add_argument("--component", required=True, help="JSON object: id, name, scope, namespace, mount_point")
    parser.add_argument("--addr", required=True, help="Vault/OpenBao address, e.g. http://127.0.0.1:8200")
    parser.add_argument("--token", required=True, help="Vault token")
    parser.add_argument("--expected", metavar="FILE", help="compare the result with FILE (see above)")
    args = parser.parse_args()

    component = _parse_component(args.component)
    if component is None:
        return 2

    tmp_config = tempfile.mkdtemp(prefix="zenml052-interop-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")

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
            sm = build_manager(component, args.addr, args.token)
            result = read_all(sm)
            check_client(sm, args.addr)
        except Exception as e:  # noqa: BLE001 - any ZenML/pydantic/hvac error
            _err(f"{type(e).__name__}: {e}")
            return 1

        json.dump(result, real_stdout, ensure_ascii=False, indent=2)
        real_stdout.write("\n")
        real_stdout.flush()
        if args.expected is not None:
            return compare_with_expected(result, args.expected, str(uuid.UUID(component["id"])), _err)
        return 0
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
