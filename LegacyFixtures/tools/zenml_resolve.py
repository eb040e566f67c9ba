#!/usr/bin/env python3
"""Validate and resolve a stack's secret references with ZenML 0.52.0's own code.

Usage (the interpreter of a venv with requirements-zenml052.txt):

    /work/venvs/zenml052/bin/python LegacyFixtures/tools/zenml_resolve.py \
        --config-dir LegacyFixtures/installations/zenml-0.52.0/config \
        --stack ferry_stack_local [--validation-level SECRET_AND_KEY_EXISTS|SECRET_EXISTS|NONE]

The config dir is never touched: the script copies it to a temporary directory,
points the copy's config.yaml store (`store.url`, `store.database`) at the copied
zenml.db (they are absolute paths from generation time), sets
ZENML_CONFIG_PATH to the copy, and deletes the copy at the end.  Only ZenML 0.52.0
databases are accepted (alembic revision `0.52.0`): ZenML would otherwise
migrate the copy, which is not what we want to observe.

What it does, in ZenML 0.52.0:

 1. `Client().activate_stack(STACK)`; `stack = Client().active_stack`.
 2. With `ZENML_SECRET_VALIDATION_LEVEL=LEVEL` (default SECRET_AND_KEY_EXISTS):
    `stack._validate_secrets(raise_exception=False)` - ZenML logs a warning
    through the `zenml.stack.stack` logger, captured here - and
    `stack._validate_secrets(raise_exception=True)` - ZenML raises
    `StackValidationError`, captured here.  (`Stack.validate()` calls the
    first; pipeline runs call it with `fail_if_secrets_missing=True`, the
    second.)
 3. For every component of the stack, for every field of its config class
    (`type(component.config).__fields__`, sorted): `getattr(component.config,
    field)`, which is where ZenML 0.52 resolves `{{name.key}}` lazily
    (`StackComponentConfig.__custom_getattribute__`).

Output (stdout, JSON, `sort_keys=True`, indent 2, UTF-8):

    {
      "zenml_version": "0.52.0",
      "stack": {"name": "ferry_stack_local", "id": "<uuid>"},
      "validation_level": "SECRET_AND_KEY_EXISTS",
      "validation": {
        "warnings": ["<each message ZenML logged, exactly>"],      # [] when none
        "raised": null | {"type": "StackValidationError", "message": "<str(e)>"}
      },
      "components": {
        "<component type>": {
          "name": "...", "id": "<uuid>", "flavor": "...",
          "attributes": {
            "<field>": {"value": <JSON value as ZenML returned it>}
                     | {"error": {"type": "KeyError"|"RuntimeError"|...,
                                  "message": "<e.args[0] when it is the only argument, else str(e)>"}}
          }
        }
      }
    }

Values that are not JSON types are given as `str()`.  Any occurrence of the
temporary copy's path in strings is replaced by `<CONFIG_DIR>` (e.g. a local
secrets manager's `secrets_file` is `""` in the config, but messages may hold
paths).  Messages that contain Python sets or lists of references (`Available
keys: {...}`, `Missing secrets for stack: [...]`) depend on set iteration
order, so the script re-executes itself with PYTHONHASHSEED=0 to make them
deterministic; other hash seeds may order them differently.

Exit codes: 0 done (whatever ZenML reported), 1 ZenML failed outside the
captured calls (e.g. unknown stack), 2 usage error.
"""

import argparse
import json
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
from typing import Any, Dict, List

ZENML_VERSION = "0.52.0"
LEVELS = ("SECRET_AND_KEY_EXISTS", "SECRET_EXISTS", "NONE")


def _err(msg: str) -> None:
    print(f"zenml_resolve: {msg}", file=sys.stderr, flush=True)


