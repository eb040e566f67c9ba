#!/usr/bin/env python3
"""Load an Azure fixture dump (make_azure_fixtures.py's dump.json) into a Key Vault (the fake).

    scripts/azure-servers start STATE_DIR && source STATE_DIR/azure.env
    python3 LegacyFixtures/tools/replay_azure_dump.py LegacyFixtures/azure/zenml-0.52.0/dump.json \
        --vault-url "$FERRY_AZURE_VAULT_URL" --ca "$FERRY_AZURE_CA" \
        --authority "$FERRY_AZURE_AUTHORITY_HOST" --tenant "$FERRY_AZURE_TENANT_ID" \
        --client-id "$FERRY_AZURE_CLIENT_ID" --client-secret "$FERRY_AZURE_CLIENT_SECRET"

More than one DUMP may be given (e.g. dump.json dump-0.10-layout.json); they are loaded
in order.  The vault must be empty (no secrets, no deleted secrets): a Set Secret on an
existing name would only add a version, so nothing is overwritten silently.

What it does, with the standard library only (urllib + ssl, --ca trusted):
  1. the challenge: `GET /secrets?api-version=7.5` without a token must answer 401 with
     `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="<resource>"`;
     the authority and tenant must be --authority and --tenant;
  2. a client-credentials token: `POST <authority>/<tenant>/oauth2/v2.0/token` with
     client_id, client_secret, grant_type=client_credentials, scope=<resource>/.default;
  3. for every secret, in dump order, every version in order:
     `PUT /secrets/<name>?api-version=7.5` {"value", "tags", "contentType",
     "attributes": {"enabled"}} (keys only when set); then, for secrets the dump marks
     deleted, `DELETE /secrets/<name>` (soft delete) and `GET /deletedsecrets/<name>` until
     it answers 200;
  4. a read-back check: `GET /secrets` and `GET /deletedsecrets` (following nextLink), for
     every active secret `GET /secrets/<name>/versions` and `GET /secrets/<name>/<version>`
     of each enabled version: names, deleted state, the latest version's value, tags and
     content type, and the multiset of versions must equal the dump.
429 answers are retried after Retry-After; a 401 gets a new token once.

Only values, tags, content types and the enabled flag are recreated; version ids and
created/updated times are new.  Exit codes: 0 ok, 1 Key Vault / Entra ID error or read-back
mismatch (message on stderr), 2 usage error.
"""

import argparse
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

API_VERSION = "7.5"


def _err(msg: str) -> None:
    print(f"replay_azure_dump: {msg}", file=sys.stderr, flush=True)


class ReplayError(Exception):
    pass


