#!/usr/bin/env python3
"""Generate legacy *local secrets manager* fixtures with real ZenML 0.52.0 code.

Usage (run with the interpreter of a venv that has
LegacyFixtures/tools/requirements-zenml052.txt installed):

    rm -rf /tmp/ferry-zenml052-config
    ZENML_CONFIG_PATH=/tmp/ferry-zenml052-config \
        /work/venvs/zenml052/bin/python LegacyFixtures/tools/make_local_fixtures.py \
        LegacyFixtures/local/zenml-0.52.0

ZENML_CONFIG_PATH must point to an empty (or not yet existing) directory: ZenML
initialises a brand-new global configuration + SQLite store there.  The script
then

  * registers three `local` secrets managers through `Client().create_stack_component`
    (the 0.52 CLI refuses to), each in its own stack,
  * writes secrets into two of them through the component implementation's
    `register_secret` / `update_secret` / `delete_secret`, using ZenML's own
    secret schema classes,
  * lets ZenML create the empty `{}` secrets file of the third one
    (`get_all_secret_keys()` only),
  * copies the whole config directory to OUTDIR/config/ and
  * writes OUTDIR/expected.json from what ZenML's `LocalSecretsManager.get_secret`
    returns for every secret.

Re-running into the same OUTDIR replaces OUTDIR/config and OUTDIR/expected.json.
Component UUIDs are chosen by ZenML (random) and therefore differ per run.
"""

import argparse
import json
import os
import shutil
import sys
from typing import Any, Dict, List, Tuple

from fixture_common import require_fresh_config_path

ZENML_VERSION = "0.52.0"

COMPONENT_A = "ferry_local_a"
COMPONENT_B = "ferry_local_b"
COMPONENT_EMPTY = "ferry_local_empty"

# ---------------------------------------------------------------------------
# Test data
# ---------------------------------------------------------------------------

PEM_BLOCK = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n"
    "-----END PRIVATE KEY-----\n"
)

SERVICE_ACCOUNT_JSON = json.dumps(
    {
        "type": "service_account",
        "project_id": "ferry-fixtures",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": PEM_BLOCK,
        "client_email": "ferry@ferry-fixtures.iam.gserviceaccount.com",
        "client_id": "123456789012345678901",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    },
    indent=2,
)

LONG_VALUE = (
    "long-value:" + "abcdefghijklmnopqrstuvwxyz0123456789" * 7 + ":end"
)  # 267 characters

# (name, schema TYPE, values) for the first component.  The names stress the
# way PyYAML (yaml.dump defaults, as used by ZenML) quotes mapping keys.
SECRETS_A: List[Tuple[str, str, Dict[str, Any]]] = [
    ("123", "arbitrary", {"value": "1234"}),
    ("true", "arbitrary", {"value": "true"}),
    ("null", "arbitrary", {"value": "null"}),
    ("yes", "arbitrary", {"answer": "yes"}),
    ("on", "arbitrary", {"value": "on"}),
    ("~", "arbitrary", {"value": "~"}),
    ("1.5", "arbitrary", {"value": "1.5"}),
    ("0x1F", "arbitrary", {"value": "0x1F"}),
    ("2001-01-01", "arbitrary", {"value": "2001-01-01"}),
    ("with space", "arbitrary", {"greeting": "hello world"}),
    (
        "café",
        "arbitrary",
        {"clé": "valeur é", "日本語": "日本語のテキスト", "emoji": "🔐 locked"},
    ),
    ("a:b", "arbitrary", {"url": "https://user:pa:ss@host:8080/p?x=1#frag"}),
    ("key: value", "arbitrary", {"v": "colon-space in the name"}),
    ("-dash", "arbitrary", {"v": "-leading dash"}),
    ("#hash", "arbitrary", {"v": "#not a comment"}),
    ("MixedCase", "arbitrary", {"MixedKey": "MixedValue", "UPPER": "UP"}),
    ("under_score", "arbitrary", {"under_score_key": "x"}),
    ("dots.in.name", "arbitrary", {"v": "dots"}),
    ("@at", "arbitrary", {"v": "at"}),
    ("!bang", "arbitrary", {"v": "bang"}),
    ("*star", "arbitrary", {"v": "star"}),
    ("&amp", "arbitrary", {"v": "amp"}),
    ("%pct", "arbitrary", {"v": "pct"}),
    ("'single", "arbitrary", {"v": "single quote"}),
    ('"double', "arbitrary", {"v": "double quote"}),
    ("back\\slash", "arbitrary", {"v": "backslash"}),
    ("[bracket]", "arbitrary", {"v": "bracket"}),
    ("{brace}", "arbitrary", {"v": "brace"}),
    ("|pipe", "arbitrary", {"v": "pipe"}),
    (">gt", "arbitrary", {"v": "gt"}),
    ("?q", "arbitrary", {"v": "question"}),
    (" leading", "arbitrary", {"v": "leading space in name"}),
    ("trailing ", "arbitrary", {"v": "trailing space in name"}),
    ("line1\nline2", "arbitrary", {"v": "newline in name"}),
    ("🔐lock", "arbitrary", {"v": "emoji name"}),
    ("日本語", "arbitrary", {"v": "cjk name"}),
    # 122 characters is the longest name PyYAML still writes as a simple key;
    # 123+ characters become explicit "? key" / ": value" complex keys.
    ("n" * 122, "arbitrary", {"v": "122-char name"}),
    ("n" * 123, "arbitrary", {"v": "123-char name"}),
    (
        "a_very_long_secret_name_" + "0123456789" * 11 + "_end",
        "arbitrary",
        {"v": "138-char name"},
    ),
    (
        "yaml_keyword_keys",
        "arbitrary",
        {
            "yes": "k1",
            "no": "k2",
            "on": "k3",
            "off": "k4",
            "true": "k5",
            "null": "k6",
            "y": "k7",
            "n": "k8",
            "NULL": "k9",
            "Yes": "k10",
        },
    ),
]

