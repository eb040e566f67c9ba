#!/usr/bin/env python3
"""Generate legacy *Vault secrets manager* fixtures with real ZenML 0.52.0 code.

Usage (a freshly started, empty OpenBao from scripts/openbao-server, and the interpreter of
a venv that has LegacyFixtures/tools/requirements-zenml052.txt installed):

    scripts/openbao-server start /tmp/ferry-openbao
    source /tmp/ferry-openbao/openbao.env
    /root/.cache/ferry-test/venvs/zenml052/bin/python LegacyFixtures/tools/make_vault_fixtures.py \
        --addr "$FERRY_VAULT_ADDR" --token "$FERRY_VAULT_TOKEN" LegacyFixtures/vault/zenml-0.52.0

The script

  * builds eight `vault` secrets managers (url/token of --addr/--token, mount_point
    `secret`, the KV v2 engine OpenBao's dev mode mounts) covering the scopes none,
    global (2 components), component (2), namespace team-a (2) and team-b.  They are
    ZenML's own `VaultSecretsManager` objects built DB-less (zenml_vault_read.build_manager)
    with the fixed component ids of COMPONENTS, so every run writes the same paths,
  * writes secrets through ZenML's `register_secret` / `update_secret` / `delete_secret`,
    using ZenML's own secret schema classes (several schemas, names with every character
    ZenML allows, unicode / multi-line / empty values, one update, one schema change, one
    delete),
  * adds one secret the way ZenML 0.10-0.11 wrote it (raw hvac KV v2 write at
    `zenml/<TYPE>-<sanitized name>`, plain content, no `zenml_schema_name`), which no
    ZenML >= 0.12 scope lists,
  * reads every component back through ZenML (`get_all_secret_keys()` + `get_secret`)
    and checks that against what it asked ZenML to store (ZenML lists in a random,
    hash-seed dependent order: expected.json has the secrets sorted by name),
  * writes OUTDIR/dump.json (every secret under the mount: recursive LIST from the mount
    root, LIST order, each leaf's latest data), OUTDIR/components.json and
    OUTDIR/expected.json.

Exit codes: 0 ok, 1 failure (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from typing import Any, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # no __pycache__ next to the sibling module below
import zenml_vault_read  # noqa: E402  (LegacyFixtures/tools/zenml_vault_read.py)

ZENML_VERSION = "0.52.0"
MOUNT_POINT = "secret"

# (component id, component name, scope, namespace); fixed ids -> reproducible paths.
COMPONENTS: List[Tuple[str, str, str, Optional[str]]] = [
    ("6d0f3a51-9b1e-4c7a-8e21-000000000001", "ferry_vault_none", "none", None),
    ("6d0f3a51-9b1e-4c7a-8e21-000000000002", "ferry_vault_global", "global", None),
    ("6d0f3a51-9b1e-4c7a-8e21-000000000003", "ferry_vault_global_b", "global", None),
    ("6d0f3a51-9b1e-4c7a-8e21-00000000000a", "ferry_vault_component_a", "component", None),
    ("6d0f3a51-9b1e-4c7a-8e21-00000000000b", "ferry_vault_component_b", "component", None),
    ("6d0f3a51-9b1e-4c7a-8e21-0000000000a1", "ferry_vault_ns_team_a", "namespace", "team-a"),
    ("6d0f3a51-9b1e-4c7a-8e21-0000000000a2", "ferry_vault_ns_team_a_2", "namespace", "team-a"),
    ("6d0f3a51-9b1e-4c7a-8e21-0000000000b1", "ferry_vault_ns_team_b", "namespace", "team-b"),
]

# ---------------------------------------------------------------------------
# Test data
# ---------------------------------------------------------------------------

# Every character ZenML allows in a Vault secret name: [a-zA-Z0-9_+=.@-]
ALL_CHARS_NAME = "db.prod@eu+1=x-y_z"
ALL_CHARS_NAME_2 = "Az09_+=.@-"
# A name that is a prefix of ALL_CHARS_NAME (KV LIST is exact per level, not a prefix match).
PREFIX_NAME = "db"

PEM_BLOCK = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "-----END PRIVATE KEY-----\n"
)

VALUE_ZOO: Dict[str, Any] = {
    "unicode_e": "é",
    "unicode_cjk": "日本語",
    "unicode_emoji": "🔐",
    "unicode_mixed": "Grüße, 世界 🔐!",
    "multi_line": "line1\nline2\nline3",
    "pem": PEM_BLOCK,
    "crlf": "a\r\nb",
    "tab": "a\tb",
    "trailing_newline": "ends with newline\n",
    "empty": "",
    "equals": "=",
    "base64_padding": "dGVzdA==",
    "json_text": '{"nested": [1, 2, {"k": "v"}], "s": "x\\"y"}',
    "quotes": "it's \"quoted\"",
    "backslash": "C:\\path\\to",
    "spaces_around": "  padded  ",
    "control_chars": "bell\u0007 nul-free \u001f",
    "true_str": "true",
    "number_str": "1234",
    "null_str": "null",
    "clé": "non-ASCII key",
    "key.with.dots": "dots in the key",
    "key-with-dash": "dash in the key",
}

# KV v2 stores JSON values as given: these come back typed, ZenML's str() makes "True".
TYPED_VALUES: Dict[str, Any] = {"an_int": 1234, "a_bool": True, "a_false": False, "a_float": 1.5}

AWS_VALUES = {
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "aws_session_token": "FwoGZXIvYXdzEBYaDH+token/with+slashes==",
}
BASIC_AUTH_VALUES = {"username": "admin@example.com", "password": "p@ss:w0rd#\"'= é"}
SELDON_DEFAULTS_VALUES = {
    "rclone_config_s3_access_key_id": "AKIASELDONEXAMPLE",
    "rclone_config_s3_secret_access_key": "seldon/secret+key",
    "rclone_config_s3_region": "eu-central-1",
}

ROTATING_INITIAL = {"user": "old-user", "password": "old-password", "dropped": "x"}
ROTATING_UPDATED = {"user": "new-user", "password": "new-pässword 🔐", "added": "y"}
# Registered as `arbitrary`, updated as `basic_auth`: the schema key in the data changes.
SCHEMA_CHANGE_INITIAL = {"username": "u1", "password": "p1"}
SCHEMA_CHANGE_UPDATED = {"username": "u2", "password": "p2"}


def _shared(scope_label: str) -> Dict[str, Any]:
    return {"scope": scope_label, "note": f"the secret `shared` as seen in {scope_label}"}


SecretSpec = Tuple[str, str, Dict[str, Any]]
SECRETS: Dict[str, List[SecretSpec]] = {
    "ferry_vault_none": [
        ("shared", "arbitrary", _shared("none")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "none", "v": "all name characters"}),
        (PREFIX_NAME, "arbitrary", {"where": "none", "v": "prefix of another name"}),
        ("aws_creds", "aws", AWS_VALUES),
        ("registry_login", "basic_auth", BASIC_AUTH_VALUES),
        ("value_zoo", "arbitrary", VALUE_ZOO),
        ("typed_values", "arbitrary", TYPED_VALUES),
    ],
    "ferry_vault_global": [
        ("shared", "arbitrary", _shared("global")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "global", "v": "all name characters"}),
        (ALL_CHARS_NAME_2, "arbitrary", {"where": "global", "v": "letters, digits, _+=.@-"}),
        (PREFIX_NAME, "arbitrary", {"where": "global", "v": "prefix of another name"}),
        ("aws_creds", "aws", {k: v for k, v in AWS_VALUES.items() if k != "aws_session_token"}),
        ("registry_login", "basic_auth", BASIC_AUTH_VALUES),
        ("seldon_s3_defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("value_zoo", "arbitrary", VALUE_ZOO),
        ("typed_values", "arbitrary", TYPED_VALUES),
    ],
    "ferry_vault_global_b": [
        ("written_by_global_b", "arbitrary", {"writer": "ferry_vault_global_b", "v": "é"}),
    ],
    "ferry_vault_component_a": [
        ("shared", "arbitrary", _shared("component a")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "component a", "v": "all name characters"}),
        ("registry_login", "basic_auth", {"username": "comp-a", "password": "pw-a 日本語"}),
        ("value_zoo", "arbitrary", VALUE_ZOO),
    ],
    "ferry_vault_component_b": [
        ("shared", "arbitrary", _shared("component b")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "component b", "v": "all name characters"}),
        ("only_in_b", "aws", {"aws_access_key_id": "AKIAB", "aws_secret_access_key": "b/secret"}),
    ],
    "ferry_vault_ns_team_a": [
        ("shared", "arbitrary", _shared("namespace team-a")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "team-a", "v": "all name characters"}),
        ("seldon_s3_defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("multi", "arbitrary", {"multi_line": "a\nb\n", "empty": "", "emoji": "🔐"}),
    ],
    "ferry_vault_ns_team_a_2": [
        ("written_by_team_a_2", "arbitrary", {"writer": "ferry_vault_ns_team_a_2"}),
    ],
    "ferry_vault_ns_team_b": [
        ("shared", "arbitrary", _shared("namespace team-b")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "team-b", "v": "all name characters"}),
        ("registry_login", "basic_auth", {"username": "team-b", "password": "🔐"}),
    ],
}

ROTATIONS = ["ferry_vault_none", "ferry_vault_global", "ferry_vault_component_a", "ferry_vault_ns_team_b"]
SCHEMA_CHANGES = ["ferry_vault_global"]
DELETIONS = ["ferry_vault_none", "ferry_vault_global", "ferry_vault_component_b", "ferry_vault_ns_team_a"]
DELETED_SECRET = ("to_be_deleted", "arbitrary", {"gone": "soon"})

# Written with hvac the way ZenML 0.10-0.11 did: path zenml/<TYPE>-<sanitized name>,
# data = the content only.  (name, TYPE, content)
PRE_012_SECRETS: List[Tuple[str, str, Dict[str, str]]] = [
    ("legacy db-creds!", "arbitrary", {"user": "legacy", "password": "pä$$ 🔐"}),
]


def _sanitize_pre012(name: str) -> str:
    """ZenML 0.10-0.11's Vault path sanitizer (see the reference, section 3.5.1)."""
    return re.sub(r"[^0-9a-zA-Z_\.]+", "_", name).strip("-_.")