class KeyVault:
    def __init__(self, args: argparse.Namespace) -> None:
        self.vault = args.vault_url.rstrip("/")
        self.authority = args.authority.rstrip("/")
        self.tenant = args.tenant
        self.client_id = args.client_id
        self.client_secret = args.client_secret
        self.ctx = ssl.create_default_context(cafile=args.ca)
        self.token: Optional[str] = None
        self.resource: Optional[str] = None

    def _http(self, method: str, url: str, data: Optional[bytes], headers: Dict[str, str]) -> Tuple[int, Dict[str, str], bytes]:
        for _attempt in range(10):
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=60, context=self.ctx) as r:
                    return r.status, dict(r.headers), r.read()
            except urllib.error.HTTPError as e:
                body = e.read()
                if e.code == 429:
                    time.sleep(float(e.headers.get("Retry-After") or 1))
                    continue
                return e.code, dict(e.headers), body
            except urllib.error.URLError as e:
                raise ReplayError(f"{method} {url}: {e.reason}") from None
        raise ReplayError(f"{method} {url}: still throttled after 10 attempts")

    def challenge(self) -> None:
        url = f"{self.vault}/secrets?api-version={API_VERSION}"
        status, headers, body = self._http("GET", url, None, {"Accept": "application/json"})
        header = next((v for k, v in headers.items() if k.lower() == "www-authenticate"), "")
        if status != 401 or not header.startswith("Bearer "):
            raise ReplayError(f"GET {url} without a token: expected 401 with a Bearer challenge, got {status} {header!r}")
        params = dict(re.findall(r'(\w+)="([^"]*)"', header))
        authorization, self.resource = params.get("authorization", ""), params.get("resource")
        if not self.resource:
            raise ReplayError(f"the challenge has no resource: {header!r}")
        want = f"{self.authority}/{self.tenant}"
        if authorization.rstrip("/") != want:
            raise ReplayError(f"the challenge names authority {authorization!r}, not {want!r}")

    def get_token(self) -> None:
        assert self.resource is not None
        url = f"{self.authority}/{self.tenant}/oauth2/v2.0/token"
        form = urllib.parse.urlencode({
            "client_id": self.client_id, "client_secret": self.client_secret,
            "grant_type": "client_credentials", "scope": f"{self.resource}/.default",
        }).encode()
        status, _, body = self._http("POST", url, form, {"Content-Type": "application/x-www-form-urlencoded",
                                                         "Accept": "application/json"})
        doc = json.loads(body or b"{}")
        if status != 200 or "access_token" not in doc:
            raise ReplayError(f"POST {url}: HTTP {status} {doc.get('error')}: "
                              f"{str(doc.get('error_description', '')).splitlines()[0] if doc else ''}")
        self.token = doc["access_token"]

    def call(self, method: str, path_or_url: str, body: Any = None, ok: Tuple[int, ...] = (200,)) -> Tuple[int, Any]:
        if path_or_url.startswith("https://"):
            url = path_or_url
        else:
            sep = "&" if "?" in path_or_url else "?"
            url = f"{self.vault}{path_or_url}{sep}api-version={API_VERSION}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        for retry in (False, True):
            headers = {"Accept": "application/json", "Authorization": f"Bearer {self.token}"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            status, _, raw = self._http(method, url, data, headers)
            if status == 401 and not retry:
                self.get_token()
                continue
            break
        doc = json.loads(raw) if raw else None
        if status not in ok:
            err = (doc or {}).get("error", {}) if isinstance(doc, dict) else {}
            raise ReplayError(f"{method} {url}: HTTP {status} {err.get('code')}: {err.get('message')}")
        return status, doc

    def list_all(self, path: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        _, doc = self.call("GET", path)
        while True:
            out.extend(doc.get("value") or [])
            nxt = doc.get("nextLink")
            if not nxt:
                return out
            _, doc = self.call("GET", nxt)


def _name_of(item_id: str) -> str:
    # https://<vault>/secrets/<name>[/<version>] or .../deletedsecrets/<name>
    return urllib.parse.urlsplit(item_id).path.split("/")[2]


def _q(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def replay(kv: KeyVault, secrets: List[Dict[str, Any]]) -> None:
    for s in secrets:
        name = s["name"]
        for v in s["versions"]:
            body: Dict[str, Any] = {"value": v["value"]}
            if v.get("contentType") is not None:
                body["contentType"] = v["contentType"]
            if v.get("tags") is not None:
                body["tags"] = v["tags"]
            if v.get("enabled") is False:
                body["attributes"] = {"enabled": False}
            kv.call("PUT", f"/secrets/{_q(name)}", body)
        if s.get("deleted"):
            kv.call("DELETE", f"/secrets/{_q(name)}")
            deadline = time.monotonic() + 60
            while True:
                status, _ = kv.call("GET", f"/deletedsecrets/{_q(name)}", ok=(200, 404))
                if status == 200:
                    break
                if time.monotonic() > deadline:
                    raise ReplayError(f"{name} did not show up in /deletedsecrets within 60 s")
                time.sleep(0.2)


def read_back(kv: KeyVault, secrets: List[Dict[str, Any]]) -> List[str]:
    problems: List[str] = []
    want_active = {s["name"].lower(): s for s in secrets if not s.get("deleted")}
    want_deleted = {s["name"].lower(): s for s in secrets if s.get("deleted")}
    active = {_name_of(i["id"]).lower(): i for i in kv.list_all("/secrets")}
    deleted = {_name_of(i["recoveryId"]).lower(): i for i in kv.list_all("/deletedsecrets")}
    if sorted(active) != sorted(want_active):
        problems.append(f"active secrets differ: extra {sorted(set(active) - set(want_active))}, "
                        f"missing {sorted(set(want_active) - set(active))}")
    if sorted(deleted) != sorted(want_deleted):
        problems.append(f"deleted secrets differ: extra {sorted(set(deleted) - set(want_deleted))}, "
                        f"missing {sorted(set(want_deleted) - set(deleted))}")
    for key, item in deleted.items():
        if key in want_deleted and item.get("tags") != want_deleted[key]["versions"][-1].get("tags"):
            problems.append(f"deleted {key}: tags {item.get('tags')!r}")
    for key, s in want_active.items():
        if key not in active:
            continue
        name = s["name"]
        got_versions = []
        for item in kv.list_all(f"/secrets/{_q(name)}/versions"):
            version = urllib.parse.urlsplit(item["id"]).path.split("/")[3]
            enabled = item["attributes"]["enabled"]
            value = None
            if enabled:
                _, bundle = kv.call("GET", f"/secrets/{_q(name)}/{version}")
                value = bundle["value"]
            got_versions.append({"value": value, "contentType": item.get("contentType"),
                                 "tags": item.get("tags"), "enabled": enabled})
        want_versions = [dict(v, value=v["value"] if v.get("enabled", True) else None) for v in s["versions"]]
        canon = lambda vs: sorted(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in vs)  # noqa: E731
        if canon(got_versions) != canon(want_versions):
            problems.append(f"{name}: versions {got_versions!r}, expected {want_versions!r}")
        latest = s["versions"][-1]
        if latest.get("enabled", True):
            _, bundle = kv.call("GET", f"/secrets/{_q(name)}/")
            got = (bundle["value"], bundle.get("tags"), bundle.get("contentType"))
            want = (latest["value"], latest.get("tags"), latest.get("contentType"))
            if got != want:
                problems.append(f"{name}: latest {got!r}, expected {want!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description="Load make_azure_fixtures.py dumps into a Key Vault.")
    parser.add_argument("dumps", nargs="+", metavar="DUMP", help="dump.json (and optionally dump-0.10-layout.json)")
    parser.add_argument("--vault-url", required=True)
    parser.add_argument("--ca", required=True, help="CA certificate (PEM) to trust")
    parser.add_argument("--authority", required=True, help="Entra ID authority host, e.g. https://127.0.0.1:45701")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()

    secrets: List[Dict[str, Any]] = []
    for path in args.dumps:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            _err(f"cannot read {path}: {e}")
            return 2
        if not isinstance(doc, list):
            _err(f"{path}: not a dump (a JSON list)")
            return 2
        secrets.extend(doc)

    t0 = time.monotonic()
    try:
        kv = KeyVault(args)
        kv.challenge()
        kv.get_token()
        if kv.list_all("/secrets") or kv.list_all("/deletedsecrets"):
            _err(f"the vault at {kv.vault} is not empty (secrets or deleted secrets); replay into a fresh one")
            return 1
        replay(kv, secrets)
        problems = read_back(kv, secrets)
    except ReplayError as e:
        _err(str(e))
        return 1
    except ssl.SSLError as e:
        _err(f"TLS: {e}")
        return 1
    for p in problems:
        _err(p)
    if problems:
        return 1
    n_versions = sum(len(s["versions"]) for s in secrets)
    n_deleted = sum(1 for s in secrets if s.get("deleted"))
    _err(f"OK: {len(secrets)} secrets ({n_versions} versions, {n_deleted} soft-deleted) replayed and read back "
         f"in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
