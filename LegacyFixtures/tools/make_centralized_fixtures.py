#!/usr/bin/env python3
"""Generate centralized (SQL secrets store) fixtures with real ZenML 0.52.0 code.

Usage:

    /work/venvs/zenml052/bin/python LegacyFixtures/tools/make_centralized_fixtures.py \
        LegacyFixtures/centralized

Writes, into the given directory:

  zenml-0.52.0-sql.json              store created with
                                     ZENML_SECRETS_STORE_ENCRYPTION_KEY=<ENCRYPTION_KEY>
                                     ("values" column = AesGcmEngine output, TEXT)
  zenml-0.52.0-sql-unencrypted.json  store created without a key
                                     ("values" column = base64 of the JSON, BLOB)

Each variant runs in a child process with its own fresh, temporary
ZENML_CONFIG_PATH (ZenML's GlobalConfiguration is a per-process singleton).
Secrets are created with `Client().create_secret(...)` (one is then changed with
`Client().update_secret(...)`), read back with `Client().get_secret(...)`, and
the raw `secret` rows are read with sqlite3.  The temp dirs are deleted
afterwards unless --keep is given.
"""

import argparse
import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from typing import Any, Dict, List, Optional

ZENML_VERSION = "0.52.0"
ENCRYPTION_KEY = "ferry-fixture-key-h\u00f6h\u00f6-\U0001F510"

# (name, scope, values) created in both stores, in this order.
SECRETS: List[Dict[str, Any]] = [
    {
        "name": "ferry-central-basic",
        "scope": "workspace",
        "values": {"a": "1", "pw": "h\u00f6h\u00f6", "empty": ""},
    },
    {
        "name": "ferry-central-unicode",
        "scope": "user",
        "values": {
            "cjk": "\u65e5\u672c\u8a9e",
            "emoji": "\U0001F510",
            "multi_line": "line1\nline2\n",
            "quotes": "he said \"hi\" & it's",
            "equals": "a=b==",
            "backslash": "C:\\path",
            "cl\u00e9": "valeur",
        },
    },
    # Same name in both scopes: (name, scope[, user]) is the uniqueness key.
    {"name": "ferry-central-shared", "scope": "workspace", "values": {"token": "workspace-token"}},
    {"name": "ferry-central-shared", "scope": "user", "values": {"token": "user-token"}},
    {
        "name": "ferry-central-rotated",
        "scope": "workspace",
        "values": {"a": "1", "pw": "h\u00f6h\u00f6", "empty": ""},
    },
]
# Applied after creation: (name, scope, add_or_update_values, remove_values)
UPDATE = ("ferry-central-rotated", "workspace", {"pw": "h\u00f6h\u00f6-v2", "added": "new"}, ["a"])


def _log(msg: str) -> None:
    print(f"[make_centralized_fixtures] {msg}", file=sys.stderr, flush=True)


