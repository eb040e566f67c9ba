#!/usr/bin/env python3
"""A fake of Google Cloud Secret Manager (REST v1), its OAuth 2.0 token endpoint and the GCE
metadata server, for Ferry's tests. Standard library plus `cryptography` (RSA) only.

    gcp_secret_manager.py --port PORT [--key-out PATH] [--project ID] [--project-number N]

Everything listens on 127.0.0.1:PORT. At start-up the fake generates an RSA-2048 service-account
key; --key-out writes it as a service-account JSON key file (mode 0600) whose token_uri is this
fake's /token. Bearer tokens the API accepts are (a) access tokens issued by /token or by the
metadata server and not expired, (b) self-signed JWTs (AIP-4111) signed with that key — what
Google's client libraries send by default for service-account keys.

Routes (see scripts/fakes/README.md for what follows Google's documentation and what does not):
  /v1/projects/{p}/secrets                        GET list (filter, pageSize, pageToken), POST create
  /v1/projects/{p}/secrets/{s}                    GET, PATCH (updateMask), DELETE (etag)
  /v1/projects/{p}/secrets/{s}:addVersion         POST
  /v1/projects/{p}/secrets/{s}/versions           GET list (filter, pageSize, pageToken)
  /v1/projects/{p}/secrets/{s}/versions/{v}       GET ({v} a number or `latest`)
  /v1/projects/{p}/secrets/{s}/versions/{v}:access|:enable|:disable|:destroy
  POST /token                                     OAuth 2.0 JWT-bearer grant (RFC 7523)
  GET  /computeMetadata/v1/...                    GCE metadata server (Metadata-Flavor: Google)
  Test hooks (no auth):
  POST /fake/reset                                delete every secret; clear failures and the request log
  POST /fake/fail        {"status": 429|503|500, "count": N, "target": "v1"|"token"|"metadata"|"all",
                          "retry_after": SECONDS}   the next N matching requests get that error
  POST /fake/config      {"token_lifetime": SECONDS}  lifetime of tokens issued from now on
  POST /fake/expired-token                        {"access_token": an issued token that has expired}
  GET  /fake/requests                             the last 500 requests (method, path, query, headers)
  GET  /fake/stats                                counters: token grants, metadata tokens, JWT uses ...
  GET  /fake/health                               {"ok": true}
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets as pysecrets
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

GOOGLE_TOKEN_AUDIENCES = (
    # google-auth puts this constant in `aud`, whatever token_uri the key file names.
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
)
API_AUDIENCE = "https://secretmanager.googleapis.com/"
MAX_PAGE_SIZE = 25000
MAX_PAYLOAD = 65536
SECRET_ID = re.compile(r"^[a-zA-Z0-9_-]{1,255}$")
LABEL_KEY = re.compile(r"^[\w-]{0,63}$")  # checked below: starts with a lowercase letter
LABEL_VALUE = re.compile(r"^[\w-]{0,63}$")
UNAUTH_INVALID = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
UNAUTH_MISSING = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
STATUS_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
INJECTED_MESSAGES = {
    429: "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute' "
    "of service 'secretmanager.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


# ---------------------------------------------------------------------------------------------
# helpers


class ApiError(Exception):
    def __init__(self, code, status, message, headers=None, details=None):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.headers = headers or {}
        self.details = details


class _Handled(Exception):
    """A response was already sent."""


def bad(message):
    return ApiError(400, "INVALID_ARGUMENT", message)


def now_rfc3339(t):
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}Z"


def parse_rfc3339(s):
    s = s.strip('"')
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", s)
    if not m:
        raise bad(f"Invalid timestamp in filter: {s}")
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    tz = m.group(3)
    offset = 0 if tz == "Z" else (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    frac = float(m.group(2) or 0)
    return base.replace(tzinfo=timezone.utc).timestamp() - offset + frac


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64_decode_lenient(s: str) -> bytes:
    """Proto JSON accepts standard or URL-safe base64, with or without padding."""
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


# ---------------------------------------------------------------------------------------------
# the filter language (AIP-160 subset; https://cloud.google.com/secret-manager/docs/filtering)

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<op><=|>=|!=|=|<|>|:)|(?P<str>"(?:[^"\\]|\\.)*")'
    r'|(?P<word>[^\s()<>=!:"]+))'
)
# after a comparator the value runs to whitespace or a parenthesis (timestamps contain ':')
_VALUE = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+))')


def tokenize(text):
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = None
        if out and out[-1][0] == "op":
            m = _VALUE.match(text, pos)
            if m and m.end() == pos:
                m = None
        m = m or _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise bad(f"Invalid filter: unexpected character at position {pos}: {text!r}")
        pos = m.end()
        out.append((m.lastgroup, m.group(m.lastgroup)))
    return out


class FilterParser:
    """expression := sequence {AND sequence}; sequence := factor {factor};
    factor := term {OR term}; term := [NOT | -] simple; simple := restriction | ( expression )
    (AIP-160: OR binds tighter than AND)."""

    def __init__(self, text, fields):
        self.toks = tokenize(text)
        self.i = 0
        self.fields = fields

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def parse(self):
        if not self.toks:
            return lambda obj: True
        node = self.expression()
        if self.i != len(self.toks):
            raise bad(f"Invalid filter: unexpected {self.peek()[1]!r}")
        return node

    def expression(self):
        parts = [self.sequence()]
        while self.peek() == ("word", "AND"):
            self.take()
            parts.append(self.sequence())
        return lambda o: all(p(o) for p in parts)

    def sequence(self):
        parts = [self.factor()]
        while self.peek()[0] in ("word", "lp", "str") and self.peek()[1] not in ("AND", "OR"):
            parts.append(self.factor())
        return lambda o: all(p(o) for p in parts)

    def factor(self):
        parts = [self.term()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.term())
        return lambda o: any(p(o) for p in parts)

    def term(self):
        kind, val = self.peek()
        if (kind, val) == ("word", "NOT"):
            self.take()
            inner = self.simple()
            return lambda o: not inner(o)
        if kind == "word" and val.startswith("-") and len(val) > 1:
            self.toks[self.i] = ("word", val[1:])
            inner = self.simple()
            return lambda o: not inner(o)
        return self.simple()

    def simple(self):
        kind, val = self.peek()
        if kind == "lp":
            self.take()
            node = self.expression()
            if self.take()[0] != "rp":
                raise bad("Invalid filter: missing ')'")
            return node
        if kind != "word" or val in ("AND", "OR", "NOT"):
            raise bad(f"Invalid filter: expected a field, got {val!r}")
        self.take()
        field = val
        okind, op = self.peek()
        if okind != "op":
            raise bad(f"Invalid filter: {field!r} needs a comparator (=, !=, :, <, >, <=, >=)")
        self.take()
        akind, arg = self.take()
        if akind == "str":
            arg = json.loads(arg)
        elif akind != "word":
            raise bad(f"Invalid filter: {field}{op} needs a value")
        return self.restriction(field, op, arg)

    def restriction(self, field, op, arg):
        getter = None
        if field.startswith("labels."):
            key = field[len("labels."):]
            getter = lambda o, k=key: o["labels"].get(k)  # noqa: E731
            kind = "string"
        elif field in self.fields:
            getter, kind = self.fields[field]
        else:
            raise bad(f"Invalid filter: unknown field {field!r}")
        if kind == "time":
            if op not in ("<", ">", "<=", ">=", "=", "!="):
                raise bad(f"Invalid filter: {field} takes <, >, <=, >=, = or !=")
            t = parse_rfc3339(arg)
            cmp = {
                "<": lambda a: a < t, ">": lambda a: a > t, "<=": lambda a: a <= t,
                ">=": lambda a: a >= t, "=": lambda a: a == t, "!=": lambda a: a != t,
            }[op]
            return lambda o: cmp(getter(o))
        if kind == "presence":
            if op != ":" or arg != "*":
                raise bad(f"Invalid filter: {field} only supports ':*'")
            return lambda o: bool(getter(o))
        if op == ":":
            if arg == "*":
                return lambda o: getter(o) is not None
            return lambda o: getter(o) is not None and arg in getter(o)
        if op == "=":
            return lambda o: getter(o) == arg
        if op == "!=":
            return lambda o: getter(o) != arg
        raise bad(f"Invalid filter: {field} does not support {op!r}")


# ---------------------------------------------------------------------------------------------
# state


class Fake:
    def __init__(self, port, project, project_number, key_out):
        self.port = port
        self.project = project
        self.project_number = str(project_number)
        self.lock = threading.RLock()
        self.secrets = {}  # (project, id) -> dict
        self.tokens = {}  # token -> expiry (epoch seconds)
        self.token_lifetime = int(os.environ.get("FAKE_TOKEN_LIFETIME", "3600"))
        self.failures = []  # [target, status, remaining, retry_after]
        self.requests = []
        self.stats = {"token_grants": 0, "token_rejections": 0, "metadata_tokens": 0,
                      "self_signed_jwt_calls": 0, "access_token_calls": 0, "unauthenticated": 0}
        self.page_secret = pysecrets.token_bytes(16)
        self.email = f"ferry-test@{project}.iam.gserviceaccount.com"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.key.public_key()
        self.key_id = hashlib.sha1(pysecrets.token_bytes(16)).hexdigest()
        self.token_uri = f"http://127.0.0.1:{port}/token"
        if key_out:
            self.write_key(key_out)

    def write_key(self, path):
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        doc = {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": self.key_id,
            "private_key": pem,
            "client_email": self.email,
            "client_id": str(int.from_bytes(pysecrets.token_bytes(8), "big")),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + urllib.parse.quote(self.email),
            "universe_domain": "googleapis.com",
        }
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    # -- projects: Google answers with the project number in resource names
    def project_key(self, p):
        return self.project_number if p in (self.project, self.project_number) else p

    def issue_token(self, lifetime=None):
        lifetime = self.token_lifetime if lifetime is None else lifetime
        tok = "ya29.fake-" + pysecrets.token_urlsafe(32)
        with self.lock:
            self.tokens[tok] = time.time() + lifetime
        return tok, lifetime

    # -- JWT
    def verify_jwt(self, jwt, errors):
        """Returns the claims of a JWT signed with the service-account key, or raises
        ValueError(description)."""
        try:
            h64, p64, s64 = jwt.split(".")
            header = json.loads(b64url_decode(h64))
            claims = json.loads(b64url_decode(p64))
            sig = b64url_decode(s64)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ValueError(errors["malformed"])
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ValueError(errors["malformed"])
        if header.get("alg") != "RS256":
            raise ValueError(errors["malformed"])
        if header.get("kid") not in (None, self.key_id):
            raise ValueError(errors["signature"])
        try:
            self.public_key.verify(sig, f"{h64}.{p64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise ValueError(errors["signature"])
        if claims.get("iss") != self.email:
            raise ValueError(errors["account"])
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
            raise ValueError(errors["time"])
        # short-lived (at most an hour), not issued in the future, not expired
        if exp <= iat or exp - iat > 3600 or iat > now + 300 or exp < now:
            raise ValueError(errors["time"])
        return claims

    def check_bearer(self, header_value):
        if not header_value:
            raise ApiError(401, "UNAUTHENTICATED", UNAUTH_MISSING,
                           details=[_error_info("CREDENTIALS_MISSING")])
        m = re.match(r"^Bearer\s+(\S+)$", header_value)
        token = m.group(1) if m else None
        www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'}
        if token is None:
            raise ApiError(401, "UNAUTHENTICATED", UNAUTH_INVALID, www,
                           [_error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED")])
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is not None:
            if expiry > time.time():
                self.stats["access_token_calls"] += 1
                return
            raise ApiError(401, "UNAUTHENTICATED", UNAUTH_INVALID, www, [_error_info("ACCESS_TOKEN_EXPIRED")])
        if token.count(".") == 2:
            # self-signed JWT (https://google.aip.dev/auth/4111): iss == sub == client_email,
            # and either a `scope` claim or aud == https://secretmanager.googleapis.com/
            errs = dict.fromkeys(("malformed", "signature", "account", "time"), "x")
            try:
                claims = self.verify_jwt(token, errs)
                if claims.get("sub") != self.email:
                    raise ValueError("sub")
                if not claims.get("scope") and claims.get("aud") != API_AUDIENCE:
                    raise ValueError("aud")
            except ValueError:
                pass
            else:
                self.stats["self_signed_jwt_calls"] += 1
                return
        raise ApiError(401, "UNAUTHENTICATED", UNAUTH_INVALID, www,
                       [_error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED")])


def _error_info(reason):
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": "secretmanager.googleapis.com"},
    }


# ---------------------------------------------------------------------------------------------
# Secret Manager


def validate_labels(labels):
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise bad("Invalid JSON payload: labels must be an object.")
    if len(labels) > 64:
        raise bad("A secret can have at most 64 labels.")
    for k, v in labels.items():
        if not isinstance(v, str):
            raise bad(f"Invalid value for label {k!r}.")
        if not (LABEL_KEY.match(k) and k[:1].isalpha() and k[:1].islower() and k == k.lower()
                and k.isascii() and len(k) >= 1):
            raise bad(
                f"Label key {k!r} is invalid: keys must be 1-63 characters, start with a lowercase "
                "letter and contain only lowercase letters, digits, underscores and dashes."
            )
        if not (LABEL_VALUE.match(v) and v == v.lower() and v.isascii()):
            raise bad(
                f"Label value {v!r} of key {k!r} is invalid: values must be at most 63 characters "
                "and contain only lowercase letters, digits, underscores and dashes."
            )
    return dict(labels)


def new_etag():
    return '"' + format(time.time_ns() // 1000, "x") + '"'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "ESF"
    fake: Fake = None  # set in main

    def log_message(self, fmt, *args):  # quiet; the request log is at /fake/requests
        if os.environ.get("FAKE_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # -- plumbing
    def send(self, code, body, headers=None, content_type="application/json; charset=UTF-8"):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else (json.dumps(body, indent=2) + "\n").encode()
        )
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Vary", "Origin, X-Origin, Referer")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_json(self, e: ApiError):
        err = {"code": e.code, "message": e.message, "status": e.status}
        if e.details:
            err["details"] = e.details
        self.send(e.code, {"error": err}, e.headers)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def json_body(self, raw):
        if not raw.strip():
            return {}
        try:
            doc = json.loads(raw)
        except ValueError as e:
            raise bad(f"Invalid JSON payload received. {e}")
        if not isinstance(doc, dict):
            raise bad("Invalid JSON payload received. Expected an object.")
        return doc

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def dispatch(self):
        fake = self.fake
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        raw = self.read_body()
        if not path.startswith("/fake/"):
            with fake.lock:
                fake.requests.append({
                    "method": self.command, "path": url.path, "query": url.query,
                    "headers": {k: v for k, v in self.headers.items()},
                    "body": raw.decode("utf-8", "replace")[:2000],
                })
                del fake.requests[:-500]
        try:
            if path.startswith("/fake/"):
                return self.fake_hook(path, raw)
            target = ("v1" if path.startswith("/v1/") else "token" if path == "/token"
                      else "metadata" if path.startswith("/computeMetadata/") or path == "/" else None)
            if target:
                self.maybe_inject(target)
            if path == "/token":
                return self.token_endpoint(raw)
            if path == "/" or path.startswith("/computeMetadata/"):
                return self.metadata(path, query)
            if path.startswith("/v1/"):
                fake.check_bearer(self.headers.get("Authorization"))
                return self.api(path[len("/v1/"):], query, raw)
            raise ApiError(404, "NOT_FOUND", f"The requested URL {url.path} was not found on this server.")
        except _Handled:
            pass
        except ApiError as e:
            if e.code == 401:
                fake.stats["unauthenticated"] += 1
            self.send_error_json(e)
        except Exception as e:  # noqa: BLE001
            self.send_error_json(ApiError(500, "INTERNAL", f"fake: {type(e).__name__}: {e}"))

    def maybe_inject(self, target):
        fake = self.fake
        with fake.lock:
            for f in fake.failures:
                if f[0] in (target, "all") and f[2] > 0:
                    f[2] -= 1
                    status, retry_after = f[1], f[3]
                    break
            else:
                return
            fake.failures = [f for f in fake.failures if f[2] > 0]
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        if target == "token":
            self.send(status, {"error": "internal_failure" if status >= 500 else "rate_limit_exceeded",
                               "error_description": INJECTED_MESSAGES.get(status, "injected")}, headers)
            raise _Handled()
        raise ApiError(status, STATUS_CODES.get(status, "UNKNOWN"),
                       INJECTED_MESSAGES.get(status, "Injected failure."), headers)

    # -- test hooks
    def fake_hook(self, path, raw):
        fake = self.fake
        body = self.json_body(raw) if self.command == "POST" else {}
        if path == "/fake/health":
            return self.send(200, {"ok": True})
        if path == "/fake/reset" and self.command == "POST":
            with fake.lock:
                fake.secrets.clear()
                fake.failures.clear()
                fake.requests.clear()
                for k in fake.stats:
                    fake.stats[k] = 0
            return self.send(200, {})
        if path == "/fake/fail" and self.command == "POST":
            status = int(body.get("status", 503))
            count = int(body.get("count", 1))
            target = body.get("target", "v1")
            if target not in ("v1", "token", "metadata", "all") or status < 400 or count < 0:
                raise bad("fake: bad /fake/fail request")
            with fake.lock:
                fake.failures.append([target, status, count, body.get("retry_after")])
            return self.send(200, {})
        if path == "/fake/config" and self.command == "POST":
            if "token_lifetime" in body:
                fake.token_lifetime = int(body["token_lifetime"])
            return self.send(200, {"token_lifetime": fake.token_lifetime})
        if path == "/fake/expired-token" and self.command == "POST":
            tok, _ = fake.issue_token(-1)
            return self.send(200, {"access_token": tok, "expires_in": 0, "token_type": "Bearer"})
        if path == "/fake/requests" and self.command == "GET":
            with fake.lock:
                return self.send(200, {"requests": list(fake.requests)})
        if path == "/fake/stats" and self.command == "GET":
            return self.send(200, dict(fake.stats))
        raise ApiError(404, "NOT_FOUND", f"fake: no hook {self.command} {path}")

    # -- OAuth 2.0 token endpoint (JWT bearer grant)
    def token_endpoint(self, raw):
        fake = self.fake

        def fail(code, error, desc):
            fake.stats["token_rejections"] += 1
            self.send(code, {"error": error, "error_description": desc})

        if self.command != "POST":
            return fail(405, "invalid_request", "Method not allowed.")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return fail(400, "invalid_request", "Invalid Content-Type; expected application/x-www-form-urlencoded.")
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        grant = form.get("grant_type", [""])[0]
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return fail(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        assertion = form.get("assertion", [""])[0]
        errors = {
            "malformed": "Invalid JWT: malformed assertion.",
            "signature": "Invalid JWT Signature.",
            "account": "Invalid grant: account not found",
            "time": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                    "timeframe. Check your iat and exp values in the JWT claim.",
        }
        try:
            claims = fake.verify_jwt(assertion, errors)
        except ValueError as e:
            return fail(400, "invalid_grant", str(e))
        if claims.get("aud") not in (fake.token_uri,) + GOOGLE_TOKEN_AUDIENCES:
            return fail(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        if "sub" in claims and claims["sub"] != fake.email:
            return fail(401, "unauthorized_client",
                        "Client is unauthorized to retrieve access tokens using this method, or "
                        "client not authorized for any of the scopes requested.")
        if not str(claims.get("scope") or "").strip():
            return fail(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        tok, lifetime = fake.issue_token()
        fake.stats["token_grants"] += 1
        self.send(200, {"access_token": tok, "expires_in": max(lifetime, 0), "token_type": "Bearer"},
                  {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"})

    # -- GCE metadata server
    def metadata(self, path, query):
        fake = self.fake
        mh = {"Metadata-Flavor": "Google"}
        if self.command != "GET":
            return self.send(405, "Method not allowed\n", mh, "text/plain")
        if path == "/":
            return self.send(200, "computeMetadata/\n", mh, "application/text")
        if self.headers.get("Metadata-Flavor") != "Google" or self.headers.get("X-Forwarded-For"):
            return self.send(403, "Missing required header: Metadata-Flavor\n", mh, "text/html")
        p = path[len("/computeMetadata/v1/"):] if path.startswith("/computeMetadata/v1/") else None
        sa = "instance/service-accounts/"
        scopes = ["https://www.googleapis.com/auth/cloud-platform"]
        if p in ("project/project-id",):
            return self.send(200, fake.project, mh, "application/text")
        if p == "universe/universe-domain":
            return self.send(200, "googleapis.com", mh, "application/text")
        if p == "project/numeric-project-id":
            return self.send(200, fake.project_number, mh, "application/text")
        if p is not None and p.startswith(sa):
            rest = p[len(sa):]
            acct, _, leaf = rest.partition("/")
            if acct in ("default", fake.email):
                if leaf == "" and query.get("recursive", [""])[0] == "true":
                    return self.send(200, {"aliases": ["default"], "email": fake.email, "scopes": scopes}, mh)
                if leaf == "email":
                    return self.send(200, fake.email, mh, "application/text")
                if leaf == "scopes":
                    return self.send(200, "\n".join(scopes) + "\n", mh, "application/text")
                if leaf == "token":
                    tok, lifetime = fake.issue_token()
                    fake.stats["metadata_tokens"] += 1
                    return self.send(200, {"access_token": tok, "expires_in": max(lifetime, 0),
                                           "token_type": "Bearer"}, mh)
            if rest == "" and query.get("recursive", [""])[0] == "true":
                return self.send(200, {"default": {"aliases": ["default"], "email": fake.email,
                                                   "scopes": scopes}}, mh)
        return self.send(404, "Not Found\n", mh, "text/html")

    # -- the API
    def api(self, path, query, raw):
        m = re.match(r"^projects/([^/]+)/secrets(?:/([^/:]+))?(?::(\w+))?$", path)
        if m:
            project, sid, verb = m.groups()
            if sid is None and verb is None:
                if self.command == "GET":
                    return self.list_secrets(project, query)
                if self.command == "POST":
                    return self.create_secret(project, query, raw)
            elif sid is not None and verb is None:
                if self.command == "GET":
                    return self.send(200, self.render_secret(self.get_secret(project, sid)))
                if self.command == "PATCH":
                    return self.patch_secret(project, sid, query, raw)
                if self.command == "DELETE":
                    return self.delete_secret(project, sid, query)
            elif sid is not None and verb == "addVersion" and self.command == "POST":
                return self.add_version(project, sid, raw)
            raise ApiError(404, "NOT_FOUND", f"Method not found: {self.command} /v1/{path}")
        m = re.match(r"^projects/([^/]+)/secrets/([^/:]+)/versions(?:/([^/:]+))?(?::(\w+))?$", path)
        if m:
            project, sid, vid, verb = m.groups()
            if vid is None and verb is None and self.command == "GET":
                return self.list_versions(project, sid, query)
            if vid is not None:
                if verb is None and self.command == "GET":
                    s, v = self.get_version(project, sid, vid)
                    return self.send(200, self.render_version(s, v))
                if verb == "access" and self.command == "GET":
                    return self.access(project, sid, vid)
                if verb in ("enable", "disable", "destroy") and self.command == "POST":
                    return self.set_state(project, sid, vid, verb, raw)
            raise ApiError(404, "NOT_FOUND", f"Method not found: {self.command} /v1/{path}")
        if re.match(r"^projects/[^/]+/locations/", path):
            raise ApiError(404, "NOT_FOUND", "fake: regional secrets (projects/*/locations/*) are not implemented.")
        raise ApiError(404, "NOT_FOUND", f"The requested URL /v1/{path} was not found on this server.")

    def secret_name(self, s):
        return f"projects/{s['project']}/secrets/{s['id']}"

    def render_secret(self, s):
        out = {
            "name": self.secret_name(s),
            "replication": s["replication"],
            "createTime": now_rfc3339(s["create_time"]),
            "etag": s["etag"],
        }
        if s["labels"]:
            out["labels"] = dict(s["labels"])
        if s["annotations"]:
            out["annotations"] = dict(s["annotations"])
        return out

    def render_version(self, s, v):
        out = {
            "name": f"{self.secret_name(s)}/versions/{v['number']}",
            "createTime": now_rfc3339(v["create_time"]),
            "state": v["state"],
            "replicationStatus": {"automatic": {}},
            "etag": v["etag"],
            "clientSpecifiedPayloadChecksum": v["client_checksum"],
        }
        if v["destroy_time"] is not None:
            out["destroyTime"] = now_rfc3339(v["destroy_time"])
        return out

    def get_secret(self, project, sid):
        key = (self.fake.project_key(project), sid)
        with self.fake.lock:
            s = self.fake.secrets.get(key)
        if s is None:
            raise ApiError(404, "NOT_FOUND", f"Secret [projects/{key[0]}/secrets/{sid}] not found.")
        return s

    def get_version(self, project, sid, vid):
        s = self.get_secret(project, sid)
        name = f"{self.secret_name(s)}/versions/{vid}"
        with self.fake.lock:
            if vid == "latest":
                if not s["versions"]:
                    raise ApiError(404, "NOT_FOUND", f"Secret Version [{name}] not found.")
                return s, s["versions"][-1]
            if not vid.isdigit() or int(vid) < 1:
                raise bad(f"Invalid resource field value in the request: version {vid!r}.")
            n = int(vid)
            if n > len(s["versions"]):
                raise ApiError(404, "NOT_FOUND", f"Secret Version [{name}] not found.")
            return s, s["versions"][n - 1]

    def create_secret(self, project, query, raw):
        fake = self.fake
        sid = query.get("secretId", [""])[0]
        body = self.json_body(raw)
        if not sid:
            raise bad("secret_id must be specified.")
        if not SECRET_ID.match(sid):
            raise bad("Secret id must be a string with a maximum length of 255 characters and can "
                      "only contain letters, numbers, underscores and dashes.")
        replication = body.get("replication")
        if not isinstance(replication, dict) or not (
            isinstance(replication.get("automatic"), dict) or isinstance(replication.get("userManaged"), dict)
        ):
            raise bad("Secret.replication must be specified.")
        labels = validate_labels(body.get("labels"))
        annotations = body.get("annotations") or {}
        if not isinstance(annotations, dict):
            raise bad("Invalid JSON payload: annotations must be an object.")
        pkey = fake.project_key(project)
        with fake.lock:
            if (pkey, sid) in fake.secrets:
                raise ApiError(409, "ALREADY_EXISTS", f"Secret [projects/{pkey}/secrets/{sid}] already exists.")
            s = {
                "project": pkey, "id": sid, "labels": labels, "annotations": dict(annotations),
                "replication": replication, "create_time": time.time(), "etag": new_etag(),
                "versions": [],
            }
            fake.secrets[(pkey, sid)] = s
        self.send(200, self.render_secret(s))

    def patch_secret(self, project, sid, query, raw):
        mask = ",".join(query.get("updateMask", []))
        body = self.json_body(raw)
        if not mask:
            raise bad("update_mask must be specified.")
        paths = [p.strip() for p in mask.split(",") if p.strip()]
        allowed = {"labels", "annotations", "etag"}
        for p in paths:
            if p not in allowed:
                raise bad(f"Invalid update_mask path: {p!r}. Supported paths: labels, annotations.")
        with self.fake.lock:
            s = self.get_secret(project, sid)
            if body.get("etag") and body["etag"] != s["etag"]:
                raise ApiError(400, "FAILED_PRECONDITION", "The etag provided in the request does not match the current etag.")
            if "labels" in paths:
                s["labels"] = validate_labels(body.get("labels"))
            if "annotations" in paths:
                a = body.get("annotations") or {}
                if not isinstance(a, dict):
                    raise bad("Invalid JSON payload: annotations must be an object.")
                s["annotations"] = dict(a)
            s["etag"] = new_etag()
            out = self.render_secret(s)
        self.send(200, out)

    def delete_secret(self, project, sid, query):
        etag = query.get("etag", [""])[0]
        with self.fake.lock:
            s = self.get_secret(project, sid)
            if etag and etag != s["etag"]:
                raise ApiError(400, "FAILED_PRECONDITION", "The etag provided in the request does not match the current etag.")
            del self.fake.secrets[(s["project"], s["id"])]
        self.send(200, {})

    def add_version(self, project, sid, raw):
        body = self.json_body(raw)
        payload = body.get("payload")
        if not isinstance(payload, dict):
            raise bad("Secret Payload cannot be empty.")
        data_field = payload.get("data", "")
        if not isinstance(data_field, str):
            raise bad("Invalid JSON payload: payload.data must be a base64 string.")
        try:
            data = b64_decode_lenient(data_field)
        except (binascii.Error, ValueError):
            raise bad("Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed.")
        if len(data) > MAX_PAYLOAD:
            raise bad(f"Secret Payload cannot be larger than {MAX_PAYLOAD} bytes.")
        actual = crc32c(data)
        client_checksum = False
        if "dataCrc32c" in payload:
            given = payload["dataCrc32c"]
            try:
                given_int = int(given)
            except (TypeError, ValueError):
                raise bad(f"Invalid value at 'payload.data_crc32c' (TYPE_INT64), {json.dumps(given)}")
            if given_int != actual:
                raise bad("Checksum mismatch: the CRC32C of payload.data does not match payload.data_crc32c. "
                          "The data may have been corrupted in transit.")
            client_checksum = True
        with self.fake.lock:
            s = self.get_secret(project, sid)
            v = {
                "number": len(s["versions"]) + 1, "create_time": time.time(), "state": "ENABLED",
                "data": data, "crc32c": actual, "etag": new_etag(), "client_checksum": client_checksum,
                "destroy_time": None,
            }
            s["versions"].append(v)
            out = self.render_version(s, v)
        self.send(200, out)

    def access(self, project, sid, vid):
        with self.fake.lock:
            s, v = self.get_version(project, sid, vid)
            name = f"{self.secret_name(s)}/versions/{v['number']}"
            if v["state"] != "ENABLED":
                raise ApiError(400, "FAILED_PRECONDITION", f"{name} is in {v['state']} state.")
            out = {
                "name": name,
                "payload": {"data": base64.b64encode(v["data"]).decode(), "dataCrc32c": str(v["crc32c"])},
            }
        self.send(200, out)

    def set_state(self, project, sid, vid, verb, raw):
        body = self.json_body(raw)
        with self.fake.lock:
            s, v = self.get_version(project, sid, vid)
            if body.get("etag") and body["etag"] != v["etag"]:
                raise ApiError(400, "FAILED_PRECONDITION", "The etag provided in the request does not match the current etag.")
            if v["state"] == "DESTROYED":
                raise ApiError(400, "FAILED_PRECONDITION",
                               f"{self.secret_name(s)}/versions/{v['number']} is in DESTROYED state.")
            if verb == "destroy":
                v["state"], v["data"], v["destroy_time"] = "DESTROYED", b"", time.time()
            else:
                v["state"] = "ENABLED" if verb == "enable" else "DISABLED"
            v["etag"] = new_etag()
            out = self.render_version(s, v)
        self.send(200, out)

    # -- listing
    def page(self, items, keyfn, query, scope, filtered):
        raw_size = query.get("pageSize", ["0"])[0] or "0"
        try:
            size = int(raw_size)
        except ValueError:
            raise bad(f"Invalid value at 'page_size' (TYPE_INT32), \"{raw_size}\"")
        if size < 0:
            raise bad("page_size must not be negative.")
        size = MAX_PAGE_SIZE if size == 0 else min(size, MAX_PAGE_SIZE)
        token = query.get("pageToken", [""])[0]
        filt = query.get("filter", [""])[0]
        bind = hashlib.sha256(f"{scope}\0{filt}".encode()).hexdigest()[:16]
        start_after = None
        if token:
            try:
                doc = json.loads(b64url_decode(token))
                mac = hmac.new(self.fake.page_secret, json.dumps(doc["k"]).encode() + doc["b"].encode(),
                               "sha256").hexdigest()[:24]
                if not hmac.compare_digest(mac, doc["m"]) or doc["b"] != bind:
                    raise ValueError
                start_after = doc["k"]
            except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
                raise bad("Invalid page token.")
        if start_after is not None:
            items = [i for i in items if keyfn(i) > start_after]
        chunk, rest = items[:size], items[size:]
        nxt = None
        if rest:
            k = keyfn(chunk[-1])
            mac = hmac.new(self.fake.page_secret, json.dumps(k).encode() + bind.encode(), "sha256").hexdigest()[:24]
            nxt = base64.urlsafe_b64encode(json.dumps({"k": k, "b": bind, "m": mac}).encode()).decode().rstrip("=")
        return chunk, nxt

    def list_secrets(self, project, query):
        fake = self.fake
        pkey = fake.project_key(project)
        filt = query.get("filter", [""])[0]
        pred = FilterParser(filt, {
            "name": (lambda s: s["id"], "string"),
            "create_time": (lambda s: s["create_time"], "time"),
            "replication.automatic": (lambda s: "automatic" in s["replication"], "presence"),
            "replication.user_managed": (lambda s: "userManaged" in s["replication"], "presence"),
        }).parse()
        with fake.lock:
            everything = sorted((s for (p, _), s in fake.secrets.items() if p == pkey), key=lambda s: s["id"])
            matching = [s for s in everything if pred(s)]
            chunk, nxt = self.page(matching, lambda s: s["id"], query, pkey, bool(filt))
            out = {}
            if chunk:
                out["secrets"] = [self.render_secret(s) for s in chunk]
            if nxt:
                out["nextPageToken"] = nxt
            if not filt and everything:
                out["totalSize"] = len(everything)
        self.send(200, out)

    def list_versions(self, project, sid, query):
        filt = query.get("filter", [""])[0]
        pred = FilterParser(filt, {
            "name": (lambda v: str(v["number"]), "string"),
            "state": (lambda v: v["state"], "string"),
            "create_time": (lambda v: v["create_time"], "time"),
        }).parse()
        with self.fake.lock:
            s = self.get_secret(project, sid)
            everything = list(reversed(s["versions"]))  # newest first
            matching = [v for v in everything if pred(v)]
            chunk, nxt = self.page(matching, lambda v: -v["number"], query, self.secret_name(s), bool(filt))
            out = {}
            if chunk:
                out["versions"] = [self.render_version(s, v) for v in chunk]
            if nxt:
                out["nextPageToken"] = nxt
            if not filt and everything:
                out["totalSize"] = len(everything)
        self.send(200, out)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key-out", help="write the service-account JSON key here (mode 0600)")
    ap.add_argument("--project", default="ferry-test", help="the project id (default ferry-test)")
    ap.add_argument("--project-number", default="934711920384",
                    help="its number; responses name secrets projects/NUMBER/secrets/ID as Google does")
    args = ap.parse_args()
    fake = Fake(args.port, args.project, args.project_number, args.key_out)
    Handler.fake = fake
    server = Server(("127.0.0.1", args.port), Handler)
    print(f"gcp_secret_manager fake listening on http://127.0.0.1:{args.port} "
          f"(project {args.project} = {args.project_number}, account {fake.email})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
