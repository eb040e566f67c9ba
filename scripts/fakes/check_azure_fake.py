#!/usr/bin/env python3
"""Drive the fake Azure Key Vault with Microsoft's official Python client, end to end.

    scripts/azure-servers start STATE_DIR && source STATE_DIR/azure.env
    "$FERRY_AZURE_PYTHON" scripts/fakes/check_azure_fake.py [--wire FILE]

Reads FERRY_AZURE_VAULT_URL, FERRY_AZURE_CA, FERRY_AZURE_AUTHORITY_HOST, FERRY_AZURE_TENANT_ID,
FERRY_AZURE_CLIENT_ID, FERRY_AZURE_CLIENT_SECRET, FERRY_AZURE_IDENTITY_ENDPOINT,
FERRY_AZURE_IDENTITY_HEADER and FERRY_AZURE_IMDS_ENDPOINT (STATE_DIR/azure.env).  It RESETS
the fake first (POST /fake/reset) and leaves it reset at the end.

The client is azure-keyvault-secrets' `SecretClient(vault_url, credential,
verify_challenge_resource=False, connection_verify=CA)` with azure-identity's
`ClientSecretCredential(tenant, client id, secret, authority=FERRY_AZURE_AUTHORITY_HOST,
disable_instance_discovery=True, connection_verify=CA)`: msal does the OpenID discovery and
the client-credentials request against the fake.  (disable_instance_discovery is needed:
otherwise msal asks login.microsoftonline.com whether the authority host is known.)
azure-identity's ManagedIdentityCredential is also run against the App Service endpoint
(IDENTITY_ENDPOINT/IDENTITY_HEADER in its environment), and the IMDS-style endpoint with a
plain HTTPS request.

Checked, in order: set (tags, content type), get latest and a given version, listing secrets
with server-side pages of 2 (>= 5 secrets) and with an empty first page, listing versions,
update_secret_properties (tags, content type, enabled=False -> get raises 403), delete and
wait, get_deleted_secret, list_deleted_secrets, purge, delete + recover and wait (also with
delays, so the pollers really poll), set on a soft-deleted name -> ResourceExistsError,
missing -> ResourceNotFoundError, 429 + Retry-After retried by the client, the raw 401
challenge, a wrong client secret, an expired token, a token for another audience.

--wire FILE writes the fake's request log of the whole run (JSON) for inspection.

Exit codes: 0 all checks passed; 1 a check failed (message on stderr); 2 usage/environment.
"""

import argparse
import json
import logging
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional, Tuple

ENV_KEYS = ["FERRY_AZURE_VAULT_URL", "FERRY_AZURE_CA", "FERRY_AZURE_AUTHORITY_HOST",
            "FERRY_AZURE_TENANT_ID", "FERRY_AZURE_CLIENT_ID", "FERRY_AZURE_CLIENT_SECRET"]


class CheckFailed(Exception):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)
    print(f"  ok  {what}", file=sys.stderr)


