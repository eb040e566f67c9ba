#!/usr/bin/env python3
"""Read a GCP secrets manager's secrets with ZenML 0.52.0's own GCPSecretsManager.

    /path/to/zenml052-venv/bin/python LegacyFixtures/tools/zenml_gcp_read.py \
        --endpoint http://127.0.0.1:45690 [--project ferry-fixtures] [--token TOKEN] \
        --component '{"id": "<uuid>", "name": "ferry_gcp_global", "scope": "global",
                      "namespace": null, "project_id": "ferry-fixtures"}'

    -> {"<secret name>": {"schema": "<TYPE>", "values": {"<key>": "<value>"}}, ...}

`--component` is one entry of LegacyFixtures/gcp/zenml-0.52.0/components.json (a JSON
object; `namespace` may be omitted or null).  The GCP project is --project, else the
component's `project_id`.  The secrets are those of `get_all_secret_keys()`, in that
order, each read with `get_secret(name)`; values are `str()` of what `.content` returns.

The manager is built directly as `GCPSecretsManager(config=GCPSecretsManagerConfig(
project_id, scope, namespace), id=<id>, name=<name>, ...)`; no ZenML database is used.
ZENML_CONFIG_PATH is pointed at a throw-away temp directory.

How ZenML's client is pointed at --endpoint (everything in `_RestClientFactory`):
ZenML creates its client itself, in `GCPSecretsManager._ensure_client_connected`, as
`secretmanager.SecretManagerServiceClient()` (Application Default Credentials, gRPC to
secretmanager.googleapis.com) and caches it in the class attribute
`GCPSecretsManager.CLIENT`.  The test servers (drongo, Ferry's fake) speak only plain-HTTP
REST and want no Google credentials, so `build_manager` replaces the name `secretmanager`
*inside ZenML's module* by a stand-in whose `SecretManagerServiceClient()` returns
`SecretManagerServiceClient(transport="rest", credentials=AnonymousCredentials() or a
static bearer token, client_options={"api_endpoint": <endpoint>})`, and resets the cached
CLIENT.  Every other call is ZenML's own, unchanged.

The client is also wrapped in `FilterEnforcingClient`: drongo 0.8.0 ignores the `filter`
of ListSecrets (it returns every secret of the project), and ZenML relies on that filter
(none scope: `labels.zenml-group-key=<name>` / `labels.zenml-group-key:*`; scoped:
`labels.zenml_scope=global AND ...`).  The wrapper sends the request unchanged and then
applies the same filter to the answer on the client side: for a server that filters
(real GCP, Ferry's fake) this is a no-op; for drongo it gives what GCP would answer.
Only the filter forms ZenML 0.52.0 builds are accepted (terms joined by " AND ":
`labels.K=V` exact, `labels.K:*` label present, `name:X` X contained in the secret's
name); anything else raises.

Check mode (for CI): `--expected FILE` compares the result with FILE, either an
expected.json written by make_gcp_fixtures.py (the component is picked by its id) or a
plain {"<name>": {"schema": ..., "values": ...}} map; mismatches are listed on stderr and
the exit code is 3.  Key and secret order are not compared.

Exit codes: 0 ok, 1 ZenML (or the server) raised an error (message on stderr), 2 usage
error, 3 --expected mismatch.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from typing import Any, Dict, List, Optional

from fixture_common import compare_with_expected

ZENML_VERSION = "0.52.0"


def _err(msg: str) -> None:
    print(f"zenml_gcp_read: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Client-side filter (drongo ignores ListSecrets' `filter`)
# ---------------------------------------------------------------------------

_TERM_LABEL_EQ = re.compile(r"^labels\.([a-z0-9_-]+)=(.*)$")
_TERM_LABEL_HAS = re.compile(r"^labels\.([a-z0-9_-]+):\*$")
_TERM_NAME_HAS = re.compile(r"^name:(.+)$")


def secret_matches_filter(secret_name: str, labels: Dict[str, str], filter_: str) -> bool:
    """GCP ListSecrets filter semantics for the forms ZenML 0.52.0 builds.

    `secret_name` is the resource name `projects/<p>/secrets/<id>`.
    """
    if not filter_:
        return True
    for term in filter_.split(" AND "):
        term = term.strip()
        m = _TERM_LABEL_EQ.match(term)
        if m:
            if labels.get(m.group(1)) != m.group(2):
                return False
            continue
        m = _TERM_LABEL_HAS.match(term)
        if m:
            if m.group(1) not in labels:
                return False
            continue
        m = _TERM_NAME_HAS.match(term)
        if m:
            if m.group(1) not in secret_name:
                return False
            continue
        raise ValueError(f"unsupported ListSecrets filter term {term!r} in {filter_!r}")
    return True


class FilterEnforcingClient:
    """Delegates to a SecretManagerServiceClient; re-applies ListSecrets' filter locally."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def list_secrets(self, request: Any = None, **kwargs: Any) -> List[Any]:
        filter_ = ""
        if isinstance(request, dict):
            filter_ = request.get("filter", "") or ""
        elif request is not None:
            filter_ = getattr(request, "filter", "") or ""
        filter_ = kwargs.get("filter", filter_) or filter_
        return [
            s
            for s in self._client.list_secrets(request=request, **kwargs)
            if secret_matches_filter(s.name, dict(s.labels), filter_)
        ]


