#!/usr/bin/env python3
"""Load a GCP fixture dump (make_gcp_fixtures.py's dump.json) into a Secret Manager REST endpoint.

    python3 LegacyFixtures/tools/replay_gcp_dump.py LegacyFixtures/gcp/zenml-0.52.0/dump.json \
        --endpoint http://127.0.0.1:45690 [--project ferry-fixtures] [--token TOKEN]

Works against drongo, Ferry's fake or anything speaking Secret Manager REST v1 over
http(s).  --project defaults to the dump's `project`; --token, when given, is sent as
`Authorization: Bearer <token>` (drongo needs none).

For every secret of the dump, in file order:
  * GET  /v1/projects/P/secrets/ID: when it exists with the same labels and the same
    versions (number, state, enabled payloads) it is left alone (so a second replay is a
    no-op); when it exists and differs, the replay stops with an error;
  * POST /v1/projects/P/secrets?secretId=ID  {"replication": {"automatic": {}}, "labels": ...}
  * POST /v1/projects/P/secrets/ID:addVersion  {"payload": {"data": base64(UTF-8 data)}},
    once per version, in order (the server numbers them 1..n; this is checked), then
    `:disable` / `:destroy` for versions that were not ENABLED (ZenML never does that; the
    0.52.0 dump has only ENABLED versions).
Then the whole project is listed (following nextPageToken) and read back: the secret ids
must be exactly the dump's, and labels, version numbers, states and enabled payloads must
equal the dump.

Standard library only (urllib): any python3 will do.

Exit codes: 0 ok, 1 server error or read-back mismatch (message on stderr), 2 usage error.
"""

import argparse
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional


def _err(msg: str) -> None:
    print(f"replay_gcp_dump: {msg}", file=sys.stderr, flush=True)


class ApiError(Exception):
    def __init__(self, msg: str, code: int = 0) -> None:
        super().__init__(msg)
        self.code = code


