#!/usr/bin/env python3
"""Load a Vault fixture dump (make_vault_fixtures.py's dump.json) into a running OpenBao/Vault.

    source STATE_DIR/openbao.env   # scripts/openbao-server
    python3 LegacyFixtures/tools/replay_vault_dump.py \
        LegacyFixtures/vault/zenml-0.52.0/dump.json \
        --addr "$FERRY_VAULT_ADDR" --token "$FERRY_VAULT_TOKEN" [--mount secret]

For every entry, in file order: a KV v2 write `POST /v1/<mount>/data/<path>` with
`{"options": {"cas": 0}, "data": <data>}` (cas=0: the write fails if the path already
exists; nothing is deleted first, so replay into a freshly started server).  Then the
whole mount is listed recursively (LIST /v1/<mount>/metadata/<prefix>, depth-first in
LIST order) and every leaf read back (GET /v1/<mount>/data/<path>); the result must equal
the dump, order included.  This gives CI the exact data ZenML 0.52.0 wrote without running
ZenML's writer.  Only the current version is recreated: secrets that ZenML updated were
at version 2 in the original, the replay has version 1 (ZenML reads the latest version).

Standard library only (urllib): any python3 will do.

Exit codes: 0 ok, 1 Vault error or read-back mismatch (message on stderr), 2 usage error.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional


def _err(msg: str) -> None:
    print(f"replay_vault_dump: {msg}", file=sys.stderr, flush=True)


class VaultError(Exception):
    pass


class Vault:
    def __init__(self, addr: str, token: str, mount: str) -> None:
        self.addr = addr.rstrip("/")
        self.token = token
        self.mount = mount.strip("/")

    def _call(self, method: str, api: str, path: str, body: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
        url = f"{self.addr}/v1/{self.mount}/{api}/{urllib.parse.quote(path, safe='/')}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("X-Vault-Token", self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            if e.code == 404 and method == "LIST":
                return None
            detail = e.read().decode("utf-8", "replace").strip()
            raise VaultError(f"{method} {url}: HTTP {e.code} {detail}") from None
        except urllib.error.URLError as e:
            raise VaultError(f"{method} {url}: {e.reason}") from None
        return json.loads(raw) if raw else None

    def write_new(self, path: str, data: Dict[str, Any]) -> None:
        self._call("POST", "data", path, {"options": {"cas": 0}, "data": data})

    def read(self, path: str) -> Dict[str, Any]:
        doc = self._call("GET", "data", path)
        return doc["data"]["data"]  # type: ignore[index]

    def list(self, prefix: str) -> List[str]:
        doc = self._call("LIST", "metadata", prefix)
        return [] if doc is None else doc["data"]["keys"]

    def dump(self) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []

        def walk(prefix: str) -> None:
            for key in self.list(prefix):
                if key.endswith("/"):
                    walk(prefix + key)
                else:
                    out.append({"path": prefix + key, "data": self.read(prefix + key)})

        walk("")
        return out


def _load(path: str) -> List[Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        dump = json.load(f)
    if not isinstance(dump, list):
        raise ValueError("the dump must be a JSON array")
    for item in dump:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
            raise ValueError(f"bad entry {item!r}")
        if not isinstance(item.get("data"), dict):
            raise ValueError(f"{item['path']}: data (object) is required")
    return dump


def main() -> int:
    parser = argparse.ArgumentParser(description="Load a dump.json into a running OpenBao/Vault (KV v2).")
    parser.add_argument("dump", help="path to dump.json")
    parser.add_argument("--addr", required=True, help="e.g. http://127.0.0.1:8200")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mount", default="secret", help="KV v2 mount point (default secret)")
    args = parser.parse_args()

    try:
        dump = _load(args.dump)
    except (OSError, ValueError) as e:
        _err(f"cannot read {args.dump}: {e}")
        return 2

    vault = Vault(args.addr, args.token, args.mount)
    try:
        for item in dump:
            vault.write_new(item["path"], item["data"])
        back = vault.dump()
    except VaultError as e:
        _err(str(e))
        return 1

    if back != dump:
        want = [i["path"] for i in dump]
        got = [i["path"] for i in back]
        if got != want:
            _err(f"paths differ: mount holds {got!r}, dump has {want!r}")
        for a, b in zip(dump, back):
            if a["path"] == b["path"] and a["data"] != b["data"]:
                _err(f"{a['path']}: data differs: {b['data']!r}")
        return 1
    _err(f"created and verified {len(dump)} secrets under {args.mount}/ at {args.addr}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