# ---------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"make_vault_fixtures: {msg}", file=sys.stderr, flush=True)


def _expected_values(values: Dict[str, Any]) -> Dict[str, str]:
    return {k: str(v) for k, v in values.items()}


def dump_mount(client: Any, mount_point: str) -> List[Dict[str, Any]]:
    """Every secret under MOUNT_POINT: depth-first in LIST order, latest version's data."""
    from hvac.exceptions import InvalidPath

    out: List[Dict[str, Any]] = []

    def walk(prefix: str) -> None:
        try:
            keys = client.secrets.kv.v2.list_secrets(path=prefix, mount_point=mount_point)["data"]["keys"]
        except InvalidPath:
            return
        for key in keys:
            if key.endswith("/"):
                walk(prefix + key)
            else:
                path = prefix + key
                data = client.secrets.kv.v2.read_secret_version(
                    path=path, mount_point=mount_point, raise_on_deleted_version=True
                )["data"]["data"]
                out.append({"path": path, "data": data})

    walk("")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate Vault fixtures with ZenML 0.52.0.")
    parser.add_argument("outdir", help="e.g. LegacyFixtures/vault/zenml-0.52.0")
    parser.add_argument("--addr", required=True, help="e.g. http://127.0.0.1:8200")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()

    tmp_config = tempfile.mkdtemp(prefix="zenml052-vault-fixtures-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")
    try:
        return _generate(args)
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