# Second component: typed schemas, the value zoo, update + delete.
SECRETS_B: List[Tuple[str, str, Dict[str, Any]]] = [
    (
        "aws_with_token",
        "aws",
        {
            "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_session_token": "FwoGZXIvYXdzEBYaDH+token/with+slashes==",
        },
    ),
    (
        "aws_no_token",
        "aws",
        {
            "aws_access_key_id": "AKIAI44QH8DHBEXAMPLE",
            "aws_secret_access_key": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        },
    ),
    (
        "basic_auth_creds",
        "basic_auth",
        {"username": "admin@example.com", "password": "p@ss:w0rd#\"'= "},
    ),
    ("gcp_service_account", "gcp", {"token": SERVICE_ACCOUNT_JSON}),
    (
        "azure_storage",
        "azure",
        {
            "account_name": "ferrystorage",
            "account_key": "c2VjcmV0LWtleQ==",
            "connection_string": (
                "DefaultEndpointsProtocol=https;AccountName=ferrystorage;"
                "AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net"
            ),
        },
    ),
    (
        "azure_service_principal",
        "azure",
        {
            "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": "s3cr3t~with.special_chars-",
            "tenant_id": "66666666-7777-8888-9999-000000000000",
        },
    ),
    (
        "seldon_s3_defaults",
        "seldon_s3",
        {
            "rclone_config_s3_access_key_id": "AKIASELDONEXAMPLE",
            "rclone_config_s3_secret_access_key": "seldon/secret+key",
            "rclone_config_s3_region": "eu-central-1",
        },
    ),
    (
        "seldon_s3_env_auth",
        "seldon_s3",
        {
            "rclone_config_s3_provider": "minio",
            "rclone_config_s3_env_auth": True,
            "rclone_config_s3_endpoint": "http://minio.local:9000",
        },
    ),
    (
        "value_zoo",
        "arbitrary",
        {
            "unicode_e": "é",
            "unicode_cjk": "日本語",
            "unicode_emoji": "🔐",
            "unicode_mixed": "Grüße, 世界 🔐!",
            "pem": PEM_BLOCK,
            "json_blob": SERVICE_ACCOUNT_JSON,
            "empty": "",
            "equals": "a=b",
            "double_equals": "==",
            "trailing_equals": "dGVzdA==",
            "at": "user@example.com",
            "at_start": "@not-a-file",
            "colon": "host:5432",
            "colon_space": "key: value",
            "hash": "#comment?",
            "hash_mid": "a #b",
            "single_quote": "it's",
            "double_quote": 'say "hi"',
            "both_quotes": "'\"'",
            "spaces_around": "  padded value  ",
            "only_spaces": "   ",
            "tab": "a\tb",
            "crlf": "line1\r\nline2",
            "trailing_newline": "ends with newline\n",
            "backslash": "C:\\path\\to",
            "long": LONG_VALUE,
            "true_str": "true",
            "number_str": "1234",
            "null_str": "null",
            "tilde": "~",
            "clé": "unicode identifier key",
        },
    ),
    (
        "python_typed_values",
        "arbitrary",
        {"an_int": 1234, "a_bool": True, "a_false": False, "a_float": 1.5},
    ),
]

