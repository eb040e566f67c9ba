#!/usr/bin/env python3
"""Read an Azure secrets manager's secrets with ZenML 0.52.0's own AzureSecretsManager.

    scripts/azure-servers start STATE_DIR && source STATE_DIR/azure.env
    /tmp/z052-azure-venv/bin/python LegacyFixtures/tools/zenml_azure_read.py \
        --component '{"id": "<uuid>", "name": "ferry_azure_global", "scope": "global",
                      "namespace": null, "key_vault_name": "ferry-fixtures"}' \
        --vault-url "$FERRY_AZURE_VAULT_URL" --ca "$FERRY_AZURE_CA" \
        --authority "$FERRY_AZURE_AUTHORITY_HOST" --tenant "$FERRY_AZURE_TENANT_ID" \
        --client-id "$FERRY_AZURE_CLIENT_ID" --client-secret "$FERRY_AZURE_CLIENT_SECRET"

    -> {"<secret name>": {"schema": "<TYPE>", "values": {"<key>": "<value>"}}, ...}

`--component` is one entry of LegacyFixtures/azure/zenml-0.52.0/components.json (a JSON
object; `namespace` may be omitted or null; `key_vault_name` defaults to "ferry-fixtures").
The secrets are those of `get_all_secret_keys()`, in that order (ZenML returns
`list(set(...))`, so the order changes from process to process), each read with
`get_secret(name)`; values are `str()` of what `.content` returns.

The manager is built directly as `AzureSecretsManager(config=AzureSecretsManagerConfig(
key_vault_name, scope, namespace), id=<id>, name=<name>, ...)`; no ZenML database is used.
ZENML_CONFIG_PATH is pointed at a throw-away temp directory.

ZenML's client creation is redirected in ONE place, `redirect_zenml_client()`: ZenML's own
`AzureSecretsManager._ensure_client_connected` still runs and builds
`SecretClient(vault_url=f"https://{key_vault_name}.vault.azure.net",
credential=DefaultAzureCredential())`, but the two names it calls are replaced in ZenML's
module so that the client talks to --vault-url (checked: ZenML asked for
https://<key_vault_name>.vault.azure.net) with `verify_challenge_resource=False` and
`connection_verify=--ca`, and the credential is azure-identity's ClientSecretCredential
against --authority (the fake Entra ID) instead of DefaultAzureCredential.  Every Key Vault
call ZenML makes is otherwise its own.  ZenML's cached client (`AzureSecretsManager.CLIENT`)
is reset first.

Check mode (for CI): `--expected FILE` compares the result with FILE, either an expected.json
written by make_azure_fixtures.py (the component is picked by its id) or a plain
{"<name>": {"schema": ..., "values": ...}} map; mismatches are listed on stderr and the exit
code is 3.  Key and secret order are not compared.

Exit codes: 0 ok, 1 ZenML (or Key Vault / Entra ID) raised an error (message on stderr),
2 usage error, 3 --expected mismatch.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import uuid
from typing import Any, Dict, List, Optional

from fixture_common import compare_with_expected

ZENML_VERSION = "0.52.0"
DEFAULT_KEY_VAULT_NAME = "ferry-fixtures"


def _err(msg: str) -> None:
    print(f"zenml_azure_read: {msg}", file=sys.stderr, flush=True)


class Target:
    """Where ZenML's Key Vault client must go instead of https://<vault>.vault.azure.net."""

    def __init__(self, vault_url: str, ca: str, authority: str, tenant: str, client_id: str,
                 client_secret: str) -> None:
        self.vault_url = vault_url.rstrip("/")
        self.ca = ca
        self.authority = authority.rstrip("/")
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        # URLs ZenML asked SecretClient for (checked by check_client).
        self.requested: List[str] = []

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Target":
        return cls(args.vault_url, args.ca, args.authority, args.tenant, args.client_id, args.client_secret)