def child(result_path: str) -> int:
    """Runs inside a fresh ZENML_CONFIG_PATH; writes the plaintext view as JSON."""
    os.dup2(2, 1)  # ZenML logs to stdout; keep it out of the way
    import zenml
    from zenml.client import Client
    from zenml.enums import SecretScope

    if zenml.__version__ != ZENML_VERSION:
        _log(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
        return 2
    client = Client()
    for s in SECRETS:
        client.create_secret(name=s["name"], values=s["values"], scope=SecretScope(s["scope"]))
    name, scope, add, remove = UPDATE
    client.update_secret(
        name, scope=SecretScope(scope), add_or_update_values=add, remove_values=remove
    )
    out = []
    for s in client.list_secrets(size=1000).items:
        full = client.get_secret(s.id)
        out.append(
            {
                "id": full.id.hex,
                "name": full.name,
                "scope": full.scope.value,
                "values": {k: v.get_secret_value() for k, v in full.values.items()},
            }
        )
    info = client.zen_store.get_store_info()
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(
            {
                "zenml_version": zenml.__version__,
                "secrets_store_type": str(info.secrets_store_type),
                "database": client.zen_store.config.database,
                "config_yaml": open(
                    os.path.join(os.environ["ZENML_CONFIG_PATH"], "config.yaml"), encoding="utf-8"
                ).read(),
                "secrets": out,
            },
            f,
        )
    return 0


def build_variant(outfile: str, key: Optional[str], keep: bool) -> None:
    config_dir = tempfile.mkdtemp(prefix="zenml052-central-")
    result_path = os.path.join(config_dir, "plaintext.json")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZENML_STORE_", "ZENML_SECRETS_STORE_", "ZENML_LOCAL_STORES_PATH"))
    }
    env.update(
        ZENML_CONFIG_PATH=os.path.join(config_dir, "config"),
        ZENML_ANALYTICS_OPT_IN="false",
        ZENML_LOGGING_VERBOSITY="ERROR",
    )
    if key is not None:
        env["ZENML_SECRETS_STORE_ENCRYPTION_KEY"] = key
    subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", result_path],
        env=env,
        check=True,
        stdout=sys.stderr,
    )
    with open(result_path, encoding="utf-8") as f:
        plain = json.load(f)
    by_id = {s["id"]: s for s in plain["secrets"]}

    db = sqlite3.connect(plain["database"])
    try:
        ddl = db.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name='secret'"
        ).fetchone()[0]
        (alembic,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        rows = db.execute(
            'SELECT id, name, scope, "values", typeof("values"), created, updated,'
            " workspace_id, user_id FROM secret ORDER BY created, id"
        ).fetchall()
    finally:
        db.close()

    engine = None
    if key is not None:
        from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine

        engine = AesGcmEngine()
        engine._update_key(key)

    secrets = []
    for id_, name, scope, stored, stored_type, created, updated, ws, user in rows:
        # NB: with ZenML 0.52.0 the storage class depends on the code path, not
        # only on encryption: create_secret binds bytes (BLOB), update_secret
        # binds the AesGcmEngine str (TEXT) when encrypting.
        if stored_type == "blob":
            stored_text = stored.decode("ascii")
        elif stored_type == "text":
            stored_text = stored
        else:
            raise RuntimeError(f"unexpected storage class {stored_type} for secret {id_}")
        if engine is not None:
            plaintext_json = engine.decrypt(stored_text)
        else:
            plaintext_json = base64.b64decode(stored_text).decode("utf-8")
        plaintext = by_id[id_]
        assert plaintext["name"] == name and plaintext["scope"] == scope
        assert json.loads(plaintext_json) == plaintext["values"], (plaintext_json, plaintext)
        secrets.append(
            {
                "id": id_,
                "name": name,
                "scope": scope,
                "stored_values": stored_text,
                "stored_type": stored_type,
                "values": plaintext["values"],
                "plaintext_json": plaintext_json,
                "created": created,
                "updated": updated,
                "workspace_id": ws,
                "user_id": user,
            }
        )
    assert len(secrets) == len(plain["secrets"])

    doc = {
        "zenml_version": plain["zenml_version"],
        "alembic_version": alembic,
        "secrets_store_type": plain["secrets_store_type"],
        "encryption_key": key,
        "secret_table_ddl": ddl,
        "config_yaml": plain["config_yaml"],
        "secrets": secrets,
    }
    with open(outfile, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    _log(f"wrote {outfile} ({len(secrets)} secrets; store kept in {config_dir})" if keep
         else f"wrote {outfile} ({len(secrets)} secrets)")
    if not keep:
        shutil.rmtree(config_dir, ignore_errors=True)


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", help="e.g. LegacyFixtures/centralized")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ZenML config dirs")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    build_variant(os.path.join(args.outdir, "zenml-0.52.0-sql.json"), ENCRYPTION_KEY, args.keep)
    build_variant(os.path.join(args.outdir, "zenml-0.52.0-sql-unencrypted.json"), None, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
