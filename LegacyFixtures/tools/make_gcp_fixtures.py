#!/usr/bin/env python3
"""Generate legacy *GCP secrets manager* fixtures with real ZenML 0.52.0 code.

Usage (a freshly started, empty Secret Manager REST emulator, e.g. drongo 0.8.0, and the
interpreter of a venv that has LegacyFixtures/tools/requirements-zenml052.txt installed):

    /tmp/drongo-venv/bin/drongo server --host 127.0.0.1 --port 45690 &
    /path/to/zenml052-venv/bin/python LegacyFixtures/tools/make_gcp_fixtures.py \
        --endpoint http://127.0.0.1:45690 LegacyFixtures/gcp/zenml-0.52.0

The script

  * builds eight `gcp` secrets managers in the project `ferry-fixtures` covering the
    scopes none, global (2 components), component (2), namespace team-a (2) and team-b.
    They are ZenML's own `GCPSecretsManager` objects built DB-less
    (zenml_gcp_read.build_manager: REST client at --endpoint, anonymous, filter applied
    client-side because drongo ignores it) with the fixed component ids of COMPONENTS,
  * writes secrets through ZenML's `register_secret` / `update_secret` / `delete_secret`
    with ZenML's own secret schema classes: several schemas, names with every character
    ZenML's gcp rule allows ([a-z0-9_-], up to 63), unicode / multi-line / empty values,
    updates (in the none scope one that drops a key: ZenML leaves the old `<name>_<key>`
    GCP secret behind and reads it back), schema changes, deletes, names containing `_`
    that make `<name>_<key>` ambiguous,
  * records the ZenML errors that are part of its real behaviour (an update adding a key
    in the none scope, a `<name>_<key>` collision, a second `shared` in a shared scope),
  * reads every component back through ZenML (`get_all_secret_keys()` + `get_secret`)
    and checks that against what ZenML is expected to return (what was asked, plus the
    none-scope leftovers described above),
  * writes OUTDIR/dump.json (every secret of the project: id, labels, every version's
    payload in order and state), OUTDIR/components.json and OUTDIR/expected.json (the
    secrets sorted by name: ZenML lists in a hash-seed dependent order).

Exit codes: 0 ok, 1 failure (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from typing import Any, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # no __pycache__ next to the sibling module below
import zenml_gcp_read  # noqa: E402  (LegacyFixtures/tools/zenml_gcp_read.py)

ZENML_VERSION = "0.52.0"
PROJECT = "ferry-fixtures"

# (component id, component name, scope, namespace); fixed ids -> reproducible secret ids.
# Component names are lowercase: ZenML writes them as GCP label values.
COMPONENTS: List[Tuple[str, str, str, Optional[str]]] = [
    ("4a7c2e90-3b1d-4f6a-9c58-000000000001", "ferry_gcp_none", "none", None),
    ("4a7c2e90-3b1d-4f6a-9c58-000000000002", "ferry_gcp_global", "global", None),
    ("4a7c2e90-3b1d-4f6a-9c58-000000000003", "ferry_gcp_global_b", "global", None),
    ("4a7c2e90-3b1d-4f6a-9c58-00000000000a", "ferry_gcp_component_a", "component", None),
    ("4a7c2e90-3b1d-4f6a-9c58-00000000000b", "ferry_gcp_component_b", "component", None),
    ("4a7c2e90-3b1d-4f6a-9c58-0000000000a1", "ferry_gcp_ns_team_a", "namespace", "team-a"),
    ("4a7c2e90-3b1d-4f6a-9c58-0000000000a2", "ferry_gcp_ns_team_a_2", "namespace", "team-a"),
    ("4a7c2e90-3b1d-4f6a-9c58-0000000000b1", "ferry_gcp_ns_team_b", "namespace", "team-b"),
]

# ---------------------------------------------------------------------------
# Test data
# ---------------------------------------------------------------------------

# Every character ZenML's gcp rule allows in a name: [a-z0-9_-]
ALL_CHARS_NAME = "abcdefghijklmnopqrstuvwxyz-0123456789_"
# The longest name ZenML allows (63: a GCP label value's limit).
MAX_NAME = ("max-length_name-" + "0123456789" * 5)[:63]
assert len(MAX_NAME) == 63
DASH_FIRST_NAME = "-leading-dash"
# `db` is a prefix of `db_main`; in the none scope `db` key `main_user_name` gives the GCP
# secret `db_main_user_name`, which looks like `db_main` key `user_name`.  ZenML tells
# them apart only by the label zenml-group-key.
PREFIX_NAME = "db"
UNDERSCORE_NAME = "db_main"

PEM_BLOCK = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "-----END PRIVATE KEY-----\n"
)

# Scoped secrets are one JSON payload: any key works.
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
    "key with space": "space in the key",
}

# None scope: every key becomes part of a GCP secret id `<name>_<key>`, which GCP limits to
# [a-zA-Z0-9_-]: the keys here stay inside that set (upper case included).
VALUE_ZOO_NONE: Dict[str, Any] = {
    "unicode_e": "é",
    "unicode_cjk": "日本語",
    "unicode_emoji": "🔐",
    "multi_line": "line1\nline2\nline3",
    "pem": PEM_BLOCK,
    "crlf": "a\r\nb",
    "tab": "a\tb",
    "trailing_newline": "ends with newline\n",
    "empty": "",
    "json_text": '{"nested": [1, 2, {"k": "v"}], "s": "x\\"y"}',
    "quotes": "it's \"quoted\"",
    "backslash": "C:\\path\\to",
    "spaces_around": "  padded  ",
    "null_str": "null",
    "API_KEY": "upper-case key",
    "key-with-dash": "dash in the key",
}

# Python-typed values: ZenML stores str(v) in the none scope, JSON values when scoped.
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
# None scope: the update keeps `user`, changes `password`, drops `dropped`; no new key
# (ZenML cannot add one there, see GROW_ATTEMPT).
ROTATING_UPDATED_NONE = {"user": "new-user", "password": "new-pässword 🔐"}
# Registered as `arbitrary`, updated as `basic_auth`.
SCHEMA_CHANGE_INITIAL = {"username": "u1", "password": "p1"}
SCHEMA_CHANGE_UPDATED = {"username": "u2", "password": "p2"}
# None scope: an update that adds a key.  The new key is first, so ZenML's
# add_secret_version on the missing `grow_attempt_added_first` fails before it writes
# anything (with it last, the earlier keys would get new versions first).
GROW_ATTEMPT_INITIAL = {"user": "grow-user"}
GROW_ATTEMPT_UPDATED = {"added_first": "new", "user": "grow-user-2"}
# None scope: secret `db_main_host` key `id` -> GCP id `db_main_host_id`, which already
# belongs to `db` (key `main_host_id`): GCP refuses the create (409).
COLLISION_ATTEMPT = ("db_main_host", "arbitrary", {"id": "collides"})


def _shared(scope_label: str) -> Dict[str, Any]:
    return {"scope": scope_label, "note": f"the secret `shared` as seen in {scope_label}"}


SecretSpec = Tuple[str, str, Dict[str, Any]]
SECRETS: Dict[str, List[SecretSpec]] = {
    "ferry_gcp_none": [
        ("shared", "arbitrary", _shared("none")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "none", "v": "all name characters"}),
        (MAX_NAME, "arbitrary", {"where": "none", "v": "63-character name"}),
        (DASH_FIRST_NAME, "arbitrary", {"where": "none"}),
        (UNDERSCORE_NAME, "arbitrary", {"user": "db_main/user", "host": "db_main/host"}),
        (PREFIX_NAME, "arbitrary", {"main_user_name": "db/main_user_name", "main_host_id": "db/main_host_id", "port": "5432"}),
        ("aws_creds", "aws", AWS_VALUES),
        ("registry_login", "basic_auth", BASIC_AUTH_VALUES),
        ("seldon_s3_defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("value_zoo", "arbitrary", VALUE_ZOO_NONE),
        ("typed_values", "arbitrary", TYPED_VALUES),
        ("only_empty", "arbitrary", {"empty": ""}),
        ("grow_attempt", "arbitrary", GROW_ATTEMPT_INITIAL),
    ],
    "ferry_gcp_global": [
        ("shared", "arbitrary", _shared("global")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "global", "v": "all name characters"}),
        (MAX_NAME, "arbitrary", {"where": "global", "v": "63-character name"}),
        (DASH_FIRST_NAME, "arbitrary", {"where": "global"}),
        (PREFIX_NAME, "arbitrary", {"where": "global", "v": "prefix of db_main"}),
        (UNDERSCORE_NAME, "arbitrary", {"where": "global", "v": "db_main"}),
        ("aws_creds", "aws", {k: v for k, v in AWS_VALUES.items() if k != "aws_session_token"}),
        ("registry_login", "basic_auth", BASIC_AUTH_VALUES),
        ("seldon_s3_defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("value_zoo", "arbitrary", VALUE_ZOO),
        ("typed_values", "arbitrary", TYPED_VALUES),
    ],
    "ferry_gcp_global_b": [
        ("written_by_global_b", "arbitrary", {"writer": "ferry_gcp_global_b", "v": "é"}),
    ],
    "ferry_gcp_component_a": [
        ("shared", "arbitrary", _shared("component a")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "component a", "v": "all name characters"}),
        (MAX_NAME, "arbitrary", {"where": "component a", "v": "63-character name"}),
        ("registry_login", "basic_auth", {"username": "comp-a", "password": "pw-a 日本語"}),
        ("value_zoo", "arbitrary", VALUE_ZOO),
    ],
    "ferry_gcp_component_b": [
        ("shared", "arbitrary", _shared("component b")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "component b", "v": "all name characters"}),
        ("only_in_b", "aws", {"aws_access_key_id": "AKIAB", "aws_secret_access_key": "b/secret"}),
    ],
    "ferry_gcp_ns_team_a": [
        ("shared", "arbitrary", _shared("namespace team-a")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "team-a", "v": "all name characters"}),
        (MAX_NAME, "arbitrary", {"where": "team-a", "v": "63-character name"}),
        ("seldon_s3_defaults", "seldon_s3", SELDON_DEFAULTS_VALUES),
        ("multi", "arbitrary", {"multi_line": "a\nb\n", "empty": "", "emoji": "🔐"}),
    ],
    "ferry_gcp_ns_team_a_2": [
        ("written_by_team_a_2", "arbitrary", {"writer": "ferry_gcp_ns_team_a_2"}),
    ],
    "ferry_gcp_ns_team_b": [
        ("shared", "arbitrary", _shared("namespace team-b")),
        (ALL_CHARS_NAME, "arbitrary", {"where": "team-b", "v": "all name characters"}),
        ("registry_login", "basic_auth", {"username": "team-b", "password": "🔐"}),
    ],
}

ROTATIONS = ["ferry_gcp_none", "ferry_gcp_global", "ferry_gcp_component_a", "ferry_gcp_ns_team_b"]
SCHEMA_CHANGES = ["ferry_gcp_none", "ferry_gcp_global"]
DELETIONS = ["ferry_gcp_none", "ferry_gcp_global", "ferry_gcp_component_b", "ferry_gcp_ns_team_a"]
DELETED_SECRET = ("to_be_deleted", "arbitrary", {"gone": "soon", "also": "gone"})


# ---------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(f"make_gcp_fixtures: {msg}", file=sys.stderr, flush=True)


def _expected_values(values: Dict[str, Any]) -> Dict[str, str]:
    return {k: str(v) for k, v in values.items()}


def dump_project(client: Any, project: str) -> List[Dict[str, Any]]:
    """Every secret of PROJECT, sorted by id: labels (sorted) and every version in order."""
    out: List[Dict[str, Any]] = []
    secrets = list(client.list_secrets(request={"parent": f"projects/{project}"}))
    for secret in sorted(secrets, key=lambda s: s.name):
        secret_id = secret.name.split("/")[-1]
        versions = []
        listed = list(client.list_secret_versions(request={"parent": secret.name}))
        for v in sorted(listed, key=lambda v: int(v.name.split("/")[-1])):
            number = int(v.name.split("/")[-1])
            state = v.state.name
            data: Optional[str] = None
            if state == "ENABLED":
                payload = client.access_secret_version(request={"name": v.name}).payload.data
                data = payload.decode("utf-8")  # ZenML writes str(value).encode(): UTF-8
            versions.append({"version": number, "state": state, "data": data})
        numbers = [v["version"] for v in versions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise RuntimeError(f"{secret.name}: versions {numbers} are not 1..n")
        out.append({
            "id": secret_id,
            "labels": {k: secret.labels[k] for k in sorted(secret.labels)},
            "versions": versions,
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Generate GCP fixtures with ZenML 0.52.0.")
    parser.add_argument("outdir", help="e.g. LegacyFixtures/gcp/zenml-0.52.0")
    parser.add_argument("--endpoint", required=True, help="Secret Manager REST endpoint, e.g. http://127.0.0.1:45690")
    args = parser.parse_args()

    tmp_config = tempfile.mkdtemp(prefix="zenml052-gcp-fixtures-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")
    try:
        return _generate(args)
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


def _generate(args: argparse.Namespace) -> int:
    import zenml
    from google.api_core import exceptions as google_exceptions
    from zenml.exceptions import SecretExistsError
    from zenml.secret.secret_schema_class_registry import SecretSchemaClassRegistry

    if zenml.__version__ != ZENML_VERSION:
        _log(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
        return 2

    raw = zenml_gcp_read.make_rest_client(args.endpoint)
    if dump_project(raw, PROJECT):
        _log(f"project {PROJECT} at {args.endpoint} is not empty; start a fresh server")
        return 1

    components: List[Dict[str, Any]] = [
        {"id": cid, "name": name, "scope": scope, "namespace": ns, "project_id": PROJECT}
        for cid, name, scope, ns in COMPONENTS
    ]
    by_name = {c["name"]: c for c in components}

    def manager(comp: str) -> Any:
        return zenml_gcp_read.build_manager(by_name[comp], args.endpoint)

    def schema_class(type_: str):  # type: ignore[no-untyped-def]
        return SecretSchemaClassRegistry.get_class(secret_schema=type_)

    # What ZenML should read back: {component: {name: (schema, values)}}.
    written: Dict[str, Dict[str, Tuple[str, Dict[str, str]]]] = {c["name"]: {} for c in components}

    def register(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).register_secret(secret)
        written[comp][name] = (type_, _expected_values(secret.content))

    def update(comp: str, name: str, type_: str, values: Dict[str, Any]) -> None:
        secret = schema_class(type_)(name=name, **values)
        manager(comp).update_secret(secret)
        new_values = _expected_values(secret.content)
        if by_name[comp]["scope"] == "none":
            # None scope: one GCP secret per key.  update_secret only adds versions to
            # `<name>_<key>` for the new keys; the labels (zenml-schema-name included) are
            # never touched and the GCP secrets of dropped keys stay.  ZenML reads all
            # secrets labelled zenml-group-key=<name>: the dropped keys come back, with
            # their old values, under the schema the secret was registered with.
            old_type, old_values = written[comp][name]
            written[comp][name] = (old_type, {**old_values, **new_values})
        else:
            written[comp][name] = (type_, new_values)

    def expect_error(what: str, exc_types: Tuple[type, ...], fn: Any) -> str:
        try:
            fn()
        except exc_types as e:
            msg = f"{type(e).__name__}: {e}"
            _log(f"as expected, {what}: {msg}")
            return msg
        raise RuntimeError(f"{what}: ZenML did not raise {exc_types}")

    for comp in DELETIONS:
        register(comp, *DELETED_SECRET)
    for comp, specs in SECRETS.items():
        for name, type_, values in specs:
            register(comp, name, type_, values)
    for comp in ROTATIONS:
        register(comp, "rotating", "arbitrary", ROTATING_INITIAL)
        updated = ROTATING_UPDATED_NONE if by_name[comp]["scope"] == "none" else ROTATING_UPDATED
        update(comp, "rotating", "arbitrary", updated)
    for comp in SCHEMA_CHANGES:
        register(comp, "schema_change", "arbitrary", SCHEMA_CHANGE_INITIAL)
        update(comp, "schema_change", "basic_auth", SCHEMA_CHANGE_UPDATED)
    for comp in DELETIONS:
        manager(comp).delete_secret(DELETED_SECRET[0])
        del written[comp][DELETED_SECRET[0]]

    # None scope: an update that adds a key fails (the GCP secret `<name>_<key>` does not
    # exist); the new key comes first, so nothing was written.
    expect_error(
        "the none scope cannot add a key in update_secret",
        (google_exceptions.NotFound,),
        lambda: manager("ferry_gcp_none").update_secret(
            schema_class("arbitrary")(name="grow_attempt", **GROW_ATTEMPT_UPDATED)
        ),
    )
    # None scope: `<name>_<key>` collides with another secret's GCP id -> 409.
    expect_error(
        "a none-scope `<name>_<key>` collision is refused by GCP",
        (google_exceptions.Conflict, google_exceptions.AlreadyExists),
        lambda: manager("ferry_gcp_none").register_secret(
            schema_class(COLLISION_ATTEMPT[1])(name=COLLISION_ATTEMPT[0], **COLLISION_ATTEMPT[2])
        ),
    )
    # Both global components share one scope: the second cannot re-register `shared`.
    expect_error(
        "ferry_gcp_global_b cannot re-register `shared`",
        (SecretExistsError,),
        lambda: manager("ferry_gcp_global_b").register_secret(schema_class("arbitrary")(name="shared", x="y")),
    )

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
    problems = []
    for c in components:
        sm = manager(c["name"])
        got = zenml_gcp_read.read_all(sm)
        zenml_gcp_read.check_client(sm, args.endpoint)
        want = per_scope.get(scope_key(c), {})
        if got != want:
            for name in sorted(set(got) | set(want)):
                if got.get(name) != want.get(name):
                    problems.append(f"{c['name']} {name!r}: ZenML read {got.get(name)!r}, expected {want.get(name)!r}")
        expected[c["id"]] = {
            "name": c["name"],
            "scope": c["scope"],
            "namespace": c["namespace"],
            # get_all_secret_keys() returns list(set(...)): hash-seed dependent order.
            "secrets": {name: got[name] for name in sorted(got)},
        }
    for p in problems:
        _log(p)
    if problems:
        return 1

    dump = dump_project(raw, PROJECT)
    os.makedirs(args.outdir, exist_ok=True)

    def write_json(filename: str, doc: Any) -> None:
        with open(os.path.join(args.outdir, filename), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")

    write_json("dump.json", {"project": PROJECT, "secrets": dump})
    write_json("components.json", components)
    write_json("expected.json", {"zenml_version": ZENML_VERSION, "project_id": PROJECT, "components": expected})
    n_versions = sum(len(s["versions"]) for s in dump)
    _log(f"{len(dump)} GCP secrets ({n_versions} versions) in projects/{PROJECT}; "
         f"wrote dump.json, components.json, expected.json to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