def _generate(args: argparse.Namespace) -> int:
    import hvac
    import zenml
    from zenml.exceptions import SecretExistsError
    from zenml.secret.secret_schema_class_registry import SecretSchemaClassRegistry

    if zenml.__version__ != ZENML_VERSION:
        _log(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
        return 2

    raw = hvac.Client(url=args.addr, token=args.token)
    if not raw.is_authenticated():
        _log(f"cannot authenticate at {args.addr}")
        return 1
    if dump_mount(raw, MOUNT_POINT):
        _log(f"mount {MOUNT_POINT}/ at {args.addr} is not empty; start a fresh server")
        return 1

    components: List[Dict[str, Any]] = [
        {"id": cid, "name": name, "scope": scope, "namespace": ns, "mount_point": MOUNT_POINT}
        for cid, name, scope, ns in COMPONENTS
    ]
    by_name = {c["name"]: c for c in components}

    def manager(comp: str) -> Any:
        # ZenML caches one hvac client per class; all components share addr/token anyway.
        return zenml_vault_read.build_manager(by_name[comp], args.addr, args.token)

    def schema_class(type_: str):  # type: ignore[no-untyped-def]
        return SecretSchemaClassRegistry.get_class(secret_schema=type_)

    written: Dict[str, Dict[str, Tuple[str, Dict[str, str]]]] = {c["name"]: {} for c in components}

    def register(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).register_secret(secret)
        written[comp][name] = (type_, _expected_values(secret.content))

    def update(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).update_secret(secret)
        written[comp][name] = (type_, _expected_values(secret.content))

    for comp in DELETIONS:
        register(comp, *DELETED_SECRET)
    for comp, specs in SECRETS.items():
        for name, type_, values in specs:
            register(comp, name, type_, values)
    for comp in ROTATIONS:
        register(comp, "rotating", "arbitrary", ROTATING_INITIAL)
        update(comp, "rotating", "arbitrary", ROTATING_UPDATED)
    for comp in SCHEMA_CHANGES:
        register(comp, "schema_change", "arbitrary", SCHEMA_CHANGE_INITIAL)
        update(comp, "schema_change", "basic_auth", SCHEMA_CHANGE_UPDATED)
    for comp in DELETIONS:
        manager(comp).delete_secret(DELETED_SECRET[0])
        del written[comp][DELETED_SECRET[0]]

    # Both global components share one scope: the second cannot re-register `shared`.
    try:
        manager("ferry_vault_global_b").register_secret(
            schema_class("arbitrary")(name="shared", x="y")
        )
        _log("ferry_vault_global_b re-registered `shared`; expected SecretExistsError")
        return 1
    except SecretExistsError as e:
        _log(f"as expected, ferry_vault_global_b cannot re-register `shared`: {e}")

    for name, type_, content in PRE_012_SECRETS:
        path = f"zenml/{type_}-{_sanitize_pre012(name)}"
        raw.secrets.kv.v2.create_or_update_secret(path=path, secret=content, mount_point=MOUNT_POINT)
        _log(f"wrote pre-0.12 secret {name!r} at {MOUNT_POINT}/{path}")

    def scope_key(c: Dict[str, Any]) -> Tuple[str, Optional[str], Optional[str]]:
        if c["scope"] == "component":
            return (c["scope"], c["id"], None)
        if c["scope"] == "namespace":
            return (c["scope"], None, c["namespace"])
        return (c["scope"], None, None)

    # What each scope should hold: the union of what its components wrote.
    per_scope: Dict[Tuple[str, Optional[str], Optional[str]], Dict[str, Any]] = {}
    for c in components:
        for name, (type_, values) in written[c["name"]].items():
            per_scope.setdefault(scope_key(c), {})[name] = {"schema": type_, "values": values}

    expected: Dict[str, Any] = {}
    problems = []
    for c in components:
        got = zenml_vault_read.read_all(manager(c["name"]))
        want = per_scope.get(scope_key(c), {})
        if got != want:
            problems.append(f"{c['name']}: ZenML read {got!r}, wrote {want!r}")
        expected[c["id"]] = {
            "name": c["name"],
            "scope": c["scope"],
            "namespace": c["namespace"],
            # ZenML's get_all_secret_keys() returns list(set(...)): its order depends on
            # Python's per-process string hash seed, so it is sorted here for stable files.
            "secrets": {name: got[name] for name in sorted(got)},
        }
    for p in problems:
        _log(p)
    if problems:
        return 1

    dump = dump_mount(raw, MOUNT_POINT)
    os.makedirs(args.outdir, exist_ok=True)

    def write_json(filename: str, doc: Any) -> None:
        with open(os.path.join(args.outdir, filename), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")

    write_json("dump.json", dump)
    write_json("components.json", components)
    write_json(
        "expected.json",
        {"zenml_version": ZENML_VERSION, "mount_point": MOUNT_POINT, "components": expected},
    )
    _log(f"{len(dump)} secrets under {MOUNT_POINT}/; wrote dump.json, components.json, expected.json to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
