#!/usr/bin/env python3
"""A fake Azure Key Vault (secrets data plane) plus a fake Microsoft Entra ID token service.

There is no Azure Key Vault emulator that runs here (shared/reference/test-backends.md §4),
so the tests use this fake.  It follows Microsoft's REST reference for the Key Vault secrets
operations and the identity platform's token protocols, and it is strict wherever the
official Python client (azure-keyvault-secrets 4.12.0 + azure-identity) needs it to be.  It
was written here: it shows what a client has to do, it is no evidence of what the real
service does beyond that.  Standard library only; HTTPS only; one thread per connection.

    python3 azure_keyvault.py --cert CERT.pem --key KEY.pem [--port 45700]
        [--identity-port PORT+1] [--tenant T] [--client-id I] [--client-secret S]
        [--identity-header H] [--managed-identity-client-id M] [--page-size N]
        [--token-lifetime SECONDS] [--ready-file FILE]

Two HTTPS listeners on 127.0.0.1 (the same certificate):

* vault, https://127.0.0.1:PORT  — the Key Vault data plane (`api-version` required;
  accepted: 2016-10-01, 7.0-7.6, 2025-07-01, 2026-04-01):
    PUT    /secrets/{name}                         Set Secret  {"value", "contentType", "tags", "attributes"}
    GET    /secrets/{name}/ and /secrets/{name}    Get Secret (latest version)
    GET    /secrets/{name}/{version}               Get Secret (that version)
    PATCH  /secrets/{name}/{version}  (or "/")     Update Secret {"contentType", "tags", "attributes": {"enabled", "nbf", "exp"}}
    GET    /secrets[?maxresults=N]                 Get Secrets (SecretItem of each latest version; nextLink paging)
    GET    /secrets/{name}/versions[?maxresults]   Get Secret Versions (creation order; nextLink paging)
    DELETE /secrets/{name}                         Delete Secret (soft delete -> DeletedSecretBundle)
    GET    /deletedsecrets[?maxresults]            Get Deleted Secrets
    GET    /deletedsecrets/{name}                  Get Deleted Secret
    DELETE /deletedsecrets/{name}                  Purge Deleted Secret -> 204
    POST   /deletedsecrets/{name}/recover          Recover Deleted Secret -> SecretBundle
  Without `Authorization: Bearer <token>` the answer is 401 with
  `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="https://vault.azure.net"`.
  The token must be one the identity listener issued, for the audience
  https://vault.azure.net (with or without a trailing slash), and not expired; otherwise 401
  with the same challenge.  Names must match ^[0-9a-zA-Z-]{1,127}$ (else 400 BadParameter)
  and are case-insensitive (the first spelling is kept).  Errors are
  {"error": {"code", "message"[, "innererror"]}}.

  Test hooks (no auth, no api-version), also on the vault listener:
    GET  /fake/health                      {"status": "ok", ...}
    POST /fake/reset                       drop all secrets, deleted secrets, pending operations,
                                           throttling and the request log; the configuration goes
                                           back to the start-up values (issued tokens stay valid)
    POST /fake/throttle   {"count": N, "retry_after": 1, "target": "vault"|"identity"}
                                           the next N requests to that listener answer 429
                                           with Retry-After (not /fake/ requests)
    POST /fake/config     {"page_size": N, "delete_delay": s, "recover_delay": s,
                           "purge_delay": s, "token_lifetime": s, "empty_first_page": bool}
                                           GET /fake/config shows the current values
    POST /fake/expire-tokens               every token issued so far is expired from now on
    GET  /fake/requests                    the request log (method, path, query, headers, body;
                                           bearer tokens and client secrets are masked);
                                           DELETE /fake/requests clears it
    GET  /fake/state                       every secret with all its versions, in write order
                                           (name, versions[{version, value, contentType, tags,
                                           enabled, created, updated}], deleted)

* identity, https://127.0.0.1:IDENTITY_PORT — the Entra ID authority and managed identity:
    POST /{tenant}/oauth2/v2.0/token       client credentials (form: client_id, client_secret,
                                           scope=<resource>/.default, grant_type=client_credentials)
                                           -> {"token_type": "Bearer", "expires_in", "ext_expires_in", "access_token"}
    GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID discovery (msal reads it)
    GET  /common/discovery/instance        instance discovery (only used if a client is told to)
    GET  /msi/token?resource=R&api-version=2019-08-01   App Service / Functions managed identity
                                           (header X-IDENTITY-HEADER) -> {"access_token", "expires_on",
                                           "resource", "token_type", "client_id"}
    GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R   IMDS style
                                           (header Metadata: true) -> {"access_token", "client_id",
                                           "expires_in", "expires_on", "ext_expires_in", "not_before",
                                           "resource", "token_type"} (numbers as strings, as IMDS does)

Timing: deletes, purges and recovers take effect at once unless a *_delay is configured;
then the operation's effect appears after that many seconds (what Key Vault's pollers wait
for).  Deleted secrets get scheduledPurgeDate = deletedDate + 90 days; nothing is ever
purged automatically.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets as pysecrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

VAULT_RESOURCE = "https://vault.azure.net"
API_VERSIONS = {
    "2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01",
}
NAME_RE = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
RECOVERY_LEVEL = "Recoverable+Purgeable"
RECOVERABLE_DAYS = 90
MAX_TAGS = 15
MAX_TAG_NAME = 512
MAX_TAG_VALUE = 256
MAX_VALUE_BYTES = 25 * 1024
MAX_PAGE = 25
REQUEST_LOG_CAP = 20000
EMPTY_MARKER = "\u0000empty"
NOT_FOUND_HINT = (
    " If you recently deleted this secret you may be able to recover it using the correct "
    "recovery command. For help resolving this issue, please see "
    "https://go.microsoft.com/fwlink/?linkid=2125182"
)


class ApiError(Exception):
    """An error answer: status, Key Vault error code, message, optional inner code."""

    def __init__(self, status: int, code: str, message: str, inner: Optional[str] = None,
                 headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.inner = status, code, message, inner
        self.headers = headers or {}

    def body(self) -> Dict[str, Any]:
        err: Dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner:
            err["innererror"] = {"code": self.inner}
        return {"error": err}


class Version:
    def __init__(self, value: str, content_type: Optional[str], tags: Optional[Dict[str, str]],
                 attributes: Dict[str, Any], now: int) -> None:
        self.id = uuid.uuid4().hex
        self.value = value
        self.content_type = content_type
        self.tags = tags
        self.enabled = bool(attributes.get("enabled", True))
        self.nbf = attributes.get("nbf")
        self.exp = attributes.get("exp")
        self.created = now
        self.updated = now

    def attributes(self) -> Dict[str, Any]:
        a: Dict[str, Any] = {"enabled": self.enabled}
        if self.nbf is not None:
            a["nbf"] = self.nbf
        if self.exp is not None:
            a["exp"] = self.exp
        a.update({"created": self.created, "updated": self.updated,
                  "recoveryLevel": RECOVERY_LEVEL, "recoverableDays": RECOVERABLE_DAYS})
        return a


class Secret:
    def __init__(self, name: str) -> None:
        self.name = name
        self.versions: List[Version] = []
        # Soft-delete state: None (active), or {"deletedDate", "scheduledPurgeDate",
        # "visible_at"} while deleted (visible in /deletedsecrets from visible_at on).
        self.deleted: Optional[Dict[str, float]] = None
        # While recovering: the time the secret becomes readable again.
        self.recover_at: Optional[float] = None
        # While purging: the time the name becomes free.
        self.purge_at: Optional[float] = None

    @property
    def latest(self) -> Version:
        return self.versions[-1]


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.lock = threading.RLock()
        self.args = args
        self.tenant = args.tenant
        self.client_id = args.client_id
        self.client_secret = args.client_secret
        self.identity_header = args.identity_header
        self.mi_client_id = args.managed_identity_client_id
        self.signing_key = pysecrets.token_bytes(32)
        self.tokens: Dict[str, Dict[str, Any]] = {}
        self.vault_url = ""
        self.authority = ""
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.secrets: Dict[str, Secret] = {}
            self.throttle = {"vault": [0, 1], "identity": [0, 1]}
            self.requests: List[Dict[str, Any]] = []
            self.config = {
                "page_size": self.args.page_size,
                "delete_delay": 0.0,
                "recover_delay": 0.0,
                "purge_delay": 0.0,
                "token_lifetime": self.args.token_lifetime,
                "empty_first_page": False,
            }

    # -- tokens -------------------------------------------------------------------------

    def issue_token(self, audience: str, subject: str, kind: str) -> Tuple[str, int]:
        """A JWT-shaped token (HS256 with a per-process key); returns (token, expires_on)."""
        now = int(time.time())
        lifetime = int(self.config["token_lifetime"])
        exp = now + lifetime
        header = {"typ": "JWT", "alg": "HS256"}
        claims = {
            "aud": audience, "iss": f"https://sts.windows.net/{self.tenant}/", "iat": now,
            "nbf": now, "exp": exp, "tid": self.tenant, "appid": subject, "oid": subject,
            "sub": subject, "idtyp": "app", "ver": "1.0", "jti": uuid.uuid4().hex,
            "xms_fake": kind,
        }

        def seg(obj: Dict[str, Any]) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        signing_input = f"{seg(header)}.{seg(claims)}"
        sig = hmac.new(self.signing_key, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"
        with self.lock:
            self.tokens[token] = {"aud": audience, "exp": exp, "kind": kind, "sub": subject}
        return token, exp

    def check_token(self, authorization: Optional[str]) -> None:
        challenge = (f'Bearer authorization="{self.authority}/{self.tenant}", '
                     f'resource="{VAULT_RESOURCE}"')
        hdrs = {"WWW-Authenticate": challenge}
        if not authorization or not authorization.startswith("Bearer "):
            raise ApiError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                           headers=hdrs)
        token = authorization[len("Bearer "):].strip()
        with self.lock:
            info = self.tokens.get(token)
        if info is None:
            raise ApiError(401, "Unauthorized",
                           "(fake) The access token was not issued by this tenant's token service.",
                           headers=hdrs)
        if info["aud"].rstrip("/") != VAULT_RESOURCE:
            raise ApiError(401, "Unauthorized",
                           f"(fake) Invalid audience: the token is for {info['aud']!r}, "
                           f"not {VAULT_RESOURCE!r}.", headers=hdrs)
        if time.time() >= info["exp"]:
            raise ApiError(401, "Unauthorized", "(fake) The access token is expired.", headers=hdrs)

    # -- time-driven transitions -----------------------------------------------------------

    def settle(self) -> None:
        """Applies delayed deletes, recovers and purges whose time has come."""
        now = time.time()
        with self.lock:
            for key in list(self.secrets):
                s = self.secrets[key]
                if s.purge_at is not None and now >= s.purge_at:
                    del self.secrets[key]
                    continue
                if s.recover_at is not None and now >= s.recover_at:
                    s.recover_at = None

    def active(self, name: str) -> Secret:
        """The active (not deleted, not being recovered) secret NAME, or 404."""
        s = self.secrets.get(name.lower())
        if s is None or s.deleted is not None or s.purge_at is not None or s.recover_at is not None:
            raise ApiError(404, "SecretNotFound",
                           f"A secret with (name/id) {name} was not found in this key vault."
                           + NOT_FOUND_HINT)
        return s

    def deleted_secret(self, name: str) -> Secret:
        s = self.secrets.get(name.lower())
        if (s is None or s.deleted is None or s.purge_at is not None
                or time.time() < s.deleted["visible_at"]):
            raise ApiError(404, "SecretNotFound", "Deleted Secret not found")
        return s


def _err_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise ApiError(400, "BadParameter", f"The request URI contains an invalid name: {name}")


class Pages:
    """Encodes a list position as an opaque, URL-safe $skiptoken."""

    @staticmethod
    def encode(marker: str) -> str:
        raw = json.dumps({"NextMarker": marker, "TargetLocation": 0}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=").replace("-", "A-").replace("_", "B-")

    @staticmethod
    def decode(token: str) -> str:
        try:
            raw = token.replace("B-", "_").replace("A-", "-")
            raw += "=" * (-len(raw) % 4)
            return json.loads(base64.urlsafe_b64decode(raw))["NextMarker"]
        except Exception:  # noqa: BLE001
            raise ApiError(400, "BadParameter", "The $skiptoken parameter is invalid.") from None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeKeyVault/1.0"
    sys_version = ""
    state: State
    role: str  # "vault" or "identity"

    # -- plumbing --------------------------------------------------------------------------

    def version_string(self) -> str:
        return "FakeKeyVault/1.0"

    def log_message(self, fmt: str, *args: Any) -> None:  # noqa: A003
        sys.stderr.write(f"[{self.role}] {self.address_string()} {fmt % args}\n")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None,
              raw: Optional[bytes] = None) -> None:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"))
        self.send_response(status)
        if data or body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _record(self, path: str, query: Dict[str, List[str]], body: bytes) -> None:
        hdrs = {}
        for k, v in self.headers.items():
            lk = k.lower()
            if lk == "authorization":
                v = v.split(" ", 1)[0] + " <token>" if " " in v else "<masked>"
            elif lk == "x-identity-header":
                v = "<masked>"
            hdrs[k] = v
        shown: Any = None
        if body:
            text = body.decode("utf-8", "replace")
            ctype = self.headers.get("Content-Type", "")
            if "application/x-www-form-urlencoded" in ctype:
                form = urllib.parse.parse_qs(text, keep_blank_values=True)
                shown = {k: ("<masked>" if k in ("client_secret", "client_assertion") else v[0] if len(v) == 1 else v)
                         for k, v in form.items()}
            else:
                try:
                    shown = json.loads(text)
                except ValueError:
                    shown = text
        entry = {"t": round(time.time(), 3), "listener": self.role, "method": self.command,
                 "path": path, "query": {k: v[0] if len(v) == 1 else v for k, v in query.items()},
                 "headers": hdrs, "body": shown}
        with self.state.lock:
            self.state.requests.append(entry)
            if len(self.state.requests) > REQUEST_LOG_CAP:
                del self.state.requests[: len(self.state.requests) - REQUEST_LOG_CAP]

    def _dispatch(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        body = self._read_body()
        st = self.state
        try:
            if path.startswith("/fake/") and self.role == "vault":
                self._fake(path, query, body)
                return
            self._record(path, query, body)
            with st.lock:
                left, retry_after = st.throttle[self.role]
                if left > 0:
                    st.throttle[self.role][0] = left - 1
                    raise ApiError(429, "Throttled",
                                   "Request was not processed because too many requests were received. "
                                   "(fake throttling)", headers={"Retry-After": str(retry_after)})
            if self.role == "vault":
                self._vault(path, query, body)
            else:
                self._identity(path, query, body)
        except ApiError as e:
            self._send(e.status, e.body(), e.headers)
        except IdentityError as e:
            self._send(e.status, e.body, e.headers)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            self._send(500, {"error": {"code": "InternalServerError", "message": f"(fake) {type(e).__name__}: {e}"}})

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _dispatch  # noqa: E731

    # -- /fake hooks -------------------------------------------------------------------------

    def _fake(self, path: str, query: Dict[str, List[str]], body: bytes) -> None:
        st = self.state
        m = self.command
        doc: Dict[str, Any] = {}
        if body:
            try:
                doc = json.loads(body)
            except ValueError:
                raise ApiError(400, "BadParameter", "(fake) the body must be JSON") from None
        if path == "/fake/health" and m == "GET":
            self._send(200, {"status": "ok", "vault_url": st.vault_url, "authority": st.authority,
                             "tenant": st.tenant})
        elif path == "/fake/reset" and m == "POST":
            st.reset()
            self._send(200, {"status": "reset"})
        elif path == "/fake/throttle" and m == "POST":
            target = doc.get("target", "vault")
            if target not in ("vault", "identity"):
                raise ApiError(400, "BadParameter", "(fake) target must be vault or identity")
            with st.lock:
                st.throttle[target] = [int(doc.get("count", 1)), int(doc.get("retry_after", 1))]
            self._send(200, {"target": target, "count": st.throttle[target][0],
                             "retry_after": st.throttle[target][1]})
        elif path == "/fake/config" and m in ("GET", "POST"):
            with st.lock:
                for k, v in doc.items():
                    if k not in st.config:
                        raise ApiError(400, "BadParameter", f"(fake) unknown setting {k!r}")
                    if k == "page_size":
                        v = int(v)
                        if not 1 <= v <= MAX_PAGE:
                            raise ApiError(400, "BadParameter", "(fake) page_size must be 1..25")
                    elif k == "empty_first_page":
                        v = bool(v)
                    else:
                        v = float(v)
                    st.config[k] = v
                self._send(200, dict(st.config))
        elif path == "/fake/expire-tokens" and m == "POST":
            with st.lock:
                for info in st.tokens.values():
                    info["exp"] = 0
                n = len(st.tokens)
            self._send(200, {"expired": n})
        elif path == "/fake/requests" and m == "GET":
            with st.lock:
                self._send(200, list(st.requests))
        elif path == "/fake/requests" and m == "DELETE":
            with st.lock:
                st.requests.clear()
            self._send(204)
        elif path == "/fake/state" and m == "GET":
            st.settle()
            with st.lock:
                out = []
                for s in st.secrets.values():
                    out.append({
                        "name": s.name,
                        "deleted": s.deleted is not None,
                        "versions": [{"version": v.id, "value": v.value, "contentType": v.content_type,
                                      "tags": v.tags, "enabled": v.enabled, "created": v.created,
                                      "updated": v.updated} for v in s.versions],
                    })
            self._send(200, out)
        else:
            raise ApiError(404, "NotFound", f"(fake) no hook {m} {path}")

    # -- vault data plane ------------------------------------------------------------------------

    def _bundle(self, s: Secret, v: Version, with_value: bool = True) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if with_value:
            out["value"] = v.value
        if v.content_type is not None:
            out["contentType"] = v.content_type
        out["id"] = f"{self.state.vault_url}/secrets/{s.name}/{v.id}"
        out["attributes"] = v.attributes()
        if v.tags is not None:
            out["tags"] = v.tags
        return out

    def _item(self, s: Secret, v: Version, versioned: bool) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "id": f"{self.state.vault_url}/secrets/{s.name}" + (f"/{v.id}" if versioned else ""),
            "attributes": v.attributes(),
        }
        if v.content_type is not None:
            out["contentType"] = v.content_type
        if v.tags is not None:
            out["tags"] = v.tags
        return out

    def _deleted_extra(self, s: Secret) -> Dict[str, Any]:
        assert s.deleted is not None
        return {"recoveryId": f"{self.state.vault_url}/deletedsecrets/{s.name}",
                "scheduledPurgeDate": int(s.deleted["scheduledPurgeDate"]),
                "deletedDate": int(s.deleted["deletedDate"])}

    def _page(self, path: str, api_version: str, query: Dict[str, List[str]],
              entries: List[Tuple[str, Dict[str, Any]]]) -> None:
        """Answers one page of ENTRIES ([(marker, item)], sorted by marker) with a nextLink."""
        st = self.state
        maxresults = MAX_PAGE
        if "maxresults" in query:
            try:
                maxresults = int(query["maxresults"][0])
            except ValueError:
                maxresults = 0
            if not 1 <= maxresults <= MAX_PAGE:
                raise ApiError(400, "BadParameter",
                               f"invalid maxresults: {query['maxresults'][0]}. The value must be between 1 and 25.")
        size = min(maxresults, int(st.config["page_size"]))
        skip = query.get("$skiptoken", [None])[0]
        if not skip and st.config["empty_first_page"] and entries:
            # Key Vault may answer a page with no items and a nextLink: clients must follow it.
            return self._send_page(path, api_version, query, [], EMPTY_MARKER)
        if skip:
            marker = Pages.decode(skip)
            rest = entries if marker == EMPTY_MARKER else [e for e in entries if e[0] > marker]
        else:
            rest = entries
        page = rest[:size]
        next_marker = page[-1][0] if len(rest) > size else None
        self._send_page(path, api_version, query, [e[1] for e in page], next_marker)

    def _send_page(self, path: str, api_version: str, query: Dict[str, List[str]],
                   items: List[Dict[str, Any]], next_marker: Optional[str]) -> None:
        next_link = None
        if next_marker is not None:
            q = [("api-version", api_version), ("$skiptoken", Pages.encode(next_marker))]
            if "maxresults" in query:
                q.append(("maxresults", query["maxresults"][0]))
            next_link = f"{self.state.vault_url}{path}?" + urllib.parse.urlencode(q, safe="$")
        self._send(200, {"value": items, "nextLink": next_link})

    def _vault(self, path: str, query: Dict[str, List[str]], body: bytes) -> None:
        st = self.state
        st.check_token(self.headers.get("Authorization"))
        versions = query.get("api-version")
        if not versions or not versions[0]:
            raise ApiError(400, "BadParameter", "The 'api-version' query parameter is missing.")
        api_version = versions[0]
        if api_version not in API_VERSIONS:
            raise ApiError(400, "BadParameter",
                           f"The specified version ({api_version}) is not recognized. "
                           f"Consider using the latest supported version (2026-04-01).")
        st.settle()
        m = self.command
        parts = path.split("/")[1:]  # "/secrets/a/" -> ["secrets", "a", ""]
        doc: Dict[str, Any] = {}
        if body:
            try:
                doc = json.loads(body)
            except ValueError:
                raise ApiError(400, "BadParameter", "The request body is not valid JSON.") from None
            if not isinstance(doc, dict):
                raise ApiError(400, "BadParameter", "The request body must be a JSON object.")
        with st.lock:
            if parts == ["secrets"] and m == "GET":
                entries = sorted(
                    (s.name.lower(), self._item(s, s.latest, versioned=False))
                    for s in st.secrets.values()
                    if s.deleted is None and s.purge_at is None and s.recover_at is None)
                return self._page(path, api_version, query, entries)
            if parts == ["deletedsecrets"] and m == "GET":
                now = time.time()
                entries = []
                for s in st.secrets.values():
                    if s.deleted is not None and s.purge_at is None and now >= s.deleted["visible_at"]:
                        item = self._item(s, s.latest, versioned=False)
                        item.update(self._deleted_extra(s))
                        item["id"] = f"{st.vault_url}/secrets/{s.name}"
                        entries.append((s.name.lower(), item))
                entries.sort(key=lambda e: e[0])
                return self._page(path, api_version, query, entries)
            if len(parts) >= 2 and parts[0] == "secrets":
                name = parts[1]
                _err_name(name)
                rest = parts[2:]
                if m == "PUT" and rest in ([], [""]):
                    return self._set(name, doc)
                if m == "DELETE" and rest in ([], [""]):
                    return self._delete(name)
                if rest == ["versions"] and m == "GET":
                    s = st.active(name)
                    entries = [(f"{i:08d}", self._item(s, v, versioned=True)) for i, v in enumerate(s.versions)]
                    return self._page(path, api_version, query, entries)
                if m == "GET" and len(rest) <= 1:
                    return self._get(name, rest[0] if rest else "")
                if m == "PATCH" and len(rest) <= 1:
                    return self._update(name, rest[0] if rest else "", doc)
            if len(parts) >= 2 and parts[0] == "deletedsecrets":
                name = parts[1]
                _err_name(name)
                rest = parts[2:]
                if m == "GET" and rest in ([], [""]):
                    s = st.deleted_secret(name)
                    out = self._bundle(s, s.latest, with_value=False)
                    out["id"] = f"{st.vault_url}/secrets/{s.name}/{s.latest.id}"
                    out.update(self._deleted_extra(s))
                    return self._send(200, out)
                if m == "DELETE" and rest in ([], [""]):
                    s = st.deleted_secret(name)
                    delay = float(st.config["purge_delay"])
                    if delay > 0:
                        s.purge_at = time.time() + delay
                    else:
                        del st.secrets[name.lower()]
                    return self._send(204)
                if m == "POST" and rest == ["recover"]:
                    s = st.deleted_secret(name)
                    s.deleted = None
                    delay = float(st.config["recover_delay"])
                    s.recover_at = time.time() + delay if delay > 0 else None
                    return self._send(200, self._bundle(s, s.latest, with_value=False))
        raise ApiError(400, "BadParameter" if m in ("GET", "PUT", "PATCH", "DELETE", "POST") else "MethodNotAllowed",
                       f"(fake) unsupported operation {m} {path}")

    def _set(self, name: str, doc: Dict[str, Any]) -> None:
        st = self.state
        if "value" not in doc or not isinstance(doc["value"], str):
            raise ApiError(400, "BadParameter",
                           "Property value is required and must be a string." if "value" not in doc
                           else "(fake) Property value must be a JSON string.")
        value = doc["value"]
        if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
            raise ApiError(400, "BadParameter", "Secret value exceeds the maximum size of 25 KB.")
        tags = self._check_tags(doc.get("tags"))
        ctype = doc.get("contentType")
        if ctype is not None and not isinstance(ctype, str):
            raise ApiError(400, "BadParameter", "(fake) contentType must be a string.")
        attributes = doc.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise ApiError(400, "BadParameter", "(fake) attributes must be an object.")
        s = st.secrets.get(name.lower())
        if s is not None and s.deleted is not None:
            raise ApiError(409, "Conflict",
                           f"Secret {s.name} is currently in a deleted but recoverable state, and its name "
                           f"cannot be reused; in this state, the secret can only be recovered or purged.",
                           inner="ObjectIsDeletedButRecoverable")
        if s is not None and (s.purge_at is not None or s.recover_at is not None):
            raise ApiError(409, "Conflict", f"Secret {s.name} is currently being deleted.",
                           inner="ObjectIsBeingDeleted")
        if s is None:
            s = Secret(name)
            st.secrets[name.lower()] = s
        v = Version(value, ctype, tags, attributes, int(time.time()))
        s.versions.append(v)
        self._send(200, self._bundle(s, v))

    @staticmethod
    def _check_tags(tags: Any) -> Optional[Dict[str, str]]:
        if tags is None:
            return None
        if not isinstance(tags, dict):
            raise ApiError(400, "BadParameter", "(fake) tags must be an object.")
        if len(tags) > MAX_TAGS:
            raise ApiError(400, "BadParameter", f"The number of tags exceeds the maximum of {MAX_TAGS}.")
        for k, v in tags.items():
            if not isinstance(v, str):
                raise ApiError(400, "BadParameter", f"(fake) tag {k!r} must have a string value.")
            if len(k) > MAX_TAG_NAME or len(v) > MAX_TAG_VALUE:
                raise ApiError(400, "BadParameter",
                               f"Tag name or value too long (limits: name {MAX_TAG_NAME}, value {MAX_TAG_VALUE} characters).")
        return dict(tags)

    def _version(self, s: Secret, name: str, version: str) -> Version:
        if not version:
            return s.latest
        for v in s.versions:
            if v.id == version.lower():
                return v
        raise ApiError(404, "SecretNotFound",
                       f"A secret with (name/id) {name}/{version} was not found in this key vault."
                       + NOT_FOUND_HINT)

    def _get(self, name: str, version: str) -> None:
        s = self.state.active(name)
        v = self._version(s, name, version)
        if not v.enabled:
            raise ApiError(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                           inner="SecretDisabled")
        self._send(200, self._bundle(s, v))

    def _update(self, name: str, version: str, doc: Dict[str, Any]) -> None:
        s = self.state.active(name)
        v = self._version(s, name, version)
        if "value" in doc:
            raise ApiError(400, "BadParameter", "(fake) Update Secret cannot change the value.")
        if "tags" in doc:
            v.tags = self._check_tags(doc["tags"])
        if "contentType" in doc:
            v.content_type = doc["contentType"]
        attributes = doc.get("attributes") or {}
        if "enabled" in attributes and attributes["enabled"] is not None:
            v.enabled = bool(attributes["enabled"])
        for k in ("nbf", "exp"):
            if k in attributes:
                setattr(v, k, attributes[k])
        v.updated = int(time.time())
        self._send(200, self._bundle(s, v, with_value=False))

    def _delete(self, name: str) -> None:
        st = self.state
        s = st.active(name)
        now = time.time()
        s.deleted = {"deletedDate": int(now), "scheduledPurgeDate": int(now) + RECOVERABLE_DAYS * 86400,
                     "visible_at": now + float(st.config["delete_delay"])}
        out = self._bundle(s, s.latest, with_value=False)
        out.update(self._deleted_extra(s))
        self._send(200, out)

    # -- identity ---------------------------------------------------------------------------------

    def _identity(self, path: str, query: Dict[str, List[str]], body: bytes) -> None:
        st = self.state
        m = self.command
        parts = path.split("/")[1:]
        q1 = {k: v[0] for k, v in query.items()}
        if m == "POST" and len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._client_credentials(parts[0], body)
        if m == "GET" and len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            tenant = parts[0]
            self._check_tenant(tenant)
            base = f"{st.authority}/{tenant}"
            return self._send(200, {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "jwks_uri": f"{st.authority}/{tenant}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{st.authority}/oidc/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid"],
                "kerberos_endpoint": f"{base}/kerberos",
                "tenant_region_scope": None,
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
                "rbac_url": "https://pas.windows.net",
            })
        if m == "GET" and parts == ["common", "discovery", "instance"]:
            auth_ep = q1.get("authorization_endpoint", f"{st.authority}/{st.tenant}/oauth2/v2.0/authorize")
            tenant = urllib.parse.urlsplit(auth_ep).path.split("/")[1] if auth_ep else st.tenant
            host = urllib.parse.urlsplit(st.authority).netloc
            return self._send(200, {
                "tenant_discovery_endpoint": f"{st.authority}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            })
        if m == "GET" and path.rstrip("/") == "/msi/token":
            return self._app_service(q1)
        if m == "GET" and path == "/metadata/identity/oauth2/token":
            return self._imds(q1)
        raise IdentityError(404, {"error": "not_found", "error_description": f"(fake) no endpoint {m} {path}"})

    def _check_tenant(self, tenant: str) -> None:
        if tenant != self.state.tenant:
            raise IdentityError(400, aad_error(
                "invalid_request", 90002,
                f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                f"and are signing into the correct cloud."))

    def _client_credentials(self, tenant: str, body: bytes) -> None:
        st = self.state
        self._check_tenant(tenant)
        ctype = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" not in ctype:
            raise IdentityError(400, aad_error("invalid_request", 900144,
                                               "AADSTS900144: The request body must contain the following parameter: 'grant_type'."))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if not grant:
            raise IdentityError(400, aad_error("invalid_request", 900144,
                                               "AADSTS900144: The request body must contain the following parameter: 'grant_type'."))
        if grant != "client_credentials":
            raise IdentityError(400, aad_error("unsupported_grant_type", 70003,
                                               f"AADSTS70003: The app requested an unsupported grant type '{grant}'."))
        client_id = form.get("client_id", "")
        if client_id != st.client_id:
            raise IdentityError(400, aad_error(
                "unauthorized_client", 700016,
                f"AADSTS700016: Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant}'. This can happen if the application has not been installed by the administrator "
                f"of the tenant or consented to by any user in the tenant. You may have sent your "
                f"authentication request to the wrong tenant."))
        secret = form.get("client_secret")
        if not secret or not hmac.compare_digest(secret.encode(), st.client_secret.encode()):
            raise IdentityError(401, aad_error(
                "invalid_client", 7000215,
                f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request "
                f"is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."))
        scope = form.get("scope", "")
        scopes = scope.split()
        resources = [s[: -len("/.default")] for s in scopes if s.endswith("/.default")]
        if len(resources) != 1:
            raise IdentityError(400, aad_error(
                "invalid_scope", 1002012,
                f"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows "
                f"must have a scope value with /.default suffixed to the resource identifier "
                f"(application ID URI)."))
        token, exp = st.issue_token(resources[0], client_id, "client_credentials")
        lifetime = exp - int(time.time())
        self._send(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                         "access_token": token})

    def _app_service(self, q: Dict[str, str]) -> None:
        st = self.state
        header = self.headers.get("X-IDENTITY-HEADER")
        if header is None:
            raise IdentityError(400, {"statusCode": 400, "message": "(fake) The X-IDENTITY-HEADER header is missing."})
        if not hmac.compare_digest(header.encode(), st.identity_header.encode()):
            raise IdentityError(401, {"statusCode": 401, "message": "(fake) X-IDENTITY-HEADER does not match."})
        if q.get("api-version") != "2019-08-01":
            raise IdentityError(400, {"statusCode": 400,
                                      "message": f"(fake) api-version must be 2019-08-01, got {q.get('api-version')!r}."})
        resource = q.get("resource")
        if not resource:
            raise IdentityError(400, {"statusCode": 400, "message": "(fake) The resource parameter is missing."})
        cid = q.get("client_id") or st.mi_client_id
        if cid != st.mi_client_id:
            raise IdentityError(400, {"statusCode": 400, "message": f"(fake) No managed identity with client_id {cid}."})
        token, exp = st.issue_token(resource, cid, "app_service")
        self._send(200, {"access_token": token, "expires_on": str(exp), "resource": resource,
                         "token_type": "Bearer", "client_id": cid})

    def _imds(self, q: Dict[str, str]) -> None:
        st = self.state
        if (self.headers.get("Metadata") or "").lower() != "true":
            raise IdentityError(400, {"error": "invalid_request",
                                      "error_description": "Required metadata header not specified"})
        if not q.get("api-version"):
            raise IdentityError(400, {"error": "invalid_request",
                                      "error_description": "Required api-version parameter not specified"})
        resource = q.get("resource")
        if not resource:
            raise IdentityError(400, {"error": "invalid_request",
                                      "error_description": "Required audience parameter not specified"})
        cid = q.get("client_id") or st.mi_client_id
        if cid != st.mi_client_id:
            raise IdentityError(400, {"error": "invalid_request",
                                      "error_description": "Identity not found"})
        token, exp = st.issue_token(resource, cid, "imds")
        now = int(time.time())
        self._send(200, {"access_token": token, "client_id": cid, "expires_in": str(exp - now),
                         "expires_on": str(exp), "ext_expires_in": str(exp - now), "not_before": str(now),
                         "resource": resource, "token_type": "Bearer"})


class IdentityError(Exception):
    def __init__(self, status: int, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(str(body))
        self.status, self.body, self.headers = status, body, headers or {}


def aad_error(error: str, code: int, description: str) -> Dict[str, Any]:
    trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
    ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return {
        "error": error,
        "error_description": f"{description}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}",
        "error_codes": [code],
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": corr,
        "error_uri": f"{'https://login.microsoftonline.com'}/error?code={code}",
    }


def make_server(role: str, port: int, state: State, context: ssl.SSLContext) -> ThreadingHTTPServer:
    handler = type(f"{role.title()}Handler", (Handler,), {"state": state, "role": role})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def main() -> int:
    p = argparse.ArgumentParser(description="Fake Azure Key Vault (secrets) + Entra ID token service, HTTPS.")
    p.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--port", type=int, default=45700, help="vault port (default 45700)")
    p.add_argument("--identity-port", type=int, help="identity port (default PORT+1)")
    p.add_argument("--tenant", default="00000000-0000-4000-8000-0000000000f1")
    p.add_argument("--client-id", default="00000000-0000-4000-8000-0000000000c1")
    p.add_argument("--client-secret", default="fake-client-secret")
    p.add_argument("--identity-header", default="fake-identity-header")
    p.add_argument("--managed-identity-client-id", default="00000000-0000-4000-8000-0000000000e1")
    p.add_argument("--page-size", type=int, default=int(os.environ.get("FAKE_AZURE_PAGE_SIZE", MAX_PAGE)),
                   help="server-side page size cap, 1..25 (default $FAKE_AZURE_PAGE_SIZE or 25)")
    p.add_argument("--token-lifetime", type=float, default=3599, help="seconds (default 3599)")
    p.add_argument("--ready-file", help="write {vault_url, authority} JSON here once listening")
    args = p.parse_args()
    if not 1 <= args.page_size <= MAX_PAGE:
        p.error("--page-size must be 1..25")
    identity_port = args.identity_port or args.port + 1

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)

    state = State(args)
    state.vault_url = f"https://127.0.0.1:{args.port}"
    state.authority = f"https://127.0.0.1:{identity_port}"
    vault = make_server("vault", args.port, state, context)
    identity = make_server("identity", identity_port, state, context)
    t = threading.Thread(target=identity.serve_forever, daemon=True)
    t.start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"vault_url": state.vault_url, "authority": state.authority, "pid": os.getpid()}, f)
        os.replace(tmp, args.ready_file)
    sys.stderr.write(f"fake Key Vault at {state.vault_url}, Entra ID authority at {state.authority}, "
                     f"tenant {state.tenant}\n")
    sys.stderr.flush()
    try:
        vault.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
