"""Helpers shared by the fixture tools (run as scripts: their folder is on sys.path)."""

import json
import os
import tempfile
from typing import Any, Callable, Dict, Optional


def compare_with_expected(result: Dict[str, Any], expected_file: str, component_id: str,
                          err: Callable[[str], None]) -> int:
    """Compare {name: {schema, values}} with an expected.json (whole file or one component).

    Returns 0 when equal, 3 otherwise; every difference is reported through `err`.
    """
    with open(expected_file, encoding="utf-8") as f:
        expected = json.load(f)
    if "components" in expected:
        if component_id not in expected["components"]:
            err(f"component {component_id} not in {expected_file}")
            return 3
        expected = expected["components"][component_id]["secrets"]
    problems = []
    for name in sorted(set(expected) | set(result)):
        if name not in result:
            problems.append(f"missing secret {name!r}")
        elif name not in expected:
            problems.append(f"unexpected secret {name!r}")
        elif result[name] != expected[name]:
            problems.append(f"secret {name!r}: got {result[name]!r}, expected {expected[name]!r}")
    for p in problems:
        err(p)
    if problems:
        return 3
    err(f"OK: {len(result)} secrets match {expected_file}")
    return 0


def require_fresh_config_path(log: Callable[[str], None]) -> Optional[str]:
    """The absolute ZENML_CONFIG_PATH when it names a missing or empty folder, else None (logged)."""
    config_path = os.environ.get("ZENML_CONFIG_PATH")
    if not config_path:
        log("ZENML_CONFIG_PATH must be set to a fresh (empty) directory")
        return None
    config_path = os.path.abspath(config_path)
    if os.path.exists(config_path) and os.listdir(config_path):
        log(f"ZENML_CONFIG_PATH={config_path} is not empty; use a fresh directory")
        return None
    return config_path


def use_throwaway_zenml_config() -> str:
    """Points ZenML at a new temporary config folder, analytics off, quiet logging; returns it."""
    tmp_config = tempfile.mkdtemp(prefix="zenml052-interop-")
    os.environ["ZENML_CONFIG_PATH"] = tmp_config
    os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
    os.environ.setdefault("ZENML_LOGGING_VERBOSITY", "ERROR")
    return tmp_config
