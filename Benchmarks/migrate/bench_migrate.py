#!/usr/bin/env python3
"""Time `ferry secrets-manager secret migrate` against ZenML 0.52.0's own
`zenml secrets-manager secret migrate --non-interactive` on the same input, in one run.

Run it with the interpreter of a ZenML 0.52.0 venv (it needs PyYAML and boto3, and it finds
`zenml` next to that interpreter), from the repository root:

    swift build -c release --scratch-path .build-bench
    scripts/moto-server start /tmp/bench-moto 46900 && source /tmp/bench-moto/moto.env
    ~/.cache/ferry-test/venvs/zenml052/bin/python Benchmarks/migrate/bench_migrate.py \
        --ferry .build-bench/release/ferry --local 1000,10000 --aws 1000 \
        --aws-endpoint "$FERRY_MOTO_ENDPOINT" --zenml-timeout 900 --json migrate.json

and for the server case (a ZenML 0.52.0 server; `--local '' --aws 0` leaves the others out):

    scripts/zenml-server start /tmp/zs-state 45820 0.52.0 && source /tmp/zs-state/zenml-server-0.52.0.env
    ~/.cache/ferry-test/venvs/zenml052/bin/python Benchmarks/migrate/bench_migrate.py \
        --local '' --aws 0 --server 100,300 --ferry-runs 3 --zenml-runs 3 --zenml-timeout 600

Cases:
  local N  A copy of LegacyFixtures/local/zenml-0.52.0/config whose active stack's local secrets
           manager (`ferry_local_a`) holds N generated secrets (`bench-00001` ...: username,
           password, url; ZenML's secrets.yaml format, base64 values, schema `arbitrary`) and
           nothing else. Ferry migrates into a fresh embedded store (FERRY_HOME); ZenML into
           the copy's own SQL secrets store (zenml.db, scope workspace).
  aws N    The same installation plus an `aws` secrets manager `bench_aws` (scope `component`,
           region us-east-1) registered through ZenML's Python API, on an active stack; moto
           holds N secrets under its prefix, in ZenML's naming and tag scheme (Benchmarks/aws/
           seed.py). Both tools reach moto through AWS_ENDPOINT_URL_SECRETS_MANAGER.
  server N A live ZenML 0.52.0 server (scripts/zenml-server start STATE_DIR PORT 0.52.0; its URL,
           user and password from --server-url/--server-username/--server-password, default
           $FERRY_ZENML052_SERVER_*). A client configuration made here (ZENML_STORE_* variables)
           registers on the server, once, a `local` secrets manager `ferry_bench_local` and a
           stack `ferry_bench_server_stack` (the server's default orchestrator and artifact
           store plus it) and activates the stack; the component's secrets.yaml under that
           configuration's local_stores/<uuid>/ holds N generated secrets as for `local`. ZenML
           (the `zenml` next to this interpreter, as the client) runs with a fresh copy of that
           configuration and writes into the server's centralized store (scope workspace);
           Ferry runs `--flavor local --secrets-file <that secrets.yaml> --store <server URL>`
           (ZENML_STORE_USERNAME/ZENML_STORE_PASSWORD). Before every run the server's secrets
           are wiped (scripts/zenml_server_secrets.py wipe, run by --server-python, the server
           venv's); after it the server's bench-* secrets are counted.

Every timed run starts from a fresh copy of the prepared installation (server: from an empty
server), so every run creates all N secrets. The time is wall clock from spawn to exit of the
migrate command alone (start-up included); output goes to a log file. After each run the target
store is counted (a run that did not migrate all N secrets is marked). ZenML runs get
--zenml-timeout seconds: when it is hit, ZenML is stopped and its rate is taken from the
`created` timestamps of the secrets it wrote (steady state: (k-1) / (last - first)); the full-N
time is then EXTRAPOLATED as start-up (spawn to first secret) + N / rate, and marked with `~`.
"""

