#!/usr/bin/env python3
"""Print the centralized secrets of a ZenML SQLite database as the ZenML running this script
reads them (ZenML 0.52.0 from the zenml052 venv, or the newest from scripts/zenml-server's venv).

    python LegacyFixtures/tools/zenml_db_secrets.py --db PATH/zenml.db

The database is opened through ZenML's own client (`ZENML_STORE_URL=sqlite:///PATH`, a throwaway
`ZENML_CONFIG_PATH`), so this is what ZenML itself sees. Output on stdout, sorted keys:
`{"<name>": {"private": bool, "values": {...}}}` (`private` is true for 0.34–0.7x `user`-scoped
secrets). The database must already be at this ZenML's schema version (it is not migrated).

Exit codes: 0 ok, 1 ZenML failed (message on stderr), 2 usage error.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

_READ = """
import json
from zenml.client import Client
client = Client()
out = {}
for secret in client.list_secrets(size=10000).items:
    full = client.get_secret(secret.id)
    private = getattr(full, "private", None)
    if private is None:
        private = str(getattr(full, "scope", "")).endswith("user")
    out[full.name] = {"private": bool(private), "values": dict(full.secret_values)}
print(json.dumps(out, sort_keys=True, ensure_ascii=False))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    if not os.path.isfile(args.db):
        print(f"zenml_db_secrets: no database at {args.db}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ferry-zenml-db-") as config:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZENML_")}
        env.update(ZENML_CONFIG_PATH=config, ZENML_STORE_URL="sqlite:///" + os.path.abspath(args.db), ZENML_STORE_TYPE="sql",
                   ZENML_ANALYTICS_OPT_IN="false", ZENML_LOGGING_VERBOSITY="ERROR", ZENML_ENABLE_RICH_TRACEBACK="false")
        result = subprocess.run([sys.executable, "-c", _READ], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stderr[-3000:])
            return 1
        sys.stdout.write(result.stdout.strip().splitlines()[-1] + "\n")
        return 0


if __name__ == "__main__":
    sys.exit(main())
