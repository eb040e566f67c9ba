#!/usr/bin/env python3
"""Generate whole ZenML *installations* (config dirs) with real ZenML releases.

Usage (any python3 runs the driver; each release runs in its own venv):

    python3 LegacyFixtures/tools/make_installation_fixtures.py \
        --python-052 /root/.cache/ferry-test/venvs/zenml052/bin/python \
        --python-043 /tmp/ferry-z043/bin/python \
        --python-newest /tmp/ferry-znew/bin/python \
        [--only 0.52.0|0.43.0|upgraded ...] [OUTROOT]

OUTROOT defaults to LegacyFixtures/installations.  It writes

  OUTROOT/zenml-0.52.0/           config/ (the whole ZENML_CONFIG_PATH), exports/, expected.json,
                                  resolve/<stack>.<LEVEL>.json (zenml_resolve.py output)
  OUTROOT/zenml-0.43.0/           the same, made by ZenML 0.43.0
  OUTROOT/zenml-0.52.0-upgraded/  the 0.52.0 config dir after the newest ZenML opened it
                                  (`zenml stack list`), exports/, expected.json

Each installation is built by ZenML itself (Client().create_stack_component,
create_stack, activate_stack, create_secret, and the local secrets manager's
register_secret) in a fixed temporary ZENML_CONFIG_PATH
(/tmp/ferry-installation-zenml-<version>; it is deleted first), so config.yaml
holds the same absolute paths on every run.  UUIDs, timestamps and the bytes of
zenml.db differ between runs; expected.json is regenerated alongside and is
produced by querying ZenML (the release that made the installation), never by
hand.  The upgraded installation is made by running the newest release's
`zenml stack list` on the 0.52.0 build directory (after it was copied out), so
its config.yaml keeps the 0.52.0 paths.

The child modes (`--child-build VERSION OUTDIR`, `--child-upgrade OUTDIR`) run
inside the release's venv and are started by the driver.
"""

import argparse
import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTROOT = os.path.join(os.path.dirname(HERE), "installations")


def build_dir(version: str) -> str:
    return f"/tmp/ferry-installation-zenml-{version}"


