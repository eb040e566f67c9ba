#!/usr/bin/env python3
"""Drives Ferry's Secret Manager fake (and drongo, where drongo can) with Google's OFFICIAL
Python client over REST, so the fake is held to what the real client sends and expects.

    check_gcp_fake.py [--fake URL] [--key PATH] [--drongo URL] [--metadata-host HOST:PORT] [-v]

Defaults come from scripts/gcp-servers' gcp.env (FERRY_GCP_FAKE_ENDPOINT, FERRY_GCP_SA_KEY,
FERRY_DRONGO_ENDPOINT, FERRY_GCP_METADATA_HOST). Deletes every secret in both servers first.
Exits 0 when every check passes, 1 on the first failure (with a message), 2 on usage errors.
-v prints the wire shape of the requests the client sent (from the fake's /fake/requests).
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--fake", default=os.environ.get("FERRY_GCP_FAKE_ENDPOINT"))
ap.add_argument("--key", default=os.environ.get("FERRY_GCP_SA_KEY"))
ap.add_argument("--drongo", default=os.environ.get("FERRY_DRONGO_ENDPOINT"))
ap.add_argument("--metadata-host", default=os.environ.get("FERRY_GCP_METADATA_HOST"))
ap.add_argument("--project", default=os.environ.get("FERRY_GCP_PROJECT", "ferry-test"))
ap.add_argument("-v", "--verbose", action="store_true")
args = ap.parse_args()
if not args.fake or not args.key:
    ap.error("need --fake and --key (or FERRY_GCP_FAKE_ENDPOINT and FERRY_GCP_SA_KEY)")

# google.auth reads these when first imported.
if args.metadata_host:
    os.environ["GCE_METADATA_HOST"] = args.metadata_host
    os.environ["GCE_METADATA_IP"] = args.metadata_host
os.environ.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

import google.auth.compute_engine  # noqa: E402
import google.auth.credentials  # noqa: E402
import google.auth.transport.requests  # noqa: E402
from google.api_core import exceptions as gexc  # noqa: E402
from google.auth.credentials import AnonymousCredentials  # noqa: E402
from google.cloud import secretmanager  # noqa: E402
from google.cloud.secretmanager_v1.services.secret_manager_service.transports.rest import (  # noqa: E402
    SecretManagerServiceRestTransport,
)
from google.oauth2 import service_account  # noqa: E402

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
PROJECT = args.project
PARENT = f"projects/{PROJECT}"
checks = 0


class Failed(Exception):
    pass


def ok(cond, what):
    global checks
    if not cond:
        raise Failed(what)
    checks += 1


def expect(exc_type, fn, what):
    global checks
    try:
        fn()
    except exc_type as e:
        checks += 1
        return e
    except Exception as e:  # noqa: BLE001
        raise Failed(f"{what}: expected {exc_type.__name__}, got {type(e).__name__}: {e}")
    raise Failed(f"{what}: expected {exc_type.__name__}, got success")


def status_of(e):
    """The google.rpc status string of a REST error: the REST transport maps exceptions by HTTP
    code only (400 -> BadRequest, 409 -> Conflict), so read the body for INVALID_ARGUMENT etc."""
    try:
        return e.response.json()["error"]["status"]
    except Exception:  # noqa: BLE001
        return None


def expect_status(code, status, fn, what):
    e = expect(gexc.GoogleAPICallError, fn, what)
    ok(e.code == code and status_of(e) == status,
       f"{what}: expected {code} {status}, got {e.code} {status_of(e)}: {e.message}")
    return e


def http(method, url, body=None, headers=None, form=None):
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


ok(crc32c(b"123456789") == 0xE3069283, "CRC-32C check value")  # RFC 3720 test vector


def fake_requests():
    return json.loads(http("GET", args.fake + "/fake/requests")[2])["requests"]


def auth_of(q):
    return next(v for k, v in q["headers"].items() if k.lower() == "authorization")


def fake_stats():
    return json.loads(http("GET", args.fake + "/fake/stats")[2])


def ids(secrets):
    return sorted(s.name.rsplit("/", 1)[1] for s in secrets)


def sa_client_jwt():
    """Exactly how an application builds the client: with a service-account key, the GAPIC
    client switches google-auth to self-signed JWTs (AIP-4111), so no token exchange happens."""
    creds = service_account.Credentials.from_service_account_file(args.key, scopes=SCOPES)
    return secretmanager.SecretManagerServiceClient(
        transport="rest", client_options={"api_endpoint": args.fake}, credentials=creds
    )


def sa_client_exchange():
    """The same key, but through the OAuth 2.0 JWT-bearer exchange at the key's token_uri."""
    creds = service_account.Credentials.from_service_account_file(args.key, scopes=SCOPES)
    transport = SecretManagerServiceRestTransport(host=args.fake, credentials=creds)
    return secretmanager.SecretManagerServiceClient(transport=transport)