import argparse
import base64
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE = os.path.join(REPO, "LegacyFixtures", "local", "zenml-0.52.0", "config")
LOCAL_MANAGER_ID = "d231df1e-6a14-4d57-8bcf-0c82b0428f2a"
AWS_COMPONENT = "bench_aws"
AWS_STACK = "bench_aws_stack"
SERVER_COMPONENT = "ferry_bench_local"
SERVER_STACK = "ferry_bench_server_stack"


def log(message):
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def secret_values(i):
    return {
        "username": f"user-{i}",
        "password": f"pässword-{i}-🔐",
        "url": f"postgres://db-{i}.example.com:5432/app?sslmode=require",
    }


def secret_name(i, count):
    return f"bench-{i:0{max(5, len(str(count)))}d}"


# ---------------------------------------------------------------- installations


def copy_installation(source, dest):
    """Copy a ZenML config dir and point config.yaml's store at the copied zenml.db."""
    import yaml

    shutil.copytree(source, dest)
    database = os.path.join(dest, "local_stores", "default_zen_store", "zenml.db")
    path = os.path.join(dest, "config.yaml")
    with open(path) as handle:
        settings = yaml.safe_load(handle)
    settings["store"]["url"] = "sqlite:///" + database
    settings["store"]["database"] = database
    with open(path, "w") as handle:
        yaml.safe_dump(settings, handle)
    return dest


