"""Helpers shared by the fixture tools (run as scripts: their folder is on sys.path)."""

import json
from typing import Any, Callable, Dict


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