class StaticToken(google.auth.credentials.Credentials):
    """A fixed bearer token. (On a 401, google-auth's AuthorizedSession refreshes the credentials
    and retries, up to twice; refreshing this one changes nothing.)"""

    def __init__(self, token):
        super().__init__()
        self.token = token
        self.refreshes = 0

    def refresh(self, request):
        self.refreshes += 1


def token_client(token):
    creds = StaticToken(token)
    transport = SecretManagerServiceRestTransport(host=args.fake, credentials=creds)
    return secretmanager.SecretManagerServiceClient(transport=transport)


def create(client, sid, labels=None, parent=PARENT):
    return client.create_secret(request={
        "parent": parent, "secret_id": sid,
        "secret": {"replication": {"automatic": {}}, "labels": labels or {}},
    })


def add(client, name, data: bytes, crc=True):
    payload = {"data": data}
    if crc:
        payload["data_crc32c"] = crc32c(data)
    return client.add_secret_version(request={"parent": name, "payload": payload})


def common_checks(client, label, parent=PARENT):
    """What both drongo and the fake implement."""
    name_of = lambda sid: f"{parent}/secrets/{sid}"  # noqa: E731
    s = create(client, "ferry-a", {"env": "prod", "team": "ml"}, parent)
    ok(s.name.endswith("/secrets/ferry-a"), f"{label}: create_secret name {s.name}")
    ok(dict(s.labels) == {"env": "prod", "team": "ml"}, f"{label}: created labels {dict(s.labels)}")
    v1 = add(client, name_of("ferry-a"), b"one")
    v2 = add(client, name_of("ferry-a"), b'{"password": "t\xc3\xa4st"}')
    ok(v1.name.endswith("/versions/1") and v2.name.endswith("/versions/2"), f"{label}: version names")
    r = client.access_secret_version(name=f"{name_of('ferry-a')}/versions/latest")
    ok(r.payload.data == b'{"password": "t\xc3\xa4st"}', f"{label}: access latest data {r.payload.data!r}")
    ok(r.name.endswith("/versions/2"), f"{label}: latest resolves to versions/2, got {r.name}")
    r1 = client.access_secret_version(name=f"{name_of('ferry-a')}/versions/1")
    ok(r1.payload.data == b"one", f"{label}: access version 1")
    g = client.get_secret(name=name_of("ferry-a"))
    ok(dict(g.labels) == {"env": "prod", "team": "ml"}, f"{label}: get_secret labels")
    u = client.update_secret(request={
        "secret": {"name": name_of("ferry-a"), "labels": {"env": "staging", "owner": "ferry"}},
        "update_mask": {"paths": ["labels"]},
    })
    ok(dict(u.labels) == {"env": "staging", "owner": "ferry"}, f"{label}: update_secret labels {dict(u.labels)}")
    ok(dict(client.get_secret(name=name_of("ferry-a")).labels) == {"env": "staging", "owner": "ferry"},
       f"{label}: labels after update")
    vs = list(client.list_secret_versions(parent=name_of("ferry-a")))
    ok(sorted(v.name.rsplit("/", 1)[1] for v in vs) == ["1", "2"], f"{label}: list_secret_versions")
    e = expect(gexc.Conflict, lambda: create(client, "ferry-a", {}, parent), f"{label}: duplicate create")
    ok(status_of(e) == "ALREADY_EXISTS", f"{label}: 409 status {status_of(e)}")
    expect(gexc.NotFound, lambda: client.get_secret(name=name_of("ferry-missing")), f"{label}: get missing")
    expect(gexc.NotFound, lambda: client.access_secret_version(name=f"{name_of('ferry-a')}/versions/9"),
           f"{label}: access missing version")
    expect(gexc.NotFound, lambda: client.access_secret_version(name=f"{name_of('ferry-missing')}/versions/latest"),
           f"{label}: access missing secret")
    for i in range(5):
        create(client, f"ferry-page-{i}", {"batch": "p"}, parent)
    listed = ids(client.list_secrets(parent=parent))
    ok(set(listed) >= {"ferry-a"} | {f"ferry-page-{i}" for i in range(5)}, f"{label}: list_secrets {listed}")
    client.delete_secret(name=name_of("ferry-a"))
    expect(gexc.NotFound, lambda: client.get_secret(name=name_of("ferry-a")), f"{label}: get after delete")
    expect(gexc.NotFound, lambda: client.delete_secret(name=name_of("ferry-a")), f"{label}: delete twice")