class SecretManager:
    def __init__(self, endpoint: str, project: str, token: Optional[str]) -> None:
        self.base = f"{endpoint.rstrip('/')}/v1/projects/{urllib.parse.quote(project, safe='')}"
        self.token = token

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None,
              query: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            raise ApiError(f"{method} {url}: HTTP {e.code} {detail}", e.code) from None
        except urllib.error.URLError as e:
            raise ApiError(f"{method} {url}: {e.reason}") from None
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ApiError(f"{method} {url}: answer is not JSON: {raw[:200]!r}") from None

    @staticmethod
    def _id(secret_id: str) -> str:
        return urllib.parse.quote(secret_id, safe="")

    def get_secret(self, secret_id: str) -> Optional[Dict[str, Any]]:
        try:
            return self._call("GET", f"/secrets/{self._id(secret_id)}")
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def create_secret(self, secret_id: str, labels: Dict[str, str]) -> None:
        body: Dict[str, Any] = {"replication": {"automatic": {}}}
        if labels:
            body["labels"] = labels
        self._call("POST", "/secrets", body, {"secretId": secret_id})

    def add_version(self, secret_id: str, data: str) -> int:
        payload = base64.b64encode(data.encode("utf-8")).decode("ascii")
        doc = self._call("POST", f"/secrets/{self._id(secret_id)}:addVersion", {"payload": {"data": payload}})
        return int(doc["name"].rsplit("/", 1)[-1])

    def set_state(self, secret_id: str, version: int, state: str) -> None:
        verb = {"DISABLED": "disable", "DESTROYED": "destroy"}[state]
        self._call("POST", f"/secrets/{self._id(secret_id)}/versions/{version}:{verb}", {})

    def list_secrets(self) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        token = ""
        while True:
            query = {"pageSize": "250"}
            if token:
                query["pageToken"] = token
            doc = self._call("GET", "/secrets", query=query)
            out.extend(doc.get("secrets", []))
            token = doc.get("nextPageToken", "")
            if not token:
                return out

    def list_versions(self, secret_id: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        token = ""
        while True:
            query = {"pageSize": "250"}
            if token:
                query["pageToken"] = token
            doc = self._call("GET", f"/secrets/{self._id(secret_id)}/versions", query=query)
            out.extend(doc.get("versions", []))
            token = doc.get("nextPageToken", "")
            if not token:
                return out

    def access(self, secret_id: str, version: int) -> str:
        doc = self._call("GET", f"/secrets/{self._id(secret_id)}/versions/{version}:access")
        data = doc.get("payload", {}).get("data", "")  # proto3 JSON omits empty bytes
        return base64.b64decode(data).decode("utf-8")

    def read_back(self, secret_id: str, labels: Optional[Dict[str, str]]) -> Dict[str, Any]:
        """One secret in dump form (labels sorted, versions ascending)."""
        versions = []
        for v in self.list_versions(secret_id):
            number = int(v["name"].rsplit("/", 1)[-1])
            state = _state_name(v.get("state"))
            data = self.access(secret_id, number) if state == "ENABLED" else None
            versions.append({"version": number, "state": state, "data": data})
        versions.sort(key=lambda v: v["version"])
        labels = labels or {}
        return {"id": secret_id, "labels": {k: labels[k] for k in sorted(labels)}, "versions": versions}


_STATES = {1: "ENABLED", 2: "DISABLED", 3: "DESTROYED"}


def _state_name(state: Any) -> str:
    if isinstance(state, int):  # enum-encoding=int
        return _STATES.get(state, str(state))
    return str(state)


def _load(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        dump = json.load(f)
    if not isinstance(dump, dict) or not isinstance(dump.get("secrets"), list):
        raise ValueError('the dump must be {"project": ..., "secrets": [...]}')
    for s in dump["secrets"]:
        if not isinstance(s, dict) or not isinstance(s.get("id"), str) or not s["id"]:
            raise ValueError(f"bad entry {s!r}")
        if not isinstance(s.get("labels"), dict) or not isinstance(s.get("versions"), list):
            raise ValueError(f"{s['id']}: labels (object) and versions (array) are required")
        for i, v in enumerate(s["versions"], start=1):
            if v.get("version") != i or v.get("state") not in ("ENABLED", "DISABLED", "DESTROYED"):
                raise ValueError(f"{s['id']}: bad version entry {v!r}")
            if v["state"] == "ENABLED" and not isinstance(v.get("data"), str):
                raise ValueError(f"{s['id']} version {i}: data (string) is required")
    return dump


def _normalized(entry: Dict[str, Any]) -> Dict[str, Any]:
    labels = entry["labels"]
    return {
        "id": entry["id"],
        "labels": {k: labels[k] for k in sorted(labels)},
        "versions": [
            {"version": v["version"], "state": v["state"], "data": v.get("data") if v["state"] == "ENABLED" else None}
            for v in entry["versions"]
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Load a GCP dump.json into a Secret Manager REST endpoint.")
    parser.add_argument("dump", help="path to dump.json")
    parser.add_argument("--endpoint", required=True, help="e.g. http://127.0.0.1:45690")
    parser.add_argument("--project", help="GCP project id (default: the dump's project)")
    parser.add_argument("--token", help="bearer token (default: no Authorization header)")
    args = parser.parse_args()

    try:
        dump = _load(args.dump)
    except (OSError, ValueError) as e:
        _err(f"cannot read {args.dump}: {e}")
        return 2
    project = args.project or dump.get("project")
    if not project:
        _err("no project: give --project or a dump with `project`")
        return 2
    if not args.endpoint.startswith(("http://", "https://")):
        _err("--endpoint must start with http:// or https://")
        return 2

    sm = SecretManager(args.endpoint, project, args.token)
    wanted = [_normalized(s) for s in dump["secrets"]]
    created = skipped = 0
    try:
        for entry in wanted:
            sid = entry["id"]
            existing = sm.get_secret(sid)
            if existing is not None:
                have = sm.read_back(sid, existing.get("labels"))
                if have != entry:
                    _err(f"secret {sid} already exists and differs from the dump: {have!r}")
                    return 1
                skipped += 1
                continue
            sm.create_secret(sid, entry["labels"])
            for v in entry["versions"]:
                number = sm.add_version(sid, v["data"] if v["data"] is not None else "")
                if number != v["version"]:
                    _err(f"secret {sid}: the server numbered a new version {number}, expected {v['version']}")
                    return 1
            for v in entry["versions"]:
                if v["state"] != "ENABLED":
                    sm.set_state(sid, v["version"], v["state"])
            created += 1

        listed = sm.list_secrets()
        back = []
        for s in listed:
            sid = s["name"].rsplit("/", 1)[-1]
            back.append(sm.read_back(sid, s.get("labels")))
    except ApiError as e:
        _err(str(e))
        return 1

    back.sort(key=lambda s: s["id"])
    want_sorted = sorted(wanted, key=lambda s: s["id"])
    if back != want_sorted:
        got_ids = [s["id"] for s in back]
        want_ids = [s["id"] for s in want_sorted]
        if got_ids != want_ids:
            extra = sorted(set(got_ids) - set(want_ids))
            missing = sorted(set(want_ids) - set(got_ids))
            _err(f"project {project} holds other secrets than the dump: extra {extra!r}, missing {missing!r}")
        by_id = {s["id"]: s for s in back}
        for s in want_sorted:
            if s["id"] in by_id and by_id[s["id"]] != s:
                _err(f"{s['id']}: read back {by_id[s['id']]!r}")
        return 1
    _err(f"created {created} and found {skipped} identical secrets; verified {len(back)} secrets "
         f"({sum(len(s['versions']) for s in back)} versions) in projects/{project} at {args.endpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