# ---------------------------------------------------------------------------
# Pointing ZenML's own client construction at the endpoint
# ---------------------------------------------------------------------------


def make_rest_client(endpoint: str, token: Optional[str] = None) -> Any:
    """The official client, REST transport, anonymous or static bearer token, at ENDPOINT."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import secretmanager

    if token:
        from google.oauth2.credentials import Credentials

        credentials: Any = Credentials(token=token)  # static token, never refreshed
    else:
        credentials = AnonymousCredentials()
    return secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=credentials,
        client_options={"api_endpoint": endpoint},
    )


class _RestClientFactory:
    """Stands in for the module `google.cloud.secretmanager` inside ZenML's gcp module.

    ZenML only calls `secretmanager.SecretManagerServiceClient()` (no arguments); that call
    gets a REST client for our endpoint, wrapped in FilterEnforcingClient.  Any other
    attribute comes from the real module.
    """

    def __init__(self, real_module: Any, endpoint: str, token: Optional[str]) -> None:
        self._real = real_module
        self._endpoint = endpoint
        self._token = token

    def SecretManagerServiceClient(self) -> Any:  # noqa: N802 - the name ZenML calls
        return FilterEnforcingClient(make_rest_client(self._endpoint, self._token))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def build_manager(component: Dict[str, Any], endpoint: str, project: Optional[str] = None,
                  token: Optional[str] = None) -> Any:
    """ZenML 0.52.0's GCPSecretsManager for a components.json entry, without a ZenML DB.

    Its Secret Manager client (created by ZenML on first use) talks REST to ENDPOINT.
    """
    from google.cloud import secretmanager

    from zenml.enums import StackComponentType
    from zenml.integrations.gcp.flavors.gcp_secrets_manager_flavor import (
        GCPSecretsManagerConfig,
    )
    from zenml.integrations.gcp.secrets_manager import gcp_secrets_manager as zenml_gcp

    # The one place where ZenML's client construction is redirected (see module doc).
    real = secretmanager
    if isinstance(zenml_gcp.secretmanager, _RestClientFactory):
        real = zenml_gcp.secretmanager._real
    zenml_gcp.secretmanager = _RestClientFactory(real, endpoint, token)
    zenml_gcp.GCPSecretsManager.CLIENT = None

    project_id = project or component.get("project_id")
    if not project_id:
        raise ValueError("no GCP project: give --project or a component with project_id")
    config: Dict[str, Any] = {"project_id": project_id, "scope": component["scope"]}
    if component.get("namespace") is not None:
        config["namespace"] = component["namespace"]
    now = datetime.datetime.utcnow()
    return zenml_gcp.GCPSecretsManager(
        name=component["name"],
        id=uuid.UUID(component["id"]),
        config=GCPSecretsManagerConfig(**config),
        flavor="gcp",
        type=StackComponentType.SECRETS_MANAGER,
        user=None,
        workspace=uuid.UUID(int=0),
        created=now,
        updated=now,
    )


def check_client(sm: Any, endpoint: str) -> None:
    """After ZenML connected: its cached client must talk to ENDPOINT."""
    client = type(sm).CLIENT
    if client is None:
        raise RuntimeError("ZenML did not create its Secret Manager client")
    if not isinstance(client, FilterEnforcingClient):
        raise RuntimeError(f"ZenML's client is not the redirected one: {client!r}")
    actual = client._client._transport._host
    if actual.rstrip("/") != endpoint.rstrip("/"):
        raise RuntimeError(f"ZenML's Secret Manager client uses {actual}, not {endpoint}")


def read_all(sm: Any) -> Dict[str, Any]:
    """`get_all_secret_keys()` + `get_secret(name)` as {"<name>": {"schema", "values"}}."""
    result: Dict[str, Any] = {}
    for name in sm.get_all_secret_keys():
        secret = sm.get_secret(name)
        result[name] = {
            "schema": secret.TYPE,
            "values": {k: str(v) for k, v in secret.content.items()},
        }
    return result


def _parse_component(text: str) -> Optional[Dict[str, Any]]:
    try:
        component = json.loads(text)
    except json.JSONDecodeError as e:
        _err(f"--component is not valid JSON: {e}")
        return None
    if not isinstance(component, dict):
        _err("--component must be a JSON object")
        return None
    missing = [k for k in ("id", "name", "scope") if k not in component]
    if missing:
        _err(f"--component lacks {', '.join(missing)}")
        return None
    try:
        uuid.UUID(component["id"])
    except (TypeError, ValueError, AttributeError):
        _err(f"--component id {component['id']!r} is not a UUID")
        return None
    return component


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Read a ZenML 0.52.0 GCP secrets manager's secrets through ZenML."
    )
    parser.add_argument("--component", required=True,
                        help="JSON object: id, name, scope, namespace, project_id")
    parser.add_argument("--endpoint", required=True,
                        help="Secret Manager REST endpoint, e.g. http://127.0.0.1:45690")
    parser.add_argument("--project", help="GCP project id (default: the component's project_id)")
    parser.add_argument("--token", help="bearer token to send (default: anonymous, no Authorization header)")
    parser.add_argument("--expected", metavar="FILE", help="compare the result with FILE (see above)")
    args = parser.parse_args()

    component = _parse_component(args.component)
    if component is None:
        return 2
    if not (args.project or component.get("project_id")):
        _err("no GCP project: give --project or a component with project_id")
        return 2
    if not re.match(r"^https?://", args.endpoint):
        _err("--endpoint must start with http:// or https:// (a bare host:port makes the client use https)")
        return 2

    tmp_config = tempfile.mkdtemp(prefix="zenml052-interop-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")

    # ZenML's logger writes to sys.stdout: route fd 1 to stderr and keep a
    # private handle on the real stdout for the JSON result.
    sys.stdout.flush()
    real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    try:
        try:
            import zenml
        except Exception as e:  # noqa: BLE001
            _err(f"cannot import zenml: {e!r}")
            return 1
        if zenml.__version__ != ZENML_VERSION:
            _err(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
            return 2
        try:
            sm = build_manager(component, args.endpoint, args.project, args.token)
            result = read_all(sm)
            check_client(sm, args.endpoint)
        except Exception as e:  # noqa: BLE001 - any ZenML/pydantic/google error
            _err(f"{type(e).__name__}: {e}")
            return 1

        json.dump(result, real_stdout, ensure_ascii=False, indent=2)
        real_stdout.write("\n")
        real_stdout.flush()
        if args.expected is not None:
            return compare_with_expected(result, args.expected, str(uuid.UUID(component["id"])), _err)
        return 0
    finally:
        shutil.rmtree(tmp_config, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
