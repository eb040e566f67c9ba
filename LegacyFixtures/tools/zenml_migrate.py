#!/usr/bin/env python3
"""Run ZenML 0.52.0's own `zenml secrets-manager secret migrate` on a COPY of a configuration
directory and print the centralized secrets it produced.

Usage (the interpreter of a venv with LegacyFixtures/tools/requirements-zenml052.txt):

    python LegacyFixtures/tools/zenml_migrate.py --config-dir DIR [--stack NAME ...]

For each stack (default: every stack that has a secrets manager, in name order) the script makes
it active and runs ZenML's migrate command non-interactively (`--non-interactive`, scope
`workspace`, ZenML's default), exactly as a user would from the CLI, on a temporary copy of DIR
(the fixture is never modified). Then it prints, as JSON on stdout with sorted keys,
`{"<secret name>": {"<key>": "<value>", ...}, ...}`: every centralized secret ZenML's client lists
afterwards, with its values. ZenML's own output goes to stderr.

Exit codes: 0 ok, 1 ZenML failed (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config-dir", required=True)
    parser.add_argument("--stack", action="append", default=[])
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.config_dir, "config.yaml")):
        print(f"zenml_migrate: no config.yaml in {args.config_dir}", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="ferry-zenml-migrate-")
    try:
        config = os.path.join(work, "config")
        shutil.copytree(args.config_dir, config)
        database = os.path.join(config, "local_stores", "default_zen_store", "zenml.db")
        # Point the copy's store at the copied database (config.yaml names the original path).
        import yaml  # PyYAML, a ZenML dependency

        with open(os.path.join(config, "config.yaml")) as handle:
            settings = yaml.safe_load(handle)
        settings.setdefault("store", {})
        settings["store"]["url"] = "sqlite:///" + database
        settings["store"]["database"] = database
        with open(os.path.join(config, "config.yaml"), "w") as handle:
            yaml.safe_dump(settings, handle)
        env = dict(os.environ, ZENML_CONFIG_PATH=config, ZENML_ANALYTICS_OPT_IN="false", ZENML_LOGGING_VERBOSITY="ERROR",
                   ZENML_ENABLE_RICH_TRACEBACK="false", PYTHONHASHSEED="0")
        zenml = os.path.join(os.path.dirname(sys.executable), "zenml")
        stacks = args.stack or _stacks_with_secrets_managers(env)
        for stack in stacks:
            for command in (["stack", "set", stack], ["secrets-manager", "secret", "migrate", "--non-interactive"]):
                result = subprocess.run([zenml, *command], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
                sys.stderr.write(result.stdout + result.stderr)
                if result.returncode != 0:
                    print(f"zenml_migrate: `zenml {' '.join(command)}` failed ({result.returncode})", file=sys.stderr)
                    return 1
        dump = subprocess.run([sys.executable, "-c", _DUMP], env=env, capture_output=True, text=True)
        if dump.returncode != 0:
            sys.stderr.write(dump.stderr)
            return 1
        sys.stdout.write(dump.stdout)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stacks_with_secrets_managers(env) -> list:
    code = (
        "import json\nfrom zenml.client import Client\n"
        "c = Client()\n"
        "names = sorted(s.name for s in c.list_stacks(size=1000).items if s.components.get('secrets_manager'))\n"
        "print(json.dumps(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(1)
    return json.loads(result.stdout.strip().splitlines()[-1])


_DUMP = """
import json
from zenml.client import Client
client = Client()
secrets = {}
for secret in client.list_secrets(size=10000).items:
    full = client.get_secret(secret.id)
    secrets[full.name] = {key: value.get_secret_value() for key, value in full.values.items()}
print(json.dumps(secrets, sort_keys=True, ensure_ascii=False))
"""

if __name__ == "__main__":
    sys.exit(main())
