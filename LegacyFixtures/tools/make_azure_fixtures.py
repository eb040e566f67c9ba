#!/usr/bin/env python3
"""Generate legacy *Azure secrets manager* fixtures with real ZenML 0.52.0 code.

Usage (a freshly started, empty fake Key Vault from scripts/azure-servers, and the
interpreter of a venv with LegacyFixtures/tools/requirements-zenml052.txt installed):

    scripts/azure-servers start /tmp/ferry-azure
    source /tmp/ferry-azure/azure.env
    /tmp/z052-azure-venv/bin/python LegacyFixtures/tools/make_azure_fixtures.py \
        --vault-url "$FERRY_AZURE_VAULT_URL" --ca "$FERRY_AZURE_CA" \
        --authority "$FERRY_AZURE_AUTHORITY_HOST" --tenant "$FERRY_AZURE_TENANT_ID" \
        --client-id "$FERRY_AZURE_CLIENT_ID" --client-secret "$FERRY_AZURE_CLIENT_SECRET" \
        LegacyFixtures/azure/zenml-0.52.0

The script

  * builds eight `azure` secrets managers (key vault `ferry-fixtures`) covering the scopes
    none, global (2 components), component (2), namespace team-a (2) and team-b.  They are
    ZenML's own `AzureSecretsManager` objects built DB-less (zenml_azure_read.build_manager,
    which also redirects ZenML's SecretClient to the fake, in one place) with the fixed
    component ids of COMPONENTS, so every run writes the same Key Vault names,
  * writes secrets through ZenML's `register_secret` / `update_secret` / `delete_secret`,
    using ZenML's own secret schema classes (several schemas, names ZenML allows, unicode /
    multi-line / empty values, updates, a schema change, deletes, a name-case collision),
  * reads every component back through ZenML (`get_all_secret_keys()` + `get_secret`) and
    checks that against what it asked ZenML to store,
  * records a few observations as checks (a second global component cannot re-register a
    name; a soft-deleted name cannot be registered again; Key Vault's 127-character limit
    cuts ZenML's own limits),
  * writes OUTDIR/dump.json (every Key Vault secret, active and soft-deleted, with all its
    versions in write order: value, contentType, tags, enabled), OUTDIR/components.json and
    OUTDIR/expected.json,
  * then adds two secrets the way ZenML 0.9-0.10 wrote them (Key Vault name
    `<name>-<key>`, tags zenml-group-key and zenml-schema-name only, written with the plain
    SDK), checks that ZenML 0.52.0's none scope now fails with "Missing secret key tag."
    while the scoped components still read the same, and writes those secrets to
    OUTDIR/dump-0.10-layout.json.

The fake is read through its test hook GET /fake/state (versions in write order), not
through the Key Vault API, whose version listing has no defined order.

Exit codes: 0 ok, 1 failure (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import shutil
import ssl
import sys
import tempfile
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # no __pycache__ next to the sibling module below
import zenml_azure_read  # noqa: E402  (LegacyFixtures/tools/zenml_azure_read.py)

ZENML_VERSION = "0.52.0"
KEY_VAULT_NAME = "ferry-fixtures"

# (component id, component name, scope, namespace); fixed ids -> reproducible names.
COMPONENTS: List[Tuple[str, str, str, Optional[str]]] = [
    ("3c9a7e52-2d4f-4b8e-a1c0-000000000001", "ferry_azure_none", "none", None),
    ("3c9a7e52-2d4f-4b8e-a1c0-000000000002", "ferry_azure_global", "global", None),
    ("3c9a7e52-2d4f-4b8e-a1c0-000000000003", "ferry_azure_global_b", "global", None),
    ("3c9a7e52-2d4f-4b8e-a1c0-00000000000a", "ferry_azure_component_a", "component", None),
    ("3c9a7e52-2d4f-4b8e-a1c0-00000000000b", "ferry_azure_component_b", "component", None),
    ("3c9a7e52-2d4f-4b8e-a1c0-0000000000a1", "ferry_azure_ns_team_a", "namespace", "team-a"),
    ("3c9a7e52-2d4f-4b8e-a1c0-0000000000a2", "ferry_azure_ns_team_a_2", "namespace", "team-a"),
    ("3c9a7e52-2d4f-4b8e-a1c0-0000000000b1", "ferry_azure_ns_team_b", "namespace", "team-b"),
]

# ---------------------------------------------------------------------------
# Test data
# ---------------------------------------------------------------------------

PEM_BLOCK = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "-----END PRIVATE KEY-----\n"
)

# Values ZenML writes as separate Key Vault secrets (none scope) or inside the JSON
# (scoped).  Key Vault stores strings only; none-scope values must be strings.
VALUE_ZOO: Dict[str, str] = {
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

# Scoped secrets are JSON: these come back typed, ZenML's str() makes "True", "1.5".
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
# Registered as `arbitrary`, updated as `basic_auth` (same keys).
SCHEMA_CHANGE_INITIAL = {"username": "u1", "password": "p1"}
SCHEMA_CHANGE_UPDATED = {"username": "u2", "password": "p2"}

# none scope: the Key Vault name is "zenml-" + hex(base64("<name>-<key>")), at most 127
# characters, so "<name>-<key>" may have at most 45 UTF-8 bytes.  This one has exactly 45.
NONE_MAX_NAME = "none-scope-name-at-the-limit"  # + "-" + key = 45 bytes
NONE_MAX_KEY = "k" * (45 - len(NONE_MAX_NAME) - 1)
# component scope: "zenml-component-<uuid>-<name>" <= 127 -> names of at most 74 characters
# (ZenML itself allows 100).  global: 100 (ZenML's limit) fits.
COMPONENT_MAX_NAME = ("max-" + "x" * 70)[:74]
GLOBAL_MAX_NAME = ("g100-" + "y" * 95)[:100]


def _shared(scope_label: str) -> Dict[str, Any]:
    return {"scope": scope_label, "note": f"the secret `shared` as seen in {scope_label}"}


SecretSpec = Tuple[str, str, Dict[str, Any]]
SECRETS: Dict[str, List[SecretSpec]] = {
    # none scope: ZenML does not validate names here (the Key Vault name is hex-encoded).
    "ferry_azure_none": [
        ("shared", "arbitrary", _shared("none")),
        ("legacy db-creds!", "arbitrary", {"user": "legacy", "password": "pä$$ 🔐"}),
        ("café_日本語", "arbitrary", {"k": "a name with non-ASCII characters"}),
        ("aws_creds", "aws", AWS_VALUES),
        ("registry_login", "basic_auth", BASIC_AUTH_VALUES),
        ("value_zoo", "arbitrary", VALUE_ZOO),
        (NONE_MAX_NAME, "arbitrary", {NONE_MAX_KEY: "name-key of exactly 45 bytes"}),
    ],
    "ferry_azure_global": [
        ("shared", "arbitrary", _shared("global")),
        ("Az09-name", "arbitrary", {"where": "global", "v": "letters, digits and -"}),
        ("db", "arbitrary", {"where": "global", "v": "prefix of another name"}),
        ("db-prod", "arbitrary", {"where": "global", "v": "db's longer sibling"}),
        ("aws-creds", "aws", {k: v for k, v in AWS_VALUES.items() if k != "aws_session_token"}),
        ("registry-login", "basic_auth", BASIC_AUTH_VALUES),
        ("seldon-s3-defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("value-zoo", "arbitrary", VALUE_ZOO),
        ("typed-values", "arbitrary", TYPED_VALUES),
        (GLOBAL_MAX_NAME, "arbitrary", {"v": "a 100-character name, ZenML's maximum"}),
    ],
    "ferry_azure_global_b": [
        ("written-by-global-b", "arbitrary", {"writer": "ferry_azure_global_b", "v": "é"}),
    ],
    "ferry_azure_component_a": [
        ("shared", "arbitrary", _shared("component a")),
        ("registry-login", "basic_auth", {"username": "comp-a", "password": "pw-a 日本語"}),
        ("value-zoo", "arbitrary", VALUE_ZOO),
        (COMPONENT_MAX_NAME, "arbitrary", {"v": "74 characters: the longest name that fits"}),
    ],
    "ferry_azure_component_b": [
        ("shared", "arbitrary", _shared("component b")),
        ("only-in-b", "aws", {"aws_access_key_id": "AKIAB", "aws_secret_access_key": "b/secret"}),
    ],
    "ferry_azure_ns_team_a": [
        ("shared", "arbitrary", _shared("namespace team-a")),
        ("seldon-s3-defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("multi", "arbitrary", {"multi_line": "a\nb\n", "empty": "", "emoji": "🔐"}),
    ],
    "ferry_azure_ns_team_a_2": [
        ("written-by-team-a-2", "arbitrary", {"writer": "ferry_azure_ns_team_a_2"}),
    ],
    "ferry_azure_ns_team_b": [
        ("shared", "arbitrary", _shared("namespace team-b")),
        ("registry-login", "basic_auth", {"username": "team-b", "password": "🔐"}),
    ],
}

ROTATIONS = ["ferry_azure_none", "ferry_azure_global", "ferry_azure_component_a", "ferry_azure_ns_team_b"]
SCHEMA_CHANGES = ["ferry_azure_none", "ferry_azure_global"]
DELETIONS = ["ferry_azure_none", "ferry_azure_global", "ferry_azure_component_b", "ferry_azure_ns_team_a"]
DELETED_SECRET = ("to-be-deleted", "arbitrary", {"gone": "soon", "second": "key"})
# Key Vault names are case-insensitive: registering "casetest" after "CaseTest" (ZenML's
# case-sensitive existence check passes) adds a version to the same Key Vault secret and
# re-tags it, so only "casetest" is left.
CASE_COLLISION = ("ferry_azure_global", "CaseTest", "casetest")

# Written with the plain SDK the way ZenML 0.9-0.10 did: Key Vault name "<name>-<key>",
# tags zenml-group-key and zenml-schema-name only.  (name, TYPE, content)
PRE_011_SECRETS: List[Tuple[str, str, Dict[str, str]]] = [
    ("legacy010", "arbitrary", {"user": "legacy", "password": "pä$$ 🔐"}),
    # (Key Vault names allow only [0-9a-zA-Z-]: keys with "_", like the aws schema's,
    # could not be stored in this layout at all.)
    ("legacy010-login", "basic_auth", {"username": "legacy-admin", "password": "legacy/pw é"}),
]
PRE_011_NONE_SCOPE_ERROR = "ValueError: Missing secret key tag."

# ---------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"make_azure_fixtures: {msg}", file=sys.stderr, flush=True)


def fake_state(target: zenml_azure_read.Target) -> List[Dict[str, Any]]:
    """The fake's GET /fake/state, normalized: no version ids or times, sorted by name."""
    ctx = ssl.create_default_context(cafile=target.ca)
    with urllib.request.urlopen(target.vault_url + "/fake/state", timeout=30, context=ctx) as r:
        state = json.load(r)
    out = []
    for s in sorted(state, key=lambda s: s["name"].lower()):
        out.append({
            "name": s["name"],
            "deleted": s["deleted"],
            "versions": [{"value": v["value"], "contentType": v["contentType"], "tags": v["tags"],
                          "enabled": v["enabled"]} for v in s["versions"]],
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate Azure fixtures with ZenML 0.52.0.")
    parser.add_argument("outdir", help="e.g. LegacyFixtures/azure/zenml-0.52.0")
    zenml_azure_read.add_target_args(parser)
    args = parser.parse_args()

    tmp_config = tempfile.mkdtemp(prefix="zenml052-azure-fixtures-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")
    try:
        return _generate(args)
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


def _generate(args: argparse.Namespace) -> int:
    import zenml
    from azure.core.exceptions import HttpResponseError, ResourceExistsError
    from zenml.exceptions import SecretExistsError
    from zenml.secret.secret_schema_class_registry import SecretSchemaClassRegistry

    if zenml.__version__ != ZENML_VERSION:
        _log(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
        return 2

    target = zenml_azure_read.Target.from_args(args)
    if fake_state(target):
        _log(f"the vault at {target.vault_url} is not empty; start a fresh fake (or POST /fake/reset)")
        return 1

    components: List[Dict[str, Any]] = [
        {"id": cid, "name": name, "scope": scope, "namespace": ns, "key_vault_name": KEY_VAULT_NAME}
        for cid, name, scope, ns in COMPONENTS
    ]
    by_name = {c["name"]: c for c in components}

    def manager(comp: str) -> Any:
        # ZenML caches one SecretClient per class; build_manager resets and redirects it.
        return zenml_azure_read.build_manager(by_name[comp], target)

    def schema_class(type_: str):  # type: ignore[no-untyped-def]
        return SecretSchemaClassRegistry.get_class(secret_schema=type_)

    # What ZenML should read back: {component: {name: (TYPE, {key: str(value)})}}.
    written: Dict[str, Dict[str, Tuple[str, Dict[str, str]]]] = {c["name"]: {} for c in components}

    def register(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).register_secret(secret)
        written[comp][name] = (type_, {k: str(v) for k, v in secret.content.items()})

    def update(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).update_secret(secret)
        new = {k: str(v) for k, v in secret.content.items()}
        if by_name[comp]["scope"] == "none":
            # One Key Vault secret per key: update_secret rewrites the keys it is given and
            # leaves the others (with their old tags) behind; ZenML keeps reading them.
            old = written[comp][name][1]
            new = {**old, **new}
        written[comp][name] = (type_, new)

    for comp in DELETIONS:
        register(comp, *DELETED_SECRET)
    for comp, specs in SECRETS.items():
        for name, type_, values in specs:
            register(comp, name, type_, values)
    for comp in ROTATIONS:
        register(comp, "rotating", "arbitrary", ROTATING_INITIAL)
        update(comp, "rotating", "arbitrary", ROTATING_UPDATED)
    for comp in SCHEMA_CHANGES:
        register(comp, "schema-change", "arbitrary", SCHEMA_CHANGE_INITIAL)
        update(comp, "schema-change", "basic_auth", SCHEMA_CHANGE_UPDATED)
    for comp in DELETIONS:
        manager(comp).delete_secret(DELETED_SECRET[0])
        del written[comp][DELETED_SECRET[0]]

    comp, first, second = CASE_COLLISION
    register(comp, first, "arbitrary", {"spelling": first})
    register(comp, second, "arbitrary", {"spelling": second})
    del written[comp][first]

    # Observations, checked.
    problems: List[str] = []
    try:
        manager("ferry_azure_global_b").register_secret(schema_class("arbitrary")(name="shared", x="y"))
        problems.append("ferry_azure_global_b re-registered `shared`; expected SecretExistsError")
    except SecretExistsError as e:
        _log(f"as expected, ferry_azure_global_b cannot re-register `shared`: {e}")
    try:
        manager("ferry_azure_global").register_secret(schema_class("arbitrary")(name=DELETED_SECRET[0], x="y"))
        problems.append("a soft-deleted name could be registered again")
    except ResourceExistsError as e:
        _log(f"as expected, registering the soft-deleted `{DELETED_SECRET[0]}` again fails: "
             f"{type(e).__name__}: {str(e).splitlines()[0]}")
    too_long = [
        ("ferry_azure_component_a", COMPONENT_MAX_NAME + "z", {"v": "75 characters"}),
        ("ferry_azure_none", NONE_MAX_NAME + "z", {NONE_MAX_KEY: "46 bytes"}),
    ]
    for comp, name, values in too_long:
        try:
            register(comp, name, "arbitrary", values)
            problems.append(f"{comp}: {name!r} was accepted; expected Key Vault's 400 (name > 127)")
        except HttpResponseError as e:
            _log(f"as expected, {comp} cannot register {name!r} (ZenML accepts it, Key Vault does not): "
                 f"{type(e).__name__} {e.status_code}")

    def scope_key(c: Dict[str, Any]) -> Tuple[str, Optional[str], Optional[str]]:
        if c["scope"] == "component":
            return (c["scope"], c["id"], None)
        if c["scope"] == "namespace":
            return (c["scope"], None, c["namespace"])
        return (c["scope"], None, None)

    per_scope: Dict[Tuple[str, Optional[str], Optional[str]], Dict[str, Any]] = {}
    for c in components:
        for name, (type_, values) in written[c["name"]].items():
            per_scope.setdefault(scope_key(c), {})[name] = {"schema": type_, "values": values}

    expected: Dict[str, Any] = {}
    for c in components:
        got = zenml_azure_read.read_all(manager(c["name"]))
        want = per_scope.get(scope_key(c), {})
        if got != want:
            problems.append(f"{c['name']}: ZenML read {got!r}, wrote {want!r}")
        expected[c["id"]] = {
            "name": c["name"],
            "scope": c["scope"],
            "namespace": c["namespace"],
            # get_all_secret_keys() returns list(set(...)): sorted here for stable files.
            "secrets": {name: got[name] for name in sorted(got)},
        }
    for p in problems:
        _log(p)
    if problems:
        return 1

    dump = fake_state(target)

    # The ZenML 0.9-0.10 layout, written raw.  ZenML 0.52.0's none scope lists these (they
    # carry zenml-group-key) and then fails on the missing zenml-key-name tag.
    client = manager("ferry_azure_none")
    client.get_all_secret_keys()  # connects ZenML's (redirected) client
    raw = type(client).CLIENT
    for name, type_, content in PRE_011_SECRETS:
        for key, value in content.items():
            raw.set_secret(f"{name}-{key}", value)
            raw.update_secret_properties(f"{name}-{key}", tags={"zenml-group-key": name,
                                                                "zenml-schema-name": type_})
    try:
        zenml_azure_read.read_all(manager("ferry_azure_none"))
        _log("ZenML's none scope read the 0.9-0.10 layout; expected 'Missing secret key tag.'")
        return 1
    except ValueError as e:
        if f"ValueError: {e}" != PRE_011_NONE_SCOPE_ERROR:
            _log(f"unexpected error for the 0.9-0.10 layout: {e!r}")
            return 1
        _log(f"as expected, with 0.9-0.10 secrets present ZenML's none scope fails: ValueError: {e}")
    for c in components:
        if c["scope"] != "none":
            got = zenml_azure_read.read_all(manager(c["name"]))
            if got != expected[c["id"]]["secrets"]:
                _log(f"{c['name']}: the 0.9-0.10 secrets changed what ZenML reads")
                return 1
    before = {s["name"] for s in dump}
    legacy_dump = [s for s in fake_state(target) if s["name"] not in before]

    os.makedirs(args.outdir, exist_ok=True)

    def write_json(filename: str, doc: Any) -> None:
        with open(os.path.join(args.outdir, filename), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")

    write_json("dump.json", dump)
    write_json("dump-0.10-layout.json", legacy_dump)
    write_json("components.json", components)
    write_json("expected.json", {
        "zenml_version": ZENML_VERSION,
        "key_vault_name": KEY_VAULT_NAME,
        "components": expected,
        "layout_0_10": {
            "dump": "dump-0.10-layout.json",
            "secrets": {name: {"schema": type_, "values": content} for name, type_, content in PRE_011_SECRETS},
            "none_scope_error_when_present": PRE_011_NONE_SCOPE_ERROR,
        },
    })
    n_deleted = sum(1 for s in dump if s["deleted"])
    _log(f"{len(dump)} Key Vault secrets ({n_deleted} soft-deleted, "
         f"{sum(len(s['versions']) for s in dump)} versions) + {len(legacy_dump)} in the 0.9-0.10 layout; "
         f"wrote dump.json, dump-0.10-layout.json, components.json, expected.json to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