def _copy_config_dir(src: str, dst: str) -> None:
    import yaml

    shutil.copytree(src, dst)
    cfg_file = os.path.join(dst, "config.yaml")
    with open(cfg_file, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    db = os.path.join(dst, "local_stores", "default_zen_store", "zenml.db")
    store = cfg.get("store") or {}
    if store.get("type") != "sql" or not str(store.get("url", "")).startswith("sqlite:"):
        raise ValueError("only installations with a local SQLite store are supported")
    store["url"] = f"sqlite:///{db}"
    if "database" in store:
        store["database"] = db
    with open(cfg_file, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f)
    con = sqlite3.connect(db)
    try:
        rev = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()
    if rev != ZENML_VERSION:
        raise ValueError(f"database revision is {rev!r}, not {ZENML_VERSION!r}; "
                         "ZenML 0.52.0 would migrate it")


def _jsonable(v: Any, root: str) -> Any:
    if isinstance(v, str):
        return v.replace(root, "<CONFIG_DIR>")
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x, root) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x, root) for x in v]
    if hasattr(v, "value") and isinstance(getattr(v, "value"), (str, int)):  # enums
        return v.value
    return str(v).replace(root, "<CONFIG_DIR>")


def _exc(e: BaseException, root: str) -> Dict[str, str]:
    if len(e.args) == 1 and isinstance(e.args[0], str):
        msg = e.args[0]
    else:
        msg = str(e)
    return {"type": type(e).__name__, "message": msg.replace(root, "<CONFIG_DIR>")}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config-dir", required=True)
    ap.add_argument("--stack", required=True)
    ap.add_argument("--validation-level", default="SECRET_AND_KEY_EXISTS", choices=LEVELS)
    args = ap.parse_args()

    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)

    src = os.path.abspath(args.config_dir)
    if not os.path.isfile(os.path.join(src, "config.yaml")):
        _err(f"{src} has no config.yaml")
        return 2

    tmp = tempfile.mkdtemp(prefix="ferry-zenml-resolve-")
    copy = os.path.join(tmp, "config")
    try:
        try:
            _copy_config_dir(src, copy)
        except Exception as e:  # noqa: BLE001
            _err(f"{type(e).__name__}: {e}")
            return 2
        for var in list(os.environ):
            if var.startswith(("ZENML_STORE_", "ZENML_SECRETS_STORE_")) or var in (
                    "ZENML_LOCAL_STORES_PATH", "ZENML_SERVER", "ZENML_ACTIVE_STACK_ID"):
                os.environ.pop(var)
        os.environ["ZENML_CONFIG_PATH"] = copy
        os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
        os.environ["ZENML_LOGGING_VERBOSITY"] = "WARN"  # validation reports through WARNING
        os.environ["ZENML_SECRET_VALIDATION_LEVEL"] = args.validation_level
        # The repository (.zen) lookup starts at the cwd: run from the temp dir.
        os.chdir(tmp)

        sys.stdout.flush()
        real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)

        import zenml
        from zenml.client import Client

        if zenml.__version__ != ZENML_VERSION:
            _err(f"expected zenml {ZENML_VERSION}, found {zenml.__version__}")
            return 2
        root = os.path.realpath(copy)
        try:
            client = Client()
            client.activate_stack(args.stack)
            stack = client.active_stack
        except Exception as e:  # noqa: BLE001
            _err(f"{type(e).__name__}: {e}")
            return 1

        capture = _Capture()
        stack_logger = logging.getLogger("zenml.stack.stack")
        stack_logger.addHandler(capture)
        try:
            stack._validate_secrets(raise_exception=False)
        finally:
            stack_logger.removeHandler(capture)
        try:
            stack._validate_secrets(raise_exception=True)
            raised = None
        except Exception as e:  # noqa: BLE001
            raised = _exc(e, root)

        components: Dict[str, Any] = {}
        for ctype, component in sorted(stack.components.items(), key=lambda kv: kv[0].value):
            attrs: Dict[str, Any] = {}
            config = component.config
            for field in sorted(type(config).__fields__):
                try:
                    value = getattr(config, field)
                except Exception as e:  # noqa: BLE001
                    attrs[field] = {"error": _exc(e, root)}
                else:
                    attrs[field] = {"value": _jsonable(value, root)}
            components[ctype.value] = {
                "name": component.name,
                "id": str(component.id),
                "flavor": component.flavor,
                "attributes": attrs,
            }

        doc = {
            "zenml_version": zenml.__version__,
            "stack": {"name": stack.name, "id": str(stack.id)},
            "validation_level": args.validation_level,
            "validation": {
                "warnings": [m.replace(root, "<CONFIG_DIR>") for m in capture.messages],
                "raised": raised,
            },
            "components": components,
        }
        json.dump(doc, real_stdout, ensure_ascii=False, indent=2, sort_keys=True)
        real_stdout.write("\n")
        real_stdout.flush()
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