ROTATING_INITIAL = {"user": "old-user", "password": "old-password", "dropped": "x"}
ROTATING_UPDATED = {"user": "new-user", "password": "new-pässword", "added": "y"}
ROTATING_AWS_INITIAL = {
    "aws_access_key_id": "AKIAOLD",
    "aws_secret_access_key": "old/secret",
}
ROTATING_AWS_UPDATED = {
    "aws_access_key_id": "AKIANEW",
    "aws_secret_access_key": "new/secret",
    "aws_session_token": "new-session-token",
}
DELETED_SECRET = ("to_be_deleted", "arbitrary", {"gone": "soon"})


def _log(msg: str) -> None:
    print(f"[make_local_fixtures] {msg}", file=sys.stderr, flush=True)


def _expected_values(values: Dict[str, Any]) -> Dict[str, str]:
    return {k: str(v) for k, v in values.items() if v is not None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "outdir",
        help="fixture directory to (re)write, e.g. LegacyFixtures/local/zenml-0.52.0",
    )
    args = parser.parse_args()

    config_path = require_fresh_config_path(_log)
    if config_path is None:
        return 2
    if os.environ.get("ZENML_LOCAL_STORES_PATH"):
        _log("unset ZENML_LOCAL_STORES_PATH: the fixtures use the default layout")
        return 2
    for var in list(os.environ):
        if var.startswith(("ZENML_STORE_", "ZENML_SECRETS_STORE_")):
            _log(f"unset {var}: the fixtures use the default local SQL store")
            return 2
    outdir = os.path.abspath(args.outdir)
    os.environ.setdefault("ZENML_ANALYTICS_OPT_IN", "false")
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")
    os.environ["ZENML_CONFIG_PATH"] = config_path

    # ZenML logs to sys.stdout; keep our stdout clean by pointing fd 1 at stderr.
    sys.stdout.flush()
    os.dup2(2, 1)

    import zenml
    from zenml.client import Client
    from zenml.enums import StackComponentType
    from zenml.secret import SecretSchemaClassRegistry
    from zenml.secrets_managers.local.local_secrets_manager import (
        LocalSecretsManager,
        LocalSecretsManagerConfig,
    )
    from zenml.stack import StackComponent

    if zenml.__version__ != ZENML_VERSION:
        _log(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
        return 2

    client = Client()
    sm_type = StackComponentType.SECRETS_MANAGER

    def make_component(name: str, stack_name: str) -> LocalSecretsManager:
        client.create_stack_component(
            name=name,
            flavor="local",
            component_type=sm_type,
            configuration={},
        )
        client.create_stack(
            name=stack_name,
            components={
                StackComponentType.ORCHESTRATOR: "default",
                StackComponentType.ARTIFACT_STORE: "default",
                sm_type: name,
            },
        )
        model = client.get_stack_component(sm_type, name)
        impl = StackComponent.from_model(model)
        assert isinstance(impl, LocalSecretsManager), type(impl)
        return impl

    def schema_class(type_: str):  # type: ignore[no-untyped-def]
        # Integration schemas (seldon_s3) are found through ZenML's own
        # registry, which activates the seldon integration on a miss.
        return SecretSchemaClassRegistry.get_class(secret_schema=type_)

    def register(sm: LocalSecretsManager, name: str, type_: str, values: Dict[str, Any]) -> None:
        sm.register_secret(schema_class(type_)(name=name, **values))

    sm_a = make_component(COMPONENT_A, "ferry_stack_a")
    sm_b = make_component(COMPONENT_B, "ferry_stack_b")
    sm_empty = make_component(COMPONENT_EMPTY, "ferry_stack_empty")
    client.activate_stack("ferry_stack_a")
    # The active stack's secrets manager is the one ZenML itself would use.
    active_sm = client.active_stack.secrets_manager
    assert active_sm is not None and active_sm.id == sm_a.id

    intended: Dict[str, Dict[str, Tuple[str, Dict[str, str]]]] = {
        str(sm_a.id): {},
        str(sm_b.id): {},
        str(sm_empty.id): {},
    }

    for name, type_, values in SECRETS_A:
        register(active_sm, name, type_, values)
        intended[str(sm_a.id)][name] = (type_, _expected_values(values))

    register(sm_b, DELETED_SECRET[0], DELETED_SECRET[1], DELETED_SECRET[2])
    for name, type_, values in SECRETS_B:
        register(sm_b, name, type_, values)
        cls = schema_class(type_)
        full = cls(name=name, **values).content  # includes schema defaults
        intended[str(sm_b.id)][name] = (type_, _expected_values(full))

    # register -> update (ZenML read-modify-write through yaml_utils.append_yaml)
    register(sm_b, "rotating", "arbitrary", ROTATING_INITIAL)
    sm_b.update_secret(schema_class("arbitrary")(name="rotating", **ROTATING_UPDATED))
    intended[str(sm_b.id)]["rotating"] = ("arbitrary", _expected_values(ROTATING_UPDATED))
    register(sm_b, "rotating_aws", "aws", ROTATING_AWS_INITIAL)
    sm_b.update_secret(schema_class("aws")(name="rotating_aws", **ROTATING_AWS_UPDATED))
    intended[str(sm_b.id)]["rotating_aws"] = ("aws", _expected_values(ROTATING_AWS_UPDATED))
    # delete: the last write of this file goes through yaml_utils.write_yaml
    sm_b.delete_secret(DELETED_SECRET[0])

    # Third component: only list -> ZenML's create_file_if_not_exists writes "{}".
    assert sm_empty.get_all_secret_keys() == []

    # Read everything back through ZenML's LocalSecretsManager.
    expected: Dict[str, Any] = {}
    for sm in (sm_a, sm_b, sm_empty):
        secrets: Dict[str, Any] = {}
        for secret_name in sm.get_all_secret_keys():
            secret = sm.get_secret(secret_name)
            secrets[secret_name] = {
                "schema": secret.TYPE,
                "values": {k: str(v) for k, v in secret.content.items()},
            }
        expected[str(sm.id)] = {
            "name": sm.name,
            "secrets_file": os.path.relpath(sm.secrets_file, config_path),
            "secrets": secrets,
        }

    # Sanity check: what ZenML returns equals what we asked it to store.
    for comp_id, wanted in intended.items():
        got = expected[comp_id]["secrets"]
        if set(got) != set(wanted):
            _log(f"{comp_id}: secret names differ: {set(got) ^ set(wanted)}")
            return 1
        for name, (type_, values) in wanted.items():
            if got[name]["schema"] != type_ or got[name]["values"] != values:
                _log(f"{comp_id}/{name!r}: read back {got[name]!r}, wanted {(type_, values)!r}")
                return 1

    # Copy the whole config dir.
    from zenml.zen_stores.sql_zen_store import SqlZenStore

    store = client.zen_store
    if isinstance(store, SqlZenStore):
        store.engine.dispose()

    os.makedirs(outdir, exist_ok=True)
    dest_config = os.path.join(outdir, "config")
    if os.path.exists(dest_config):
        shutil.rmtree(dest_config)
    shutil.copytree(config_path, dest_config)

    # Cross-check the copies with a LocalSecretsManager pointed at the copied file.
    import datetime
    import uuid

    for comp_id, comp in expected.items():
        copied = os.path.join(dest_config, comp["secrets_file"])
        now = datetime.datetime.utcnow()
        reader = LocalSecretsManager(
            name="ferry_check",
            id=uuid.UUID(comp_id),
            config=LocalSecretsManagerConfig(secrets_file=copied),
            flavor="local",
            type=sm_type,
            user=None,
            workspace=uuid.uuid4(),
            created=now,
            updated=now,
        )
        for name in reader.get_all_secret_keys():
            s = reader.get_secret(name)
            assert {k: str(v) for k, v in s.content.items()} == comp["secrets"][name]["values"]
        assert len(reader.get_all_secret_keys()) == len(comp["secrets"])

    doc = {
        "zenml_version": zenml.__version__,
        "generated_with_config_path": config_path,
        "components": expected,
    }
    with open(os.path.join(outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")

    for comp_id, comp in expected.items():
        _log(f"component {comp['name']}: {comp_id} ({len(comp['secrets'])} secrets)")
    _log(f"wrote {outdir}/config and {outdir}/expected.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