def _log(msg: str) -> None:
    print(f"[make_installation_fixtures] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# What the installation holds (fixed, readable names)
# ---------------------------------------------------------------------------

# (name, flavor, configuration as given to create_stack_component)
SECRETS_MANAGERS = [
    ("ferry_local_default", "local", {}),                      # no explicit scope -> default
    ("ferry_local_none", "local", {"scope": "none"}),
    ("ferry_aws_default", "aws", {"region_name": "eu-west-1"}),  # no scope -> default
    ("ferry_aws_none", "aws", {"region_name": "eu-west-1", "scope": "none"}),
    ("ferry_aws_global", "aws", {"region_name": "us-east-1", "scope": "global"}),
    ("ferry_aws_component", "aws", {"region_name": "eu-central-1", "scope": "component"}),
    ("ferry_aws_namespace", "aws",
     {"region_name": "eu-west-1", "scope": "namespace", "namespace": "team-a"}),
    ("ferry_gcp_default", "gcp", {"project_id": "ferry-fixtures"}),
    ("ferry_gcp_global", "gcp", {"project_id": "ferry-fixtures", "scope": "global"}),
    ("ferry_gcp_namespace", "gcp",
     {"project_id": "ferry-fixtures", "scope": "namespace", "namespace": "team-b"}),
    ("ferry_azure_none", "azure", {"key_vault_name": "ferry-kv", "scope": "none"}),
    ("ferry_azure_component", "azure", {"key_vault_name": "ferry-kv", "scope": "component"}),
    ("ferry_vault_global", "vault",
     {"url": "http://127.0.0.1:8200", "token": "ferry-root-token", "mount_point": "secret",
      "scope": "global"}),
    ("ferry_vault_namespace", "vault",
     {"url": "http://127.0.0.1:8200", "token": "ferry-root-token", "mount_point": "kv-ferry",
      "scope": "namespace", "namespace": "team-a"}),
]

# Components whose configurations hold {{secret.key}} references.
# (type, name, flavor, configuration)
REFERENCE_COMPONENTS = [
    # Flavors chosen because ZenML 0.52.0 can instantiate them in the zenml052 venv
    # (activating a stack imports every component's implementation class; the
    # kubernetes orchestrator and wandb tracker fail to import there).
    ("image_builder", "ferry_kaniko_refs", "kaniko", {
        "kubernetes_context": "{{ferry_k8s.context}}",           # existing secret + key
        "kubernetes_namespace": "{{ ferry_k8s.namespace }}",      # spaces (0.40+ syntax)
        "service_account_name": "{{ferry_k8s.no_such_key}}",      # existing secret, missing key
        "executor_image": "{{ferry_missing.image}}",              # missing secret
    }),
    ("model_deployer", "ferry_seldon_refs", "seldon", {
        "base_url": "{{ferry_central.api_key}}",                  # only in the SQL secrets store
        "kubernetes_context": "{{ferry_shadowed.value}}",         # in the store AND the managers
        "kubernetes_namespace": "{{ferry_centr.namespace}}",      # substring of a store secret's name
        "kubernetes_secret_name": "plain-value",                  # no reference
    }),
]

# Attempts ZenML refuses (recorded with the exception it raised; nothing is created).
REFUSED = [
    ("container_registry", "ferry_refused_registry", "default",
     {"uri": "{{ferry_k8s.registry}}"}),                         # field with a pydantic validator
    ("secrets_manager", "ferry_refused_aws", "aws",
     {"region_name": "{{ferry_k8s.region}}"}),                   # secrets managers refuse all refs
]

# Stacks: name -> {type: component name}
STACKS = {
    "ferry_stack_local": {"orchestrator": "default", "artifact_store": "default",
                          "image_builder": "ferry_kaniko_refs",
                          "model_deployer": "ferry_seldon_refs",
                          "secrets_manager": "ferry_local_default"},
    "ferry_stack_local_none": {"orchestrator": "default", "artifact_store": "default",
                               "image_builder": "ferry_kaniko_refs",
                               "model_deployer": "ferry_seldon_refs",
                               "secrets_manager": "ferry_local_none"},
    "ferry_stack_no_sm": {"orchestrator": "default", "artifact_store": "default",
                          "image_builder": "ferry_kaniko_refs",
                          "model_deployer": "ferry_seldon_refs"},
    "ferry_stack_aws": {"orchestrator": "default", "artifact_store": "default",
                        "secrets_manager": "ferry_aws_namespace"},
    "ferry_stack_gcp": {"orchestrator": "default", "artifact_store": "default",
                        "secrets_manager": "ferry_gcp_global"},
    "ferry_stack_azure": {"orchestrator": "default", "artifact_store": "default",
                          "secrets_manager": "ferry_azure_component"},
    "ferry_stack_vault": {"orchestrator": "default", "artifact_store": "default",
                          "secrets_manager": "ferry_vault_namespace"},
}
ACTIVE_STACK = "ferry_stack_local"
EXPORTED_STACKS = ["ferry_stack_local", "ferry_stack_no_sm"]
RESOLVED_STACKS = ["ferry_stack_local", "ferry_stack_local_none", "ferry_stack_no_sm"]

# Secrets in the local managers: manager -> [(name, values)] (arbitrary schema)
LOCAL_SECRETS = {
    "ferry_local_default": [
        ("ferry_k8s", {"context": "kind-ferry", "namespace": "ferry-ns"}),
        ("ferry_shadowed", {"value": "from-secrets-manager"}),
    ],
    "ferry_local_none": [
        ("ferry_k8s", {"context": "other-context"}),
        ("ferry_shadowed", {"value": "from-local-none"}),
    ],
}
# Secrets in the centralized SQL secrets store (Client().create_secret, workspace scope)
CENTRAL_SECRETS = [
    ("ferry_central", {"api_key": "central-api-key", "namespace": "central-ns"}),
    ("ferry_shadowed", {"value": "from-central-store"}),
]


# ---------------------------------------------------------------------------
# Helpers used in the children
# ---------------------------------------------------------------------------

def _quiet_env(config_path: str) -> Dict[str, str]:
    env = dict(os.environ)
    for var in list(env):
        if var.startswith(("ZENML_STORE_", "ZENML_SECRETS_STORE_")) or var in (
            "ZENML_LOCAL_STORES_PATH", "ZENML_SERVER", "ZENML_SECRET_VALIDATION_LEVEL"):
            env.pop(var)
    env["ZENML_CONFIG_PATH"] = config_path
    env["ZENML_ANALYTICS_OPT_IN"] = "false"
    env["ZENML_LOGGING_VERBOSITY"] = "ERROR"
    env["PYTHONHASHSEED"] = "0"
    env["COLUMNS"] = "200"
    return env


def _db_rows(db_path: str, sql: str) -> List[Any]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _vacuum(db_path: str) -> None:
    con = sqlite3.connect(db_path)
    try:
        con.execute("VACUUM")
    finally:
        con.close()


def _b64json(blob: Any) -> Any:
    if blob is None:
        return None
    if isinstance(blob, str):
        blob = blob.encode()
    return json.loads(base64.b64decode(blob).decode("utf-8"))


def _export(zenml_bin: str, config_path: str, stack: str, dest: str) -> Dict[str, Any]:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    proc = subprocess.run([zenml_bin, "stack", "export", stack, dest],
                          env=_quiet_env(config_path), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"zenml stack export {stack} failed: {proc.stdout}{proc.stderr}")
    return {"file": os.path.relpath(dest, os.path.dirname(os.path.dirname(dest))),
            "cli_output": " ".join(proc.stdout.replace(os.path.dirname(os.path.dirname(dest)),
                                                       "<OUTDIR>").split())}


def _copy_config(config_path: str, dest: str) -> None:
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(config_path, dest)
    db = os.path.join(dest, "local_stores", "default_zen_store", "zenml.db")
    if os.path.exists(db):
        _vacuum(db)


def _json_dump(doc: Any, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------
# Child: build one installation with ZenML 0.43.0 / 0.52.0
# ---------------------------------------------------------------------------

def child_build(version: str, outdir: str) -> int:
    config_path = os.environ["ZENML_CONFIG_PATH"]
    sys.stdout.flush()
    os.dup2(2, 1)  # ZenML logs to stdout

    import yaml
    import zenml
    from zenml.client import Client
    from zenml.enums import SecretScope, StackComponentType
    from zenml.secret import SecretSchemaClassRegistry
    from zenml.stack import StackComponent
    from zenml.stack.flavor import Flavor

    if zenml.__version__ != version:
        _log(f"expected zenml {version}, found {zenml.__version__}")
        return 2
    client = Client()
    T = StackComponentType

    for name, flavor, conf in SECRETS_MANAGERS:
        client.create_stack_component(name=name, flavor=flavor, component_type=T.SECRETS_MANAGER,
                                      configuration=dict(conf))
    for type_, name, flavor, conf in REFERENCE_COMPONENTS:
        client.create_stack_component(name=name, flavor=flavor, component_type=T(type_),
                                      configuration=dict(conf))
    refused = {}
    for type_, name, flavor, conf in REFUSED:
        try:
            client.create_stack_component(name=name, flavor=flavor, component_type=T(type_),
                                          configuration=dict(conf))
        except Exception as e:  # noqa: BLE001 - we record what ZenML raises
            refused[name] = {"type": type_, "flavor": flavor, "configuration": conf,
                             "exception_type": type(e).__name__, "message": str(e)}
        else:
            _log(f"ZenML accepted {name}; expected a refusal")
            return 1
        try:
            client.get_stack_component(T(type_), name)
            _log(f"{name} exists although creation failed")
            return 1
        except KeyError:
            pass
    for stack, comps in STACKS.items():
        client.create_stack(name=stack, components={T(t): c for t, c in comps.items()})
    client.activate_stack(ACTIVE_STACK)

    schema = SecretSchemaClassRegistry.get_class(secret_schema="arbitrary")
    for sm_name, secrets in LOCAL_SECRETS.items():
        sm = StackComponent.from_model(client.get_stack_component(T.SECRETS_MANAGER, sm_name))
        for sname, values in secrets:
            sm.register_secret(schema(name=sname, **values))
    for sname, values in CENTRAL_SECRETS:
        client.create_secret(name=sname, values=values, scope=SecretScope.WORKSPACE)

    # ---------------- expected.json, from ZenML ----------------
    client = Client()
    with open(os.path.join(config_path, "config.yaml"), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    active = client.active_stack_model
    doc: Dict[str, Any] = {
        "zenml_version": zenml.__version__,
        "generated_with_config_path": config_path,
        "config": {
            "version": cfg.get("version"),
            "active_stack_id": cfg.get("active_stack_id"),
            "active_stack_name": active.name,
            "active_workspace_name": cfg.get("active_workspace_name"),
            "store_type": cfg["store"]["type"],
            "store_url": cfg["store"]["url"],
            "secrets_store_type": cfg["store"].get("secrets_store", {}).get("type"),
            "keys": sorted(cfg),
        },
    }
    db_path = os.path.join(config_path, "local_stores", "default_zen_store", "zenml.db")
    doc["config"]["alembic_version"] = _db_rows(db_path, "SELECT version_num FROM alembic_version")[0][0]
    db_config = {row[0]: row[1] for row in _db_rows(
        db_path, "SELECT id, configuration FROM stack_component")}

    def flavor_config(model: Any) -> Any:
        fl = client.get_flavor_by_name_and_type(name=model.flavor, component_type=model.type)
        return Flavor.from_model(fl).config_class(**model.configuration)

    def stacks_of(component_id: Any) -> List[str]:
        return sorted(s.name for s in client.list_stacks(size=1000).items
                      if any(c.id == component_id for cs in s.components.values() for c in cs))

    sms: Dict[str, Any] = {}
    for name, flavor, given in SECRETS_MANAGERS:
        model = client.get_stack_component(T.SECRETS_MANAGER, name)
        config = flavor_config(model)
        stored = _b64json(db_config[model.id.hex])
        assert stored == model.configuration == given, (stored, model.configuration, given)
        entry: Dict[str, Any] = {
            "id": str(model.id),
            "db_id": model.id.hex,
            "flavor": model.flavor,
            "configuration": model.configuration,
            "scope": config.scope.value,
            "namespace": config.namespace,
            "stacks": stacks_of(model.id),
        }
        if flavor == "local":
            sm = StackComponent.from_model(model)
            entry["secrets_file"] = os.path.relpath(sm.secrets_file, config_path)
            secrets = {}
            for sname in sorted(sm.get_all_secret_keys()):
                secret = sm.get_secret(sname)
                secrets[sname] = {"schema": secret.TYPE,
                                  "values": {k: str(v) for k, v in secret.content.items()}}
            entry["secrets"] = secrets
        sms[name] = entry
    doc["secrets_managers"] = sms

    stacks: Dict[str, Any] = {}
    for s in client.list_stacks(size=1000).items:
        stacks[s.name] = {
            "id": str(s.id),
            "components": {t.value: {"name": cs[0].name, "id": str(cs[0].id), "flavor": cs[0].flavor}
                           for t, cs in s.components.items()},
        }
    doc["stacks"] = stacks

    from zenml.utils import secret_utils
    refs: Dict[str, Any] = {}
    for type_, name, flavor, given in REFERENCE_COMPONENTS:
        model = client.get_stack_component(T(type_), name)
        stored = _b64json(db_config[model.id.hex])
        assert stored == model.configuration == given, (stored, model.configuration, given)
        refs[name] = {
            "type": type_, "id": str(model.id), "flavor": model.flavor,
            "configuration": model.configuration,
            "references": {k: dict(secret_utils.parse_secret_reference(v)._asdict())
                           for k, v in model.configuration.items()
                           if secret_utils.is_secret_reference(v)},
            "stacks": stacks_of(model.id),
        }
    doc["components_with_references"] = refs
    doc["refused"] = refused
    central = {}
    for s in client.list_secrets(size=1000).items:
        full = client.get_secret(s.id)
        central[s.name] = {"id": str(s.id), "scope": full.scope.value,
                           "values": {k: v.get_secret_value() for k, v in full.values.items()}}
    doc["centralized_secrets"] = central
    doc["local_stores"] = sorted(os.listdir(os.path.join(config_path, "local_stores")))

    # ---------------- copy + exports ----------------
    from zenml.zen_stores.sql_zen_store import SqlZenStore
    if isinstance(client.zen_store, SqlZenStore):
        client.zen_store.engine.dispose()
    zenml_bin = os.path.join(os.path.dirname(sys.executable), "zenml")
    exports = {}
    for stack in EXPORTED_STACKS:
        exports[stack] = _export(zenml_bin, config_path, stack,
                                 os.path.join(outdir, "exports", f"{stack}.yaml"))
    doc["exports"] = exports
    _copy_config(config_path, os.path.join(outdir, "config"))
    _json_dump(doc, os.path.join(outdir, "expected.json"))
    _log(f"wrote {outdir}")
    return 0


# ---------------------------------------------------------------------------
# Child: open the 0.52.0 build dir with the newest ZenML
# ---------------------------------------------------------------------------

def child_upgrade(outdir: str, source_expected: str) -> int:
    config_path = os.environ["ZENML_CONFIG_PATH"]
    with open(source_expected, encoding="utf-8") as f:
        before = json.load(f)
    db_path = os.path.join(config_path, "local_stores", "default_zen_store", "zenml.db")
    alembic_before = _db_rows(db_path, "SELECT version_num FROM alembic_version")[0][0]
    zenml_bin = os.path.join(os.path.dirname(sys.executable), "zenml")
    proc = subprocess.run([zenml_bin, "stack", "list"], env=_quiet_env(config_path),
                          capture_output=True, text=True)
    stack_list_rc = proc.returncode
    if proc.returncode != 0:
        _log(proc.stdout + proc.stderr)
        return 1

    sys.stdout.flush()
    os.dup2(2, 1)
    import yaml
    import zenml
    from zenml.client import Client

    client = Client()
    with open(os.path.join(config_path, "config.yaml"), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    active = client.active_stack_model
    doc: Dict[str, Any] = {
        "zenml_version": zenml.__version__,
        "upgraded_from": before["zenml_version"],
        "generated_with_config_path": config_path,
        "upgrade_command": "zenml stack list",
        "upgrade_command_exit_code": stack_list_rc,
        "config": {
            "version": cfg.get("version"),
            "active_stack_id": cfg.get("active_stack_id"),
            "active_stack_name": active.name,
            "store_type": cfg["store"]["type"],
            "store_url": cfg["store"]["url"],
            "keys": sorted(cfg),
            "alembic_version_before": alembic_before,
            "alembic_version": _db_rows(db_path, "SELECT version_num FROM alembic_version")[0][0],
        },
    }
    stacks = {}
    for s in client.list_stacks(size=1000).items:
        stacks[s.name] = {
            "id": str(s.id),
            "components": {str(getattr(t, "value", t)): {"name": cs[0].name, "id": str(cs[0].id),
                                                         "flavor": cs[0].flavor_name}
                           for t, cs in s.components.items()},
        }
    doc["stacks"] = stacks
    comps = {}
    for c in client.list_stack_components(size=1000).items:
        comps[f"{c.type.value}/{c.name}"] = {"id": str(c.id), "type": c.type.value,
                                             "flavor": c.flavor_name,
                                             "configuration": c.configuration}
    doc["components"] = comps
    doc["secrets_manager_rows_left"] = _db_rows(
        db_path, "SELECT count(*) FROM stack_component WHERE type='secrets_manager'")[0][0]
    doc["secrets_manager_flavor_rows_left"] = _db_rows(
        db_path, "SELECT count(*) FROM flavor WHERE type='secrets_manager'")[0][0]
    doc["stacks_before"] = sorted(before["stacks"])
    doc["secrets_managers_before"] = {n: e["id"] for n, e in before["secrets_managers"].items()}
    doc["secrets_managers_gone"] = sorted(
        n for n in before["secrets_managers"] if f"secrets_manager/{n}" not in comps)
    local_stores = sorted(os.listdir(os.path.join(config_path, "local_stores")))
    doc["local_stores"] = local_stores
    by_id = {e["id"]: n for n, e in before["secrets_managers"].items()}
    doc["orphaned_local_stores"] = {d: by_id[d] for d in local_stores if d in by_id}
    central = {}
    for s in client.list_secrets(size=1000).items:
        full = client.get_secret(s.id)
        central[s.name] = {"id": str(s.id), "private": getattr(full, "private", None),
                           "values": {k: v.get_secret_value() for k, v in full.values.items()}}
    doc["centralized_secrets"] = central
    doc["config_dir_entries"] = sorted(os.listdir(config_path))

    from zenml.zen_stores.sql_zen_store import SqlZenStore
    if isinstance(client.zen_store, SqlZenStore):
        client.zen_store.engine.dispose()
    exports = {}
    for stack in EXPORTED_STACKS:
        exports[stack] = _export(zenml_bin, config_path, stack,
                                 os.path.join(outdir, "exports", f"{stack}.yaml"))
    doc["exports"] = exports
    _copy_config(config_path, os.path.join(outdir, "config"))
    _json_dump(doc, os.path.join(outdir, "expected.json"))
    _log(f"wrote {outdir}")
    return 0


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def _run_child(python: str, config_path: str, args: List[str]) -> None:
    proc = subprocess.run([python, os.path.abspath(__file__)] + args,
                          env=_quiet_env(config_path))
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed with exit code {proc.returncode}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outroot", nargs="?", default=DEFAULT_OUTROOT)
    ap.add_argument("--python-052")
    ap.add_argument("--python-043")
    ap.add_argument("--python-newest")
    ap.add_argument("--only", action="append", choices=["0.52.0", "0.43.0", "upgraded"])
    ap.add_argument("--child-build", nargs=2, metavar=("VERSION", "OUTDIR"), help=argparse.SUPPRESS)
    ap.add_argument("--child-upgrade", nargs=2, metavar=("OUTDIR", "EXPECTED052"),
                    help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_build:
        return child_build(*a.child_build)
    if a.child_upgrade:
        return child_upgrade(*a.child_upgrade)

    todo = a.only or ["0.43.0", "0.52.0", "upgraded"]
    outroot = os.path.abspath(a.outroot)
    pythons = {"0.52.0": a.python_052, "0.43.0": a.python_043, "upgraded": a.python_newest}
    for what in todo:
        if not pythons[what]:
            ap.error(f"building {what} needs --python-{'newest' if what == 'upgraded' else what.replace('.', '')[:3]}")
    if "upgraded" in todo and "0.52.0" not in todo:
        ap.error("upgraded needs the 0.52.0 build in the same run")
    for version in ("0.43.0", "0.52.0"):
        if version not in todo:
            continue
        cp = build_dir(version)
        shutil.rmtree(cp, ignore_errors=True)
        _log(f"building zenml-{version} in {cp}")
        _run_child(pythons[version], cp, ["--child-build", version,
                                           os.path.join(outroot, f"zenml-{version}")])
    if "0.52.0" in todo:
        # What ZenML 0.52.0 reports for validation/resolution (zenml_resolve.py),
        # for every stack with references and every validation level.
        rdir = os.path.join(outroot, "zenml-0.52.0", "resolve")
        shutil.rmtree(rdir, ignore_errors=True)
        os.makedirs(rdir)
        for stack in RESOLVED_STACKS:
            for level in ("SECRET_AND_KEY_EXISTS", "SECRET_EXISTS", "NONE"):
                out = subprocess.run(
                    [pythons["0.52.0"], os.path.join(HERE, "zenml_resolve.py"), "--config-dir",
                     os.path.join(outroot, "zenml-0.52.0", "config"), "--stack", stack,
                     "--validation-level", level],
                    capture_output=True, text=True, check=True).stdout
                with open(os.path.join(rdir, f"{stack}.{level}.json"), "w", encoding="utf-8") as f:
                    f.write(out)
    if "upgraded" in todo:
        cp = build_dir("0.52.0")  # the 0.52.0 build dir, already copied out above
        out = os.path.join(outroot, "zenml-0.52.0-upgraded")
        _log(f"upgrading {cp} with {pythons['upgraded']}")
        _run_child(pythons["upgraded"], cp, ["--child-upgrade", out,
                                             os.path.join(outroot, "zenml-0.52.0", "expected.json")])
    for version in ("0.43.0", "0.52.0"):
        if version in todo:
            shutil.rmtree(build_dir(version), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