def fake_only_checks():
    client = sa_client_jwt()
    name = lambda sid: f"{PARENT}/secrets/{sid}"  # noqa: E731

    # --- crc32c both ways
    create(client, "crc", {})
    data = b"checksummed \x00\xff payload"
    add(client, name("crc"), data)
    r = client.access_secret_version(name=f"{name('crc')}/versions/latest")
    ok(r.payload.data == data, "crc: data round trip")
    ok("data_crc32c" in r.payload and r.payload.data_crc32c == crc32c(data),
       f"crc: access returns data_crc32c {r.payload.data_crc32c} (want {crc32c(data)})")
    expect_status(400, "INVALID_ARGUMENT",
           lambda: client.add_secret_version(request={"parent": name("crc"),
                                                      "payload": {"data": b"x", "data_crc32c": 1}}),
           "crc: add_secret_version with a wrong data_crc32c")
    add(client, name("crc"), b"no checksum given", crc=False)
    r = client.access_secret_version(name=f"{name('crc')}/versions/2")
    ok(r.payload.data_crc32c == crc32c(b"no checksum given"), "crc: server computes crc32c when none given")
    raw = [q for q in fake_requests() if q["path"].endswith("/versions/latest:access")][-1]
    st, _, body = http("GET", f"{args.fake}/v1/{name('crc')}/versions/1:access?{raw['query']}",
                       headers={"Authorization": auth_of(raw)})
    doc = json.loads(body)
    ok(isinstance(doc["payload"]["dataCrc32c"], str) and doc["payload"]["dataCrc32c"] == str(crc32c(data)),
       f"crc: wire dataCrc32c is a decimal string: {doc['payload']}")

    # --- validation
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "bad id!", {}), "invalid secret id")
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "x" * 256, {}), "secret id too long")
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "badlabel", {"Env": "x"}), "uppercase label key")
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "badlabel", {"1env": "x"}), "label key starting with a digit")
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "badlabel", {"env": "Prod"}), "uppercase label value")
    expect_status(400, "INVALID_ARGUMENT", lambda: create(client, "badlabel", {f"k{i}": "v" for i in range(65)}),
           "65 labels")
    create(client, "x" * 255, {"k" + "e" * 62: "v" * 63})
    st, _, body = http("PATCH", f"{args.fake}/v1/{name('crc')}", {"labels": {"a": "b"}},
                       {"Authorization": auth_of(raw)})
    ok(st == 400 and json.loads(body)["error"]["status"] == "INVALID_ARGUMENT", f"PATCH without updateMask: {st}")
    u = client.update_secret(request={"secret": {"name": name("crc"), "labels": {"a": "b"}},
                                      "update_mask": {"paths": ["annotations"]}})
    ok(dict(u.labels) == {}, "updateMask=annotations leaves labels alone")
    expect_status(400, "INVALID_ARGUMENT",
           lambda: client.update_secret(request={"secret": {"name": name("crc")},
                                                 "update_mask": {"paths": ["replication"]}}),
           "updateMask on an immutable field")

    # --- latest is the newest version even when disabled (drongo differs)
    client.disable_secret_version(name=f"{name('crc')}/versions/2")
    e = expect_status(400, "FAILED_PRECONDITION",
               lambda: client.access_secret_version(name=f"{name('crc')}/versions/latest"),
               "access latest when it is disabled")
    ok(client.access_secret_version(name=f"{name('crc')}/versions/1").payload.data == data,
       "older enabled version still accessible")

    # --- etag on delete
    s = client.get_secret(name=name("crc"))
    expect_status(400, "FAILED_PRECONDITION", lambda: client.delete_secret(request={"name": name("crc"), "etag": '"0"'}),
           "delete with a stale etag")
    client.delete_secret(request={"name": name("crc"), "etag": s.etag})

    # --- filters
    http("POST", args.fake + "/fake/reset")
    corpus = {
        "zenml-db": {"zenml_secret_manager_id": "abc", "zenml_group_key": "db", "env": "prod"},
        "zenml-db-user": {"zenml_secret_manager_id": "abc", "zenml_group_key": "db", "env": "dev"},
        "zenml-api": {"zenml_secret_manager_id": "abc", "zenml_group_key": "api"},
        "other-db": {"zenml_secret_manager_id": "xyz", "env": "production"},
        "plain": {},
        "plain-two": {"team": "ml"},
    }
    for sid, labels in corpus.items():
        create(client, sid, labels)
    cases = {
        "labels.env=prod": ["zenml-db"],
        "labels.env:*": ["other-db", "zenml-db", "zenml-db-user"],
        "labels.env:prod": ["other-db", "zenml-db"],
        "name:db": ["other-db", "zenml-db", "zenml-db-user"],
        "name:zenml-db": ["zenml-db", "zenml-db-user"],
        "labels.zenml_secret_manager_id=abc AND labels.zenml_group_key=db": ["zenml-db", "zenml-db-user"],
        "labels.zenml_secret_manager_id=abc labels.zenml_group_key=db name:user": ["zenml-db-user"],
        "labels.zenml_group_key=api OR labels.team=ml": ["plain-two", "zenml-api"],
        "NOT labels.zenml_secret_manager_id:*": ["plain", "plain-two"],
        "-labels.zenml_secret_manager_id:*": ["plain", "plain-two"],
        "labels.zenml_secret_manager_id=abc AND NOT labels.env:*": ["zenml-api"],
        "(labels.env=prod OR labels.env=dev) AND name:user": ["zenml-db-user"],
        'labels.env="production"': ["other-db"],
        "labels.zenml_group_key:*": ["zenml-api", "zenml-db", "zenml-db-user"],
        "labels.env=nomatch": [],
    }
    for filt, want in cases.items():
        got = ids(client.list_secrets(request={"parent": PARENT, "filter": filt}))
        ok(got == want, f"filter {filt!r}: got {got}, want {want}")
    for bad_filter in ("colour=red", "labels.env", "(labels.env=prod", "name<3"):
        expect_status(400, "INVALID_ARGUMENT",
               lambda: list(client.list_secrets(request={"parent": PARENT, "filter": bad_filter})),
               f"bad filter {bad_filter!r}")

    # --- paging: the client's pager must follow nextPageToken
    before = len(fake_requests())
    got = ids(client.list_secrets(request={"parent": PARENT, "page_size": 2}))
    ok(got == sorted(corpus), f"paged list_secrets: {got}")
    lists = [q for q in fake_requests()[before:] if q["path"] == f"/v1/{PARENT}/secrets"]
    ok(len(lists) == 3, f"6 secrets at page_size=2 take 3 requests, took {len(lists)}")
    ok("pageToken" not in lists[0]["query"] and all("pageToken=" in q["query"] for q in lists[1:]),
       f"page tokens sent: {[q['query'] for q in lists]}")
    pages = list(client.list_secrets(request={"parent": PARENT, "page_size": 2}).pages)
    ok([len(p.secrets) for p in pages] == [2, 2, 2], f"page sizes {[len(p.secrets) for p in pages]}")
    ok(pages[0].total_size == 6 and pages[0].next_page_token and not pages[-1].next_page_token,
       "totalSize and nextPageToken on pages")
    pages = list(client.list_secrets(request={"parent": PARENT, "page_size": 2,
                                              "filter": "labels.zenml_secret_manager_id=abc"}).pages)
    ok([ids(p.secrets) for p in pages] == [["zenml-api", "zenml-db"], ["zenml-db-user"]],
       f"filtered pages {[ids(p.secrets) for p in pages]}")
    ok(pages[0].total_size == 0, "totalSize is 0 (omitted) when a filter is set, as documented")
    expect_status(400, "INVALID_ARGUMENT",
           lambda: list(client.list_secrets(request={"parent": PARENT, "page_token": "garbage"})),
           "invalid page token")
    tok = pages[0].next_page_token
    expect_status(400, "INVALID_ARGUMENT",
           lambda: list(client.list_secrets(request={"parent": PARENT, "page_token": tok, "filter": "name:x"})),
           "page token reused with another filter")
    for i in range(3):
        add(client, name("plain"), f"v{i}".encode())
    vpages = list(client.list_secret_versions(request={"parent": name("plain"), "page_size": 1}).pages)
    ok([p.versions[0].name.rsplit("/", 1)[1] for p in vpages] == ["3", "2", "1"],
       "list_secret_versions pages, newest first")
    client.disable_secret_version(name=f"{name('plain')}/versions/2")
    got = [v.name.rsplit("/", 1)[1] for v in
           client.list_secret_versions(request={"parent": name("plain"), "filter": "state:ENABLED"})]
    ok(got == ["3", "1"], f"versions filter state:ENABLED: {got}")

    # --- project number in names, project id in requests
    s = client.get_secret(name=name("plain"))
    number = os.environ.get("FERRY_GCP_PROJECT_NUMBER")
    if number:
        ok(s.name == f"projects/{number}/secrets/plain", f"names carry the project number: {s.name}")
        ok(client.get_secret(name=s.name).name == s.name, "the project number works in requests")

    # --- retries: the client retries UNAVAILABLE on access (its default retry policy)
    http("POST", args.fake + "/fake/fail", {"status": 503, "count": 2})
    before = len(fake_requests())
    ok(client.access_secret_version(name=f"{name('plain')}/versions/latest").payload.data == b"v2",
       "access after two 503s")
    ok(len(fake_requests()) - before == 3, "two 503s, then success: three requests")
    http("POST", args.fake + "/fake/fail", {"status": 429, "count": 1})
    st, hdrs, body = http("GET", f"{args.fake}/v1/{name('plain')}",
                          headers={"Authorization": auth_of(raw)})
    ok(st == 429 and json.loads(body)["error"]["status"] == "RESOURCE_EXHAUSTED", f"injected 429: {st} {body[:80]}")

    # --- authentication
    st, hdrs, body = http("GET", f"{args.fake}/v1/{PARENT}/secrets")
    err = json.loads(body)["error"]
    ok(st == 401 and err["status"] == "UNAUTHENTICATED" and err["code"] == 401, f"no token: {st} {err}")
    expect_status(401, "UNAUTHENTICATED", lambda: list(token_client("ya29.not-a-token").list_secrets(parent=PARENT)),
           "unknown bearer token")
    expired = json.loads(http("POST", args.fake + "/fake/expired-token")[2])["access_token"]
    e = expect_status(401, "UNAUTHENTICATED", lambda: token_client(expired).get_secret(name=name("plain")),
               "expired bearer token")
    ok("invalid authentication credentials" in e.message, f"401 message: {e.message}")

    # JWT-bearer exchange through the key's token_uri
    grants = fake_stats()["token_grants"]
    ex = sa_client_exchange()
    ok(ids(ex.list_secrets(parent=PARENT)) == sorted(corpus), "list through an exchanged token")
    ok(fake_stats()["token_grants"] == grants + 1, "google-auth exchanged a JWT at /token")
    form = [q for q in fake_requests() if q["path"] == "/token"][-1]
    ok("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in form["body"], "grant_type sent")
    http("POST", args.fake + "/fake/config", {"token_lifetime": 2})
    ex2 = sa_client_exchange()
    ex2.get_secret(name=name("plain"))
    http("POST", args.fake + "/fake/config", {"token_lifetime": 3600})
    time.sleep(2.5)
    # google-auth refreshes tokens within its clock skew of expiry, so this works by re-exchanging
    ex2.get_secret(name=name("plain"))
    ok(fake_stats()["token_grants"] >= grants + 3, "short-lived token was refreshed")
    st, _, body = http("POST", args.fake + "/token",
                       form={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"})
    ok(st == 400 and json.loads(body)["error"] == "invalid_grant", f"garbage assertion: {st} {body[:100]}")
    # a JWT signed by another key
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives import serialization
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = json.load(open(args.key))
    info["private_key"] = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode()
    forged = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    e = expect(Exception, lambda: forged.refresh(google.auth.transport.requests.Request()), "forged key at /token")
    ok("invalid_grant" in str(e) and "Signature" in str(e), f"forged key error: {e}")
    forged_client = secretmanager.SecretManagerServiceClient(
        transport="rest", client_options={"api_endpoint": args.fake},
        credentials=service_account.Credentials.from_service_account_info(info, scopes=SCOPES))
    expect_status(401, "UNAUTHENTICATED", lambda: forged_client.get_secret(name=name("plain")), "forged self-signed JWT")
    ok(fake_stats()["self_signed_jwt_calls"] > 0, "the GAPIC client used self-signed JWTs")

    # --- GCE metadata server
    if args.metadata_host:
        st, _, _ = http("GET", f"http://{args.metadata_host}/computeMetadata/v1/project/project-id")
        ok(st == 403, f"metadata without Metadata-Flavor: {st}")
        st, hdrs, body = http("GET", f"http://{args.metadata_host}/computeMetadata/v1/project/project-id",
                              headers={"Metadata-Flavor": "Google"})
        ok(st == 200 and body.decode() == PROJECT and hdrs.get("Metadata-Flavor") == "Google",
           f"metadata project-id: {st} {body!r}")
        req = google.auth.transport.requests.Request()
        from google.auth.compute_engine import _metadata
        ok(_metadata.is_on_gce(req), "google-auth detects the metadata server")
        ok(_metadata.get_project_id(req) == PROJECT, "google-auth reads project-id")
        gce = google.auth.compute_engine.Credentials()
        mclient = secretmanager.SecretManagerServiceClient(
            transport="rest", client_options={"api_endpoint": args.fake}, credentials=gce)
        ok(ids(mclient.list_secrets(parent=PARENT)) == sorted(corpus), "list with metadata-server credentials")
        ok(fake_stats()["metadata_tokens"] >= 1, "token came from the metadata server")


def print_wire():
    print("--- wire shapes seen by the fake (one per method/path shape):")
    seen = set()
    for q in fake_requests():
        shape = (q["method"], q["path"].split("/secrets/")[0], q["path"].rsplit(":", 1)[-1] if ":" in q["path"] else "")
        if shape in seen:
            continue
        seen.add(shape)
        h = {k: v for k, v in q["headers"].items() if k.lower() not in ("host", "connection", "accept-encoding")}
        for k in list(h):
            if k.lower() == "authorization":
                h[k] = h[k][:24] + "…"
        print(f"{q['method']} {q['path']}?{q['query']}\n    headers {h}\n    body {q['body'][:300]}")


def main():
    try:
        http("POST", args.fake + "/fake/reset")
        common_checks(sa_client_jwt(), "fake")
        fake_only_checks()
        if args.verbose:
            print_wire()
        if args.drongo:
            st, _, _ = http("POST", args.drongo + "/drongo/reset")
            ok(st == 200, f"drongo reset: {st}")
            drongo = secretmanager.SecretManagerServiceClient(
                transport="rest", client_options={"api_endpoint": args.drongo}, credentials=AnonymousCredentials())
            common_checks(drongo, "drongo")
            # drongo ignores filter and paging (measured): only check nothing breaks.
            list(drongo.list_secrets(request={"parent": PARENT, "page_size": 2, "filter": "labels.batch=p"}))
            http("POST", args.drongo + "/drongo/reset")
        http("POST", args.fake + "/fake/reset")
    except Failed as e:
        print(f"check_gcp_fake: FAILED: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        print(f"check_gcp_fake: FAILED with {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"check_gcp_fake: {checks} checks passed (fake{' and drongo' if args.drongo else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