class Raw:
    """Plain HTTPS requests to the fake (hooks and wire-level checks)."""

    def __init__(self, ca: str) -> None:
        self.ctx = ssl.create_default_context(cafile=ca)

    def call(self, method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
             form: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], Any]:
        data = None
        hdrs = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.ctx) as r:
                raw = r.read()
                return r.status, dict(r.headers), (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, dict(e.headers), (json.loads(raw) if raw else None)


def main() -> int:
    parser = argparse.ArgumentParser(description="Check the fake Azure Key Vault with the official client.")
    parser.add_argument("--wire", metavar="FILE", help="write the fake's request log of the run here")
    args = parser.parse_args()
    missing = [k for k in ENV_KEYS if not os.environ.get(k)]
    if missing:
        print(f"check_azure_fake: missing environment: {', '.join(missing)} (source STATE_DIR/azure.env)",
              file=sys.stderr)
        return 2
    try:
        run(args)
    except CheckFailed as e:
        print(f"check_azure_fake: FAILED: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        print(f"check_azure_fake: FAILED with {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("check_azure_fake: all checks passed", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> None:
    from azure.core.exceptions import (ClientAuthenticationError, HttpResponseError,
                                       ResourceExistsError, ResourceNotFoundError)
    from azure.identity import ClientSecretCredential, ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    env = os.environ
    vault, ca, authority = env["FERRY_AZURE_VAULT_URL"], env["FERRY_AZURE_CA"], env["FERRY_AZURE_AUTHORITY_HOST"]
    tenant, client_id, client_secret = env["FERRY_AZURE_TENANT_ID"], env["FERRY_AZURE_CLIENT_ID"], env["FERRY_AZURE_CLIENT_SECRET"]
    raw = Raw(ca)

    def hook(method: str, path: str, body: Any = None) -> Any:
        status, _, doc = raw.call(method, vault + path, body)
        if status >= 300:
            raise CheckFailed(f"hook {method} {path}: HTTP {status} {doc}")
        return doc

    hook("POST", "/fake/reset")
    hook("POST", "/fake/config", {"page_size": 2})

    def credential(secret: str = client_secret) -> ClientSecretCredential:
        return ClientSecretCredential(tenant, client_id, secret, authority=authority,
                                      disable_instance_discovery=True, connection_verify=ca)

    def new_client(cred: Any) -> SecretClient:
        return SecretClient(vault, cred, verify_challenge_resource=False, connection_verify=ca)

    print("-- token service", file=sys.stderr)
    tok = credential().get_token("https://vault.azure.net/.default")
    check(tok.token.count(".") == 2 and tok.expires_on > time.time() + 600,
          "ClientSecretCredential got a token from the fake authority (OpenID discovery + client credentials)")
    # azure-identity logs every failed get_token as a warning (the whole AADSTS7000215 answer); this
    # failure is the one expected, so its logger stays quiet for it and the check below says it.
    identity_log = logging.getLogger("azure.identity")
    level = identity_log.level
    identity_log.setLevel(logging.ERROR)
    try:
        credential("wrong-secret").get_token("https://vault.azure.net/.default")
        raise CheckFailed("a wrong client secret was accepted")
    except ClientAuthenticationError as e:
        check("AADSTS7000215" in str(e), "a wrong client secret -> ClientAuthenticationError AADSTS7000215")
    finally:
        identity_log.setLevel(level)

    client = new_client(credential())

    print("-- set / get", file=sys.stderr)
    s1 = client.set_secret("db-pass", "v1 é 🔐\nline2", tags={"zenml-group-key": "db", "k": "v"},
                           content_type="text/plain")
    check(s1.value == "v1 é 🔐\nline2" and s1.properties.tags == {"zenml-group-key": "db", "k": "v"}
          and s1.properties.content_type == "text/plain" and s1.properties.enabled,
          "set_secret with tags and content_type returns the bundle")
    check(s1.properties.recovery_level == "Recoverable+Purgeable" and s1.properties.created_on is not None,
          "attributes carry created/updated and recoveryLevel")
    s2 = client.set_secret("db-pass", "v2")
    check(s2.properties.version != s1.properties.version and s2.properties.tags is None,
          "a second set_secret makes a new version without the old tags")
    check(client.get_secret("db-pass").value == "v2", "get_secret(name) returns the latest version")
    old = client.get_secret("db-pass", s1.properties.version)
    check(old.value == s1.value and old.properties.tags == s1.properties.tags,
          "get_secret(name, version) returns that version with its own tags")
    check(client.set_secret("empty-value", "").value == "", "an empty value is stored")
    check(client.get_secret("EMPTY-VALUE").name == "empty-value", "names are case-insensitive (first spelling kept)")

    print("-- listing (server page size 2)", file=sys.stderr)
    names = ["list-a", "list-b", "list-c", "list-d", "list-e"]
    for n in names:
        client.set_secret(n, f"value of {n}", tags={"n": n})
    mark = len(hook("GET", "/fake/requests"))
    listed = [p.name for p in client.list_properties_of_secrets()]
    check(listed == sorted(["db-pass", "empty-value"] + names),
          f"list_properties_of_secrets lists all 7 secrets ({listed})")
    pages = [r for r in hook("GET", "/fake/requests")[mark:] if r["path"] == "/secrets"]
    check(len(pages) == 4 and all("$skiptoken" in r["query"] for r in pages[1:]),
          f"... in 4 requests, following nextLink with $skiptoken ({len(pages)} requests)")
    props = {p.name: p for p in client.list_properties_of_secrets(max_page_size=1)}
    check(props["list-c"].tags == {"n": "list-c"} and props["db-pass"].tags is None,
          "listed properties carry the latest version's tags (maxresults=1)")
    hook("POST", "/fake/config", {"empty_first_page": True})
    check([p.name for p in client.list_properties_of_secrets()] == listed,
          "an empty first page with a nextLink is followed")
    hook("POST", "/fake/config", {"empty_first_page": False})
    for i in range(3, 6):
        client.set_secret("db-pass", f"v{i}")
    versions = list(client.list_properties_of_secret_versions("db-pass"))
    check(len(versions) == 5 and len({v.version for v in versions}) == 5,
          "list_properties_of_secret_versions lists all 5 versions over 3 pages")

    print("-- update properties", file=sys.stderr)
    upd = client.update_secret_properties("list-a", tags={"zenml-key-name": "user"}, content_type="application/json")
    check(upd.tags == {"zenml-key-name": "user"} and upd.content_type == "application/json",
          "update_secret_properties (latest version) sets tags and content type")
    got = client.get_secret("list-a")
    check(got.properties.tags == {"zenml-key-name": "user"} and got.value == "value of list-a",
          "the value is unchanged and get sees the new tags")
    upd = client.update_secret_properties("db-pass", s1.properties.version, tags={"old": "yes"})
    check(upd.version == s1.properties.version and upd.tags == {"old": "yes"},
          "update_secret_properties on an older version")
    client.update_secret_properties("list-b", enabled=False)
    try:
        client.get_secret("list-b")
        raise CheckFailed("a disabled secret could be read")
    except HttpResponseError as e:
        check(e.status_code == 403 and "Operation get is not allowed on a disabled secret." in str(e),
              "get on a disabled secret -> 403 Forbidden")
    lb = [p for p in client.list_properties_of_secrets() if p.name == "list-b"][0]
    check(lb.enabled is False, "the disabled secret is still listed, enabled=False")
    client.update_secret_properties("list-b", enabled=True)
    check(client.get_secret("list-b").value == "value of list-b", "re-enabled, it can be read again")

    print("-- errors", file=sys.stderr)
    try:
        client.get_secret("does-not-exist")
        raise CheckFailed("a missing secret was found")
    except ResourceNotFoundError as e:
        check(e.error is not None and e.error.code == "SecretNotFound",
              "a missing secret -> ResourceNotFoundError (SecretNotFound)")
    try:
        client.get_secret("db-pass", "0" * 32)
        raise CheckFailed("a missing version was found")
    except ResourceNotFoundError:
        check(True, "a missing version -> ResourceNotFoundError")
    try:
        client.set_secret("bad_name", "x")
        raise CheckFailed("an invalid name was accepted")
    except HttpResponseError as e:
        check(e.status_code == 400 and e.error is not None and e.error.code == "BadParameter",
              "an invalid name -> 400 BadParameter")

    print("-- soft delete, purge, recover", file=sys.stderr)
    deleted = client.begin_delete_secret("list-c", _polling_interval=0.1).result()
    check(deleted.recovery_id == f"{vault}/deletedsecrets/list-c" and deleted.scheduled_purge_date is not None
          and deleted.deleted_date is not None, "begin_delete_secret returns a DeletedSecret with recoveryId and dates")
    try:
        client.get_secret("list-c")
        raise CheckFailed("a deleted secret could be read")
    except ResourceNotFoundError:
        check(True, "a deleted secret is gone from /secrets")
    ds = client.get_deleted_secret("list-c")
    check(ds.name == "list-c" and ds.properties.tags == {"n": "list-c"}, "get_deleted_secret")
    check([d.name for d in client.list_deleted_secrets()] == ["list-c"], "list_deleted_secrets")
    try:
        client.set_secret("list-c", "again")
        raise CheckFailed("a soft-deleted name could be reused")
    except ResourceExistsError as e:
        check("is currently in a deleted but recoverable state" in str(e),
              "set_secret on a soft-deleted name -> ResourceExistsError (409 Conflict)")
    client.purge_deleted_secret("list-c")
    check(list(client.list_deleted_secrets()) == [], "purge_deleted_secret empties the deleted list")
    check(client.set_secret("list-c", "again").value == "again", "after the purge the name is free")

    hook("POST", "/fake/config", {"delete_delay": 1.0, "recover_delay": 1.0})
    mark = len(hook("GET", "/fake/requests"))
    t0 = time.monotonic()
    poller = client.begin_delete_secret("list-d", _polling_interval=0.2)
    poller.wait()
    waited = time.monotonic() - t0
    polls = [r for r in hook("GET", "/fake/requests")[mark:] if r["path"] == "/deletedsecrets/list-d"]
    check(poller.done() and waited >= 0.9 and len(polls) >= 3,
          f"begin_delete_secret().wait() polls GET /deletedsecrets/list-d until it exists "
          f"({len(polls)} polls, {waited:.1f} s)")
    t0 = time.monotonic()
    recovered = client.begin_recover_deleted_secret("list-d", _polling_interval=0.2)
    recovered.wait()
    check(time.monotonic() - t0 >= 0.9 and recovered.result().name == "list-d",
          "begin_recover_deleted_secret().wait() polls until the secret is back")
    check(client.get_secret("list-d").value == "value of list-d", "the recovered secret keeps its value")
    hook("POST", "/fake/config", {"delete_delay": 0, "recover_delay": 0})

    print("-- throttling", file=sys.stderr)
    hook("POST", "/fake/throttle", {"count": 2, "retry_after": 1})
    mark = len(hook("GET", "/fake/requests"))
    t0 = time.monotonic()
    v = client.get_secret("list-e").value
    took = time.monotonic() - t0
    log = hook("GET", "/fake/requests")[mark:]
    check(v == "value of list-e" and took >= 1.9 and len(log) == 3,
          f"two 429s with Retry-After: 1 are retried by the client ({len(log)} requests, {took:.1f} s)")

    print("-- wire-level authentication", file=sys.stderr)
    status, headers, doc = raw.call("GET", f"{vault}/secrets?api-version=7.5")
    challenge = headers.get("WWW-Authenticate", "")
    check(status == 401 and challenge == f'Bearer authorization="{authority}/{tenant}", resource="https://vault.azure.net"',
          "no token -> 401 with the Bearer challenge")
    status, _, doc = raw.call("GET", f"{vault}/secrets", headers={"Authorization": f"Bearer {tok.token}"})
    check(status == 400 and doc["error"]["code"] == "BadParameter", "no api-version -> 400 BadParameter")
    status, _, doc = raw.call("GET", f"{vault}/secrets?api-version=7.5", headers={"Authorization": "Bearer forged"})
    check(status == 401 and doc["error"]["code"] == "Unauthorized", "a token the fake did not issue -> 401")
    status, _, doc = raw.call("POST", f"{authority}/{tenant}/oauth2/v2.0/token", form={
        "client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials",
        "scope": "https://management.azure.com/.default"})
    mgmt = doc["access_token"]
    status, _, doc = raw.call("GET", f"{vault}/secrets?api-version=7.5", headers={"Authorization": f"Bearer {mgmt}"})
    check(status == 401, "a token for another audience -> 401")
    hook("POST", "/fake/expire-tokens")
    status, headers, doc = raw.call("GET", f"{vault}/secrets?api-version=7.5",
                                    headers={"Authorization": f"Bearer {tok.token}"})
    check(status == 401 and "WWW-Authenticate" in headers, "an expired token -> 401 with the challenge again")
    check(new_client(credential()).get_secret("list-e").value == "value of list-e",
          "a new credential gets a fresh token and works")

    print("-- managed identity", file=sys.stderr)
    ident_ep, ident_hdr = env.get("FERRY_AZURE_IDENTITY_ENDPOINT"), env.get("FERRY_AZURE_IDENTITY_HEADER")
    if ident_ep and ident_hdr:
        saved = {k: os.environ.get(k) for k in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "REQUESTS_CA_BUNDLE")}
        os.environ.update({"IDENTITY_ENDPOINT": ident_ep, "IDENTITY_HEADER": ident_hdr, "REQUESTS_CA_BUNDLE": ca})
        try:
            mi = ManagedIdentityCredential(connection_verify=ca)
            check(new_client(mi).get_secret("list-e").value == "value of list-e",
                  "ManagedIdentityCredential (App Service: IDENTITY_ENDPOINT + X-IDENTITY-HEADER) works")
        finally:
            for k, val in saved.items():
                if val is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = val
        status, _, doc = raw.call("GET", f"{ident_ep}?resource=https://vault.azure.net&api-version=2019-08-01",
                                  headers={"X-IDENTITY-HEADER": "wrong"})
        check(status == 401, "App Service endpoint: a wrong X-IDENTITY-HEADER -> 401")
    imds = env.get("FERRY_AZURE_IMDS_ENDPOINT")
    if imds:
        q = "?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"
        status, _, doc = raw.call("GET", imds + q)
        check(status == 400 and doc["error"] == "invalid_request", "IMDS without Metadata: true -> 400")
        status, _, doc = raw.call("GET", imds + q, headers={"Metadata": "true"})
        check(status == 200 and doc["token_type"] == "Bearer" and doc["expires_on"].isdigit(), "IMDS token")
        status, _, _ = raw.call("GET", f"{vault}/secrets/list-e/?api-version=7.5",
                                headers={"Authorization": f"Bearer {doc['access_token']}"})
        check(status == 200, "an IMDS token is accepted by the vault")

    if args.wire:
        with open(args.wire, "w", encoding="utf-8") as f:
            json.dump(hook("GET", "/fake/requests"), f, ensure_ascii=False, indent=1)
    hook("POST", "/fake/reset")


if __name__ == "__main__":
    sys.exit(main())