def write_local_secrets(config, count, manager_id=LOCAL_MANAGER_ID):
    """secrets.yaml as ZenML's LocalSecretsManager writes it (yaml.dump of name -> {key: b64})."""
    import yaml

    items = {}
    for i in range(1, count + 1):
        entry = {k: base64.b64encode(v.encode()).decode() for k, v in secret_values(i).items()}
        entry["zenml_schema_name"] = "arbitrary"
        items[secret_name(i, count)] = entry
    path = os.path.join(config, "local_stores", manager_id, "secrets.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        yaml.dump(items, handle, Dumper=getattr(yaml, "CDumper", yaml.Dumper))
    return path


def zenml_env(config, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_", "FERRY_"))}
    env.update(ZENML_CONFIG_PATH=config, ZENML_ANALYTICS_OPT_IN="false", ZENML_LOGGING_VERBOSITY="ERROR",
               ZENML_ENABLE_RICH_TRACEBACK="false", PYTHONHASHSEED="0")
    env.update(extra or {})
    return env


REGISTER_AWS = """
import json
from zenml.client import Client
from zenml.enums import StackComponentType as T
c = Client()
# The fixture's database predates the aws integration's flavors: register the one needed.
from zenml.integrations.aws.flavors import AWSSecretsManagerFlavor
try:
    c.get_flavor_by_name_and_type(name="aws", component_type=T.SECRETS_MANAGER)
except KeyError:
    c.zen_store.create_flavor(AWSSecretsManagerFlavor().to_model(integration="aws", is_custom=False))
sm = c.create_stack_component(name=%(component)r, flavor="aws", component_type=T.SECRETS_MANAGER,
                              configuration={"region_name": "us-east-1", "scope": "component"})
stack = c.get_stack("ferry_stack_a")
components = {T.ORCHESTRATOR: stack.components[T.ORCHESTRATOR][0].name,
              T.ARTIFACT_STORE: stack.components[T.ARTIFACT_STORE][0].name,
              T.SECRETS_MANAGER: %(component)r}
c.create_stack(name=%(stack)r, components=components)
c.activate_stack(%(stack)r)
print(json.dumps({"id": str(sm.id)}))
"""


def prepare_aws(work, python, aws_env, count, endpoint):
    config = copy_installation(FIXTURE, os.path.join(work, "aws-base", "config"))
    code = REGISTER_AWS % {"component": AWS_COMPONENT, "stack": AWS_STACK}
    script = os.path.join(work, "register_aws.py")  # a file: ZenML's source loader needs a main module file
    with open(script, "w") as handle:
        handle.write(code)
    result = subprocess.run([python, script], env=zenml_env(config, aws_env), capture_output=True, text=True,
                            cwd=work)
    if result.returncode != 0:
        sys.exit(f"bench_migrate: registering the aws secrets manager failed:\n{result.stderr[-3000:]}")
    component_id = json.loads(result.stdout.strip().splitlines()[-1])["id"]
    log(f"aws: registered {AWS_COMPONENT} ({component_id}); seeding {count} secrets in moto")
    seed = [python, os.path.join(REPO, "Benchmarks", "aws", "seed.py"), "--endpoint", endpoint, "--count",
            str(count), "--scope", "component", "--component-uuid", component_id, "--component-name",
            AWS_COMPONENT, "--force"]
    result = subprocess.run(seed, env=dict(os.environ, **aws_env), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_migrate: seeding failed:\n{result.stderr[-3000:]}")
    log(f"aws: seeded {result.stdout.strip()}")
    return config, component_id


def delete_aws_secrets(python, aws_env, endpoint, component_id):
    code = (
        "import boto3,sys\n"
        "c = boto3.client('secretsmanager', region_name='us-east-1', endpoint_url=sys.argv[1])\n"
        "arns = [s['ARN'] for p in c.get_paginator('list_secrets').paginate("
        "Filters=[{'Key': 'name', 'Values': ['zenml/component/' + sys.argv[2] + '/']}]) for s in p['SecretList']]\n"
        "[c.delete_secret(SecretId=a, ForceDeleteWithoutRecovery=True) for a in arns]\n"
    )
    subprocess.run([python, "-c", code, endpoint, component_id], env=dict(os.environ, **aws_env))


REGISTER_SERVER = """
import json, sys
from zenml.client import Client
from zenml.enums import StackComponentType as T
c = Client()
name, stack_name = sys.argv[1], sys.argv[2]
try:
    sm = c.get_stack_component(T.SECRETS_MANAGER, name)
except KeyError:
    sm = c.create_stack_component(name=name, flavor="local", component_type=T.SECRETS_MANAGER, configuration={})
if sm.flavor != "local" or sm.configuration.get("secrets_file"):
    sys.exit(f"{name} on the server is not a local secrets manager with the default secrets file")
try:
    stack = c.get_stack(stack_name)
except KeyError:
    default = c.get_stack("default")
    components = {T.ORCHESTRATOR: default.components[T.ORCHESTRATOR][0].name,
                  T.ARTIFACT_STORE: default.components[T.ARTIFACT_STORE][0].name,
                  T.SECRETS_MANAGER: name}
    stack = c.create_stack(name=stack_name, components=components)
c.activate_stack(stack.id)
print(json.dumps({"id": str(sm.id), "stack": str(stack.id)}))
"""

# Run with the server venv's python: lists the bench-* secrets of the server (name, created, scope).
LIST_SERVER = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
import zenml_server_secrets as z
c = z.connect(os.environ["BENCH_SERVER_URL"], os.environ["BENCH_SERVER_USERNAME"], os.environ["BENCH_SERVER_PASSWORD"])
rows = [[s.name, s.created.isoformat(), str(getattr(s.scope, "value", s.scope)), s.workspace.name]
        for s in z.all_secrets(c) if s.name.startswith("bench-")]
print(json.dumps(rows))
"""


def server_store_env(args):
    return {"ZENML_STORE_URL": args.server_url, "ZENML_STORE_USERNAME": args.server_username,
            "ZENML_STORE_PASSWORD": args.server_password}


def prepare_server(work, args, count):
    """A client configuration on the server with the bench stack active and N secrets in its local manager."""
    config = os.path.join(work, f"server-{count}-base", "config")
    os.makedirs(config)
    script = os.path.join(work, "register_server.py")
    with open(script, "w") as handle:
        handle.write(REGISTER_SERVER)
    result = subprocess.run([sys.executable, script, SERVER_COMPONENT, SERVER_STACK],
                            env=zenml_env(config, server_store_env(args)), capture_output=True, text=True, cwd=work)
    if result.returncode != 0:
        sys.exit(f"bench_migrate: registering the local secrets manager on the server failed:\n"
                 f"{result.stderr[-3000:]}")
    component_id = json.loads(result.stdout.strip().splitlines()[-1])["id"]
    path = write_local_secrets(config, count, component_id)
    log(f"server: {SERVER_COMPONENT} ({component_id}) active on {args.server_url}; {count} secrets in {path}")
    return config, path


def server_helper_env(args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_", "FERRY_"))}
    # zenml_server_secrets.py wipe reads FERRY_ZENML052_SERVER_* (the prefix of a 0.52 python).
    env.update(FERRY_ZENML052_SERVER_URL=args.server_url, FERRY_ZENML052_SERVER_USERNAME=args.server_username,
               FERRY_ZENML052_SERVER_PASSWORD=args.server_password, BENCH_SERVER_URL=args.server_url,
               BENCH_SERVER_USERNAME=args.server_username, BENCH_SERVER_PASSWORD=args.server_password)
    return env


def wipe_server(args):
    result = subprocess.run([args.server_python, os.path.join(REPO, "scripts", "zenml_server_secrets.py"), "wipe"],
                            env=server_helper_env(args), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_migrate: wiping the server failed:\n{result.stderr[-3000:]}")


def server_secrets(args):
    """[(name, created naive UTC, scope, workspace)] of the server's bench-* secrets, by creation."""
    result = subprocess.run([args.server_python, "-c", LIST_SERVER, os.path.join(REPO, "scripts")],
                            env=server_helper_env(args), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_migrate: listing the server's secrets failed:\n{result.stderr[-3000:]}")
    rows = [(n, datetime.fromisoformat(c).replace(tzinfo=None), sc, w) for n, c, sc, w in json.loads(result.stdout)]
    return sorted(rows, key=lambda r: r[1])


# ---------------------------------------------------------------- runs


def timed(argv, env, log_path, timeout=None):
    """Wall-clock seconds from spawn to exit; (seconds, returncode, timed_out, start_utc)."""
    with open(log_path, "w") as out:
        start_utc = datetime.now(timezone.utc).replace(tzinfo=None)
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
            return time.perf_counter() - started, code, False, start_utc
        except subprocess.TimeoutExpired:
            elapsed = time.perf_counter() - started
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            return elapsed, proc.returncode, True, start_utc


def count_ferry(home):
    db = sqlite3.connect(os.path.join(home, "ferry.db"))
    try:
        return db.execute("SELECT COUNT(*) FROM secret WHERE name LIKE 'bench-%'").fetchone()[0]
    finally:
        db.close()


def zenml_created(config):
    """Creation times (naive UTC datetimes, sorted) of the bench secrets in the copy's zenml.db."""
    db = sqlite3.connect(os.path.join(config, "local_stores", "default_zen_store", "zenml.db"))
    try:
        rows = db.execute("SELECT created FROM secret WHERE name LIKE 'bench-%' ORDER BY created").fetchall()
    finally:
        db.close()
    return [datetime.fromisoformat(r[0]) for r in rows]


def run_ferry(args, base, work, label, run, extra_env, extra_args):
    config = copy_installation(base, os.path.join(work, f"{label}-ferry-{run}", "config"))
    home = tempfile.mkdtemp(prefix="home-", dir=os.path.dirname(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_", "FERRY_"))}
    env.update(FERRY_HOME=home, **extra_env)
    argv = [args.ferry, "secrets-manager", "secret", "migrate", "--config-dir", config, "--yes", *extra_args]
    seconds, code, _, _ = timed(argv, env, os.path.join(os.path.dirname(config), "ferry.log"))
    migrated = count_ferry(home)
    shutil.rmtree(os.path.dirname(config), ignore_errors=True)
    return {"seconds": seconds, "exit": code, "migrated": migrated}


def run_zenml(args, base, work, label, run, extra_env, count):
    config = copy_installation(base, os.path.join(work, f"{label}-zenml-{run}", "config"))
    env = zenml_env(config, extra_env)
    log_path = os.path.join(os.path.dirname(config), "zenml.log")
    argv = [args.zenml, "secrets-manager", "secret", "migrate", "--non-interactive"]
    seconds, code, timed_out, start_utc = timed(argv, env, log_path, timeout=args.zenml_timeout)
    result = zenml_result(seconds, code, timed_out, start_utc, zenml_created(config), count, log_path)
    if args.keep:
        result["workdir"] = os.path.dirname(config)
    else:
        shutil.rmtree(os.path.dirname(config), ignore_errors=True)
    return result


def zenml_result(seconds, code, timed_out, start_utc, created, count, log_path):
    result = {"seconds": seconds, "exit": code, "migrated": len(created), "timed_out": timed_out}
    if len(created) >= 2:
        steady = (created[-1] - created[0]).total_seconds()
        result["startup_s"] = (created[0] - start_utc).total_seconds()
        result["steady_rate"] = (len(created) - 1) / steady if steady > 0 else None
        if timed_out and result["steady_rate"]:
            result["extrapolated_s"] = result["startup_s"] + count / result["steady_rate"]
    if code != 0 and not timed_out:
        with open(log_path) as handle:
            result["log_tail"] = handle.read()[-2000:]
    return result


def scopes(rows):
    found = {}
    for _, _, scope, workspace in rows:
        found[f"{scope}@{workspace}"] = found.get(f"{scope}@{workspace}", 0) + 1
    return found


def run_ferry_server(args, base, work, label, run, secrets_file):
    wipe_server(args)
    folder = os.path.join(work, f"{label}-ferry-{run}")
    home = os.path.join(folder, "home")
    os.makedirs(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_", "FERRY_"))}
    env.update(FERRY_HOME=home, ZENML_STORE_USERNAME=args.server_username, ZENML_STORE_PASSWORD=args.server_password)
    argv = [args.ferry, "secrets-manager", "secret", "migrate", "--flavor", "local", "--secrets-file", secrets_file,
            "--store", args.server_url, "--yes"]
    log_path = os.path.join(folder, "ferry.log")
    seconds, code, _, _ = timed(argv, env, log_path)
    rows = server_secrets(args)
    result = {"seconds": seconds, "exit": code, "migrated": len(rows), "scopes": scopes(rows)}
    if code != 0:
        with open(log_path) as handle:
            result["log_tail"] = handle.read()[-2000:]
    shutil.rmtree(folder, ignore_errors=True)
    return result


def run_zenml_server(args, base, work, label, run, count):
    wipe_server(args)
    config = os.path.join(work, f"{label}-zenml-{run}", "config")
    shutil.copytree(base, config)
    env = zenml_env(config, server_store_env(args))
    log_path = os.path.join(os.path.dirname(config), "zenml.log")
    argv = [args.zenml, "secrets-manager", "secret", "migrate", "--non-interactive"]
    seconds, code, timed_out, start_utc = timed(argv, env, log_path, timeout=args.zenml_timeout)
    rows = server_secrets(args)
    result = zenml_result(seconds, code, timed_out, start_utc, [r[1] for r in rows], count, log_path)
    result["scopes"] = scopes(rows)
    if args.keep:
        result["workdir"] = os.path.dirname(config)
    else:
        shutil.rmtree(os.path.dirname(config), ignore_errors=True)
    return result


def case(args, work, label, base, count, extra_env, ferry_args, ferry_runner=None, zenml_runner=None):
    """ferry_runner(run) / zenml_runner(run) replace the installation-copy runs (server case)."""
    ferry_runner = ferry_runner or (lambda run: run_ferry(args, base, work, label, run, extra_env, ferry_args))
    zenml_runner = zenml_runner or (lambda run: run_zenml(args, base, work, label, run, extra_env, count))
    log(f"{label}: {count} secrets; ferry x{args.ferry_runs}, zenml x{args.zenml_runs}")
    ferry, zenml = [], []
    # Interleave: ferry, zenml, ferry, zenml, ... so a change in machine load hits both.
    for run in range(max(args.ferry_runs, args.zenml_runs)):
        if run < args.ferry_runs:
            r = ferry_runner(run)
            log(f"{label}: ferry run {run + 1}: {r['seconds']:.3f} s, exit {r['exit']}, {r['migrated']}/{count} in store"
                + (f" {r['scopes']}" if "scopes" in r else ""))
            if r.get("log_tail"):
                log(f"ferry output tail:\n{r['log_tail']}")
            ferry.append(r)
        if run < args.zenml_runs:
            r = zenml_runner(run)
            extra = f" (stopped at the {args.zenml_timeout:.0f} s budget)" if r["timed_out"] else ""
            rate = f", steady {r['steady_rate']:.2f} secrets/s" if r.get("steady_rate") else ""
            log(f"{label}: zenml run {run + 1}: {r['seconds']:.1f} s{extra}, exit {r['exit']}, "
                f"{r['migrated']}/{count} in store{rate}" + (f" {r['scopes']}" if "scopes" in r else ""))
            if r.get("log_tail"):
                log(f"zenml output tail:\n{r['log_tail']}")
            zenml.append(r)
    return {"case": label, "count": count, "ferry": ferry, "zenml": zenml}


# ---------------------------------------------------------------- report


def summarize(result):
    count = result["count"]
    ferry_times = [r["seconds"] for r in result["ferry"] if r["exit"] == 0 and r["migrated"] == count]
    ferry_median = statistics.median(ferry_times) if ferry_times else None
    complete = [r["seconds"] for r in result["zenml"] if not r["timed_out"] and r["exit"] == 0 and r["migrated"] == count]
    estimated = [r["extrapolated_s"] for r in result["zenml"] if r.get("extrapolated_s")]
    if complete:
        zenml_median, approx = statistics.median(complete), False
    elif estimated:
        zenml_median, approx = statistics.median(estimated), True
    else:
        zenml_median, approx = None, False
    rates = [r["steady_rate"] for r in result["zenml"] if r.get("steady_rate")]
    return {
        "ferry_median_s": ferry_median, "ferry_runs": len(ferry_times), "ferry_all_s": [r["seconds"] for r in result["ferry"]],
        "zenml_median_s": zenml_median, "zenml_extrapolated": approx, "zenml_runs": len(result["zenml"]),
        "zenml_all_s": [r["seconds"] for r in result["zenml"]],
        "zenml_migrated": [r["migrated"] for r in result["zenml"]],
        "zenml_steady_rate": statistics.median(rates) if rates else None,
        "zenml_startup_s": statistics.median([r["startup_s"] for r in result["zenml"] if "startup_s" in r] or [float("nan")]),
        "ratio": (zenml_median / ferry_median) if ferry_median and zenml_median else None,
    }


def report(results):
    print(f"date {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()} {platform.release()}; "
          f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = (f"{'case':<12} {'N':>6}  {'ferry median s':>14} {'runs':>4}  {'zenml s':>10} {'runs':>4} "
              f"{'zenml secrets/s':>15} {'zenml start s':>13}  {'zenml/ferry':>11}  ferry secrets/s")
    print(header)
    for result in results:
        s = summarize(result)
        fm = f"{s['ferry_median_s']:.3f}" if s["ferry_median_s"] else "-"
        zm = ("~" if s["zenml_extrapolated"] else "") + (f"{s['zenml_median_s']:.1f}" if s["zenml_median_s"] else "-")
        rate = f"{s['zenml_steady_rate']:.2f}" if s["zenml_steady_rate"] else "-"
        ratio = ("~" if s["zenml_extrapolated"] else "") + (f"{s['ratio']:.0f}x" if s["ratio"] else "-")
        frate = f"{result['count'] / s['ferry_median_s']:.0f}" if s["ferry_median_s"] else "-"
        print(f"{result['case']:<12} {result['count']:>6}  {fm:>14} {s['ferry_runs']:>4}  {zm:>10} {s['zenml_runs']:>4} "
              f"{rate:>15} {s['zenml_startup_s']:>13.1f}  {ratio:>11}  {frate}")
        print(f"{'':<12} ferry runs: {', '.join(f'{x:.3f}' for x in s['ferry_all_s'])} s; zenml runs: "
              f"{', '.join(f'{x:.1f}' for x in s['zenml_all_s'])} s, migrated {s['zenml_migrated']}")
    print("~ = ZenML stopped at its time budget; its full-N time is start-up + N / its steady rate (extrapolated).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ferry", default=os.path.join(REPO, ".build-bench", "release", "ferry"))
    parser.add_argument("--zenml", default=os.path.join(os.path.dirname(sys.executable), "zenml"))
    parser.add_argument("--local", default="1000,10000", help="comma-separated counts ('' to skip)")
    parser.add_argument("--aws", type=int, default=1000, help="secrets in moto (0 to skip)")
    parser.add_argument("--aws-endpoint", default=os.environ.get("FERRY_MOTO_ENDPOINT"))
    parser.add_argument("--server", default="", help="comma-separated counts for the ZenML 0.52.0 server case")
    parser.add_argument("--server-url", default=os.environ.get("FERRY_ZENML052_SERVER_URL"))
    parser.add_argument("--server-username", default=os.environ.get("FERRY_ZENML052_SERVER_USERNAME"))
    parser.add_argument("--server-password", default=os.environ.get("FERRY_ZENML052_SERVER_PASSWORD"))
    parser.add_argument("--server-python", default=os.environ.get("FERRY_ZENML052_SERVER_PYTHON"),
                        help="a python with zenml 0.52.0 to wipe and count the server's secrets")
    parser.add_argument("--ferry-runs", type=int, default=3)
    parser.add_argument("--zenml-runs", type=int, default=1)
    parser.add_argument("--zenml-timeout", type=float, default=900.0, help="seconds per ZenML run")
    parser.add_argument("--json", help="also write every run as JSON")
    parser.add_argument("--keep", action="store_true", help="keep ZenML's run folders")
    args = parser.parse_args()
    args.ferry = os.path.abspath(args.ferry)
    for tool in (args.ferry, args.zenml):
        if not os.access(tool, os.X_OK):
            sys.exit(f"bench_migrate: {tool} is not executable")
    counts = [int(x) for x in args.local.split(",") if x.strip()]
    server_counts = [int(x) for x in args.server.split(",") if x.strip()]
    if server_counts and not (args.server_url and args.server_username is not None and args.server_password is not None
                              and args.server_python):
        sys.exit("bench_migrate: --server needs --server-url/-username/-password/-python "
                 "(source STATE_DIR/zenml-server-0.52.0.env)")
    work = tempfile.mkdtemp(prefix="ferry-bench-migrate-")
    results = []
    try:
        for count in counts:
            base = copy_installation(FIXTURE, os.path.join(work, f"local-{count}-base", "config"))
            write_local_secrets(base, count)
            results.append(case(args, work, f"local", base, count, {}, []))
        for count in server_counts:
            base, secrets_file = prepare_server(work, args, count)
            label = "server"
            results.append(case(args, work, label, base, count, {}, [],
                                ferry_runner=lambda run: run_ferry_server(args, base, work, f"{label}-{count}", run,
                                                                          secrets_file),
                                zenml_runner=lambda run: run_zenml_server(args, base, work, f"{label}-{count}", run,
                                                                          count)))
            wipe_server(args)  # leave the server as found by the next run
        if args.aws:
            if not (args.aws_endpoint and os.environ.get("AWS_ACCESS_KEY_ID")):
                sys.exit("bench_migrate: --aws needs --aws-endpoint and AWS credentials (source STATE_DIR/moto.env)")
            aws_env = {"AWS_ENDPOINT_URL_SECRETS_MANAGER": args.aws_endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_REGION": "us-east-1"}
            base, component_id = prepare_aws(work, sys.executable, aws_env, args.aws, args.aws_endpoint)
            try:
                results.append(case(args, work, "aws (moto)", base, args.aws, aws_env,
                                    ["--secrets-manager", AWS_COMPONENT]))
            finally:
                delete_aws_secrets(sys.executable, aws_env, args.aws_endpoint, component_id)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    report(results)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"results": results, "summary": [summarize(r) for r in results]}, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
