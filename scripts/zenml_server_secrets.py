"""Reads or wipes the centralized secrets of a live ZenML server with ZenML's own Python client.

Run with the python of the venv scripts/zenml-server made for that server's release, so client and
server match: $FERRY_ZENML_SERVER_PYTHON (the newest release), $FERRY_ZENML075_SERVER_PYTHON
(0.75.0) or $FERRY_ZENML052_SERVER_PYTHON (0.52.0):

    zenml_server_secrets.py dump [--list] [--url U --username N --password P]
    zenml_server_secrets.py wipe [--url U --username N --password P]

--url, --username and --password default to $PFX_URL, $PFX_USERNAME and $PFX_PASSWORD (written to
STATE_DIR/zenml-server*.env by scripts/zenml-server), where PFX follows the release of the zenml
this python has: FERRY_ZENML_SERVER for 0.80 and later, FERRY_ZENML075_SERVER for 0.75.x,
FERRY_ZENML052_SERVER for 0.52.x (FERRY_ZENML<major><minor, two digits>_SERVER before 0.80).

dump prints every secret the user can see as JSON, sorted by name.
ZenML 0.80 and later (all public secrets and the user's private ones):
    {"<name>": {"private": bool, "values": {"<key>": "<value>", ...}}, ...}
A public and a private secret may share a name; dump then fails (exit 1) unless --list is given,
which prints a list instead:
    [{"name": ..., "private": bool, "id": "<uuid>", "values": {...}}, ...]
Before 0.80 a secret has a scope, "workspace" or "user", and a workspace instead of `private` (all
workspace-scoped secrets and the user's user-scoped ones):
    {"<name>": {"scope": "workspace"|"user", "values": {...}}, ...}
and when a name is there more than once (in both scopes, or in two workspaces) only --list works:
    [{"name": ..., "scope": ..., "workspace": "<workspace name>", "id": "<uuid>", "values": {...}}, ...]
wipe deletes every secret the user can see and prints how many on stderr.

The client runs with a throwaway ZENML_CONFIG_PATH and the ZENML_STORE_* variables (ZenML's
documented way to point a client at a server without `zenml login`), never ~/.config/zenml.

Exit codes: 0 ok, 1 failure (message on stderr), 2 usage error.
"""

import argparse
import atexit
import importlib.metadata
import json
import os
import re
import shutil
import sys
import tempfile


def zenml_release():
    """(major, minor) of the zenml installed here, without importing it (that reads ZENML_*)."""
    version = importlib.metadata.version("zenml")
    m = re.match(r"(\d+)\.(\d+)", version)
    if not m:
        raise SystemExit(f"zenml_server_secrets: cannot read the zenml version {version!r}")
    return int(m.group(1)), int(m.group(2))


def scoped(release) -> bool:
    """Whether secrets have a scope (workspace|user) and a workspace: ZenML before 0.80."""
    return release < (0, 80)


def env_prefix(release) -> str:
    """The prefix of the variables scripts/zenml-server writes for a server of this release."""
    if not scoped(release):
        return "FERRY_ZENML_SERVER"
    return f"FERRY_ZENML{release[0]}{release[1]:02d}_SERVER"


def connect(url: str, username: str, password: str):
    """A zenml Client whose store is the server at url, logged in with username and password."""
    config_dir = tempfile.mkdtemp(prefix="zenml-client-")
    atexit.register(shutil.rmtree, config_dir, ignore_errors=True)
    for name in list(os.environ):
        if name.startswith("ZENML_"):
            del os.environ[name]
    os.environ.update(
        ZENML_CONFIG_PATH=config_dir,
        ZENML_STORE_URL=url,
        ZENML_STORE_USERNAME=username,
        ZENML_STORE_PASSWORD=password,
        ZENML_ANALYTICS_OPT_IN="false",
        ZENML_LOGGING_VERBOSITY="ERROR",
        ZENML_ENABLE_RICH_TRACEBACK="false",
    )
    from zenml.client import Client
    from zenml.zen_stores.rest_zen_store import RestZenStore

    client = Client()
    if not isinstance(client.zen_store, RestZenStore):
        raise SystemExit(f"zenml_server_secrets: {url} did not give a REST store")
    return client


def all_secrets(client):
    """Every secret the user can see, without values (the list endpoint never returns them)."""
    secrets, page = [], 1
    while True:
        batch = client.list_secrets(page=page, size=100, sort_by="asc:name")
        secrets.extend(batch.items)
        if page >= batch.total_pages:
            return secrets
        page += 1


def dump(client, as_list: bool, with_scope: bool) -> None:
    rows = []
    for secret in all_secrets(client):
        full = client.zen_store.get_secret(secret_id=secret.id)  # with values
        if full.has_missing_values:
            raise SystemExit(f"zenml_server_secrets: no permission to read the values of {full.name!r}")
        values = dict(sorted(full.secret_values.items()))
        if with_scope:
            scope = full.scope
            rows.append({"name": full.name, "scope": str(getattr(scope, "value", scope)),
                         "workspace": full.workspace.name, "id": str(full.id), "values": values})
        else:
            rows.append({"name": full.name, "private": full.private, "id": str(full.id),
                         "values": values})
    if with_scope:
        rows.sort(key=lambda r: (r["name"], r["scope"], r["workspace"]))
    else:
        rows.sort(key=lambda r: (r["name"], r["private"]))
    if as_list:
        out = rows
    else:
        out = {}
        for r in rows:
            if r["name"] in out:
                if with_scope:
                    raise SystemExit(f"zenml_server_secrets: more than one secret (scopes or "
                                     f"workspaces) is named {r['name']!r}; use dump --list")
                raise SystemExit(f"zenml_server_secrets: a public and a private secret are both named "
                                 f"{r['name']!r}; use dump --list")
            if with_scope:
                out[r["name"]] = {"scope": r["scope"], "values": r["values"]}
            else:
                out[r["name"]] = {"private": r["private"], "values": r["values"]}
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


def wipe(client) -> None:
    secrets = all_secrets(client)
    for secret in secrets:
        client.zen_store.delete_secret(secret_id=secret.id)
    left = client.list_secrets(size=1).total
    if left:
        raise SystemExit(f"zenml_server_secrets: {left} secret(s) left after the wipe")
    print(f"zenml_server_secrets: deleted {len(secrets)} secret(s)", file=sys.stderr)


def main() -> None:
    release = zenml_release()
    prefix = env_prefix(release)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["dump", "wipe"])
    parser.add_argument("--url", default=os.environ.get(f"{prefix}_URL"))
    parser.add_argument("--username", default=os.environ.get(f"{prefix}_USERNAME"))
    parser.add_argument("--password", default=os.environ.get(f"{prefix}_PASSWORD"))
    parser.add_argument("--list", action="store_true", help="dump: print a list (names may repeat)")
    args = parser.parse_args()
    if not args.url or args.username is None or args.password is None:
        parser.error(f"--url, --username and --password (or {prefix}_*) are required")
    try:
        client = connect(args.url.rstrip("/"), args.username, args.password)
        if args.command == "dump":
            dump(client, args.list, scoped(release))
        else:
            wipe(client)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - one line on stderr, exit 1
        raise SystemExit(f"zenml_server_secrets: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