def redirect_zenml_client(target: Target) -> None:
    """THE one monkeypatch: ZenML's SecretClient/DefaultAzureCredential -> the fake vault.

    zenml.integrations.azure.secrets_managers.azure_secrets_manager imports `SecretClient`
    and `DefaultAzureCredential` into its module namespace and calls them, unchanged, in
    `_ensure_client_connected`.  Both names are replaced there (and only there):
      * DefaultAzureCredential() -> azure-identity's ClientSecretCredential(tenant, client id,
        secret, authority=<fake Entra ID>, disable_instance_discovery=True, connection_verify=CA);
      * SecretClient(vault_url=..., credential=...) -> the real azure-keyvault-secrets
        SecretClient(<fake vault URL>, credential, verify_challenge_resource=False,
        connection_verify=CA), remembering the vault_url ZenML asked for.
    """
    from azure.identity import ClientSecretCredential
    from azure.keyvault.secrets import SecretClient
    from zenml.integrations.azure.secrets_managers import azure_secrets_manager as zmod

    def fake_default_credential(*_args: Any, **_kwargs: Any) -> Any:
        return ClientSecretCredential(target.tenant, target.client_id, target.client_secret,
                                      authority=target.authority, disable_instance_discovery=True,
                                      connection_verify=target.ca)

    def redirected_secret_client(vault_url: str, credential: Any, **kwargs: Any) -> Any:
        target.requested.append(vault_url)
        return SecretClient(target.vault_url, credential, verify_challenge_resource=False,
                            connection_verify=target.ca, **kwargs)

    zmod.DefaultAzureCredential = fake_default_credential
    zmod.SecretClient = redirected_secret_client
    zmod.AzureSecretsManager.CLIENT = None


def build_manager(component: Dict[str, Any], target: Target) -> Any:
    """ZenML 0.52.0's AzureSecretsManager for a components.json entry, without a ZenML DB.

    Also redirects (and resets) ZenML's cached Key Vault client, see redirect_zenml_client.
    """
    from zenml.enums import StackComponentType
    from zenml.integrations.azure.flavors.azure_secrets_manager_flavor import AzureSecretsManagerConfig
    from zenml.integrations.azure.secrets_managers.azure_secrets_manager import AzureSecretsManager

    config: Dict[str, Any] = {
        "key_vault_name": component.get("key_vault_name") or DEFAULT_KEY_VAULT_NAME,
        "scope": component["scope"],
    }
    if component.get("namespace") is not None:
        config["namespace"] = component["namespace"]
    redirect_zenml_client(target)
    now = datetime.datetime.utcnow()
    return AzureSecretsManager(
        name=component["name"],
        id=uuid.UUID(component["id"]),
        config=AzureSecretsManagerConfig(**config),
        flavor="azure",
        type=StackComponentType.SECRETS_MANAGER,
        user=None,
        workspace=uuid.UUID(int=0),
        created=now,
        updated=now,
    )


def check_client(sm: Any, target: Target) -> None:
    """After ZenML connected: it asked for https://<key_vault_name>.vault.azure.net and got the fake."""
    client = type(sm).CLIENT
    if client is None:
        raise RuntimeError("ZenML did not create its Key Vault client")
    want = f"https://{sm.config.key_vault_name}.vault.azure.net"
    if target.requested[-1:] != [want]:
        raise RuntimeError(f"ZenML asked for {target.requested}, expected {want}")
    if client.vault_url.rstrip("/") != target.vault_url:
        raise RuntimeError(f"ZenML's SecretClient uses {client.vault_url}, not {target.vault_url}")


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


def add_target_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vault-url", required=True, help="the (fake) vault, e.g. https://127.0.0.1:45700")
    parser.add_argument("--ca", required=True, help="CA certificate (PEM) that signed the vault's certificate")
    parser.add_argument("--authority", required=True, help="Entra ID authority host, e.g. https://127.0.0.1:45701")
    parser.add_argument("--tenant", required=True, help="tenant id")
    parser.add_argument("--client-id", required=True, help="application (client) id")
    parser.add_argument("--client-secret", required=True, help="client secret")


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Read a ZenML 0.52.0 Azure secrets manager's secrets through ZenML."
    )
    parser.add_argument("--component", required=True,
                        help="JSON object: id, name, scope, namespace, key_vault_name")
    add_target_args(parser)
    parser.add_argument("--expected", metavar="FILE", help="compare the result with FILE (see above)")
    args = parser.parse_args()

    component = _parse_component(args.component)
    if component is None:
        return 2
    if not os.path.isfile(args.ca):
        _err(f"--ca {args.ca}: no such file")
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
            target = Target.from_args(args)
            sm = build_manager(component, target)
            result = read_all(sm)
            check_client(sm, target)
        except Exception as e:  # noqa: BLE001 - any ZenML/pydantic/azure error
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
