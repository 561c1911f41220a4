"""What gonogo costs a smoke stage: `pytest --env NAME --stage smoke` against the same requests written
as plain pytest + httpx tests, against one real demo on loopback, alternated round by round.

    python bench/smoke_cost.py [--rounds 7]

Both sides are whole `python -m pytest` processes (interpreter start, plugin loading, collection, the
requests, the report), since that is what a CI job pays. The table shows the median wall time of each
side and the ratio per round (gonogo / plain), whose median is the figure docs/load.md quotes, and the
CPU seconds (user + system) of each process, which another job on the machine disturbs less.

What each side loads is what its own install brings, nothing else of this venv: the plain side runs
without gonogo and the plugins only gonogo brings (pytest-xdist, allure-pytest, locust's), both sides
without gonogo's dev extras (hypothesis, pytest-rerunfailures), whose plugins a user of neither has and
whose start-up cost (hypothesis is imported at every terminal summary) would be added to both sides.
Bytecode is cached for both sides in a folder of the run (PYTHONPYCACHEPREFIX), whatever
PYTHONDONTWRITEBYTECODE says, so the warm-up run warms both as an installed package is warm (pip
compiles a wheel's modules); ``--cold`` uses no bytecode on either side: every module either side
imports (the standard library's and site-packages' too) is compiled in every run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import child_cpu, machine, table

from gonogo.processes import spawn

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on (http://\S+)")
TOKEN = "bench-token-0123456789"
#: pytest plugins of gonogo's dev extras: installed here for gonogo's own tests, by neither kind of user
DEV_PLUGINS = ("hypothesispytest", "rerunfailures")
#: gonogo and the plugins that come with it (its dependencies'): a project without gonogo has none
GONOGO_PLUGINS = ("gonogo", "xdist", "xdist.looponfail", "allure_pytest", "locust")

ENVIRONMENT = """\
base_url = "{url}"
expected_version = "1.4.2"

[http]
timeout_s = 5.0
retries = 2
headers = {{ "X-Smoke-Test" = "gonogo" }}
bearer_secret = "DEMO_API_TOKEN"

[health]
path = "/health"
json = {{ status = "ok" }}

[version]
path = "/version"
field = "version"

[[routes]]
name = "list items"
path = "/api/items"
content_type = "application/json"
schema = "schemas/items.json"
max_latency_ms = 500

[[routes]]
name = "get item"
path = "/api/items/1"
content_type = "application/json"
schema = "schemas/item.json"
max_latency_ms = 500

[security]
required_headers = [
  "strict-transport-security", "x-content-type-options", "x-frame-options", "content-security-policy",
]
forbidden_headers = ["x-powered-by", "server"]
forbidden_only_with_version = ["server"]
"""

#: the same requests and assertions as gonogo's smoke checks above, written by hand
PLAIN = """\
import json
import os
from pathlib import Path

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

URL = os.environ["BENCH_URL"]
SCHEMAS = Path(__file__).parent / "environments" / "schemas"
ITEM = json.loads((SCHEMAS / "item.json").read_text())
REGISTRY = Registry().with_resource("item.json", Resource.from_contents(ITEM, DRAFT202012))
HEADERS = {"X-Smoke-Test": "gonogo", "Authorization": "Bearer " + os.environ["DEMO_API_TOKEN"]}
REQUIRED = [
    "strict-transport-security", "x-content-type-options", "x-frame-options", "content-security-policy",
]


@pytest.fixture(scope="session")
def http():
    with httpx.Client(base_url=URL, headers=HEADERS, timeout=5.0) as client:
        yield client


def test_health(http):
    response = http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_version(http):
    assert http.get("/version").json()["version"] == "1.4.2"


@pytest.mark.parametrize(("path", "schema"), [("/api/items", "items.json"), ("/api/items/1", "item.json")])
def test_route(http, path, schema):
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.elapsed.total_seconds() < 0.5
    validator = jsonschema.Draft202012Validator(json.loads((SCHEMAS / schema).read_text()), registry=REGISTRY)
    validator.validate(response.json())


@pytest.mark.parametrize("path", ["/health", "/api/items", "/api/items/1"])
def test_security_headers(http, path):
    response = http.get(path)
    for name in REQUIRED:
        assert name in response.headers
    assert "x-powered-by" not in response.headers
"""


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole pytest process."""
    started = time.perf_counter()
    with child_cpu() as cpu:
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return elapsed, cpu[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="no bytecode on either side: all compiled")
    args = parser.parse_args()
    demo_env = {**os.environ, "DEMO_API_TOKEN": TOKEN}
    demo = spawn(
        [sys.executable, "-m", "gonogo.demo", "--port", "0", "--token-env", "DEMO_API_TOKEN"],
        ready=LISTENING,
        timeout_s=30,
        env=demo_env,
    )
    env = {k: v for k, v in demo_env.items() if k not in {"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"}}
    url = demo.match.group(1)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="gonogo-bench-smoke-") as folder,
            tempfile.TemporaryDirectory(prefix="gonogo-bench-pycache-") as pycache,
        ):
            project = Path(folder)
            (project / "environments" / "schemas").mkdir(parents=True)
            for name in ("items.json", "item.json"):
                source = REPO / "environments" / "schemas" / name
                (project / "environments" / "schemas" / name).write_text(source.read_text())
            (project / "environments" / "bench.toml").write_text(ENVIRONMENT.format(url=url))
            (project / "test_plain.py").write_text(PLAIN)
            # outside the project, which gonogo's run collects; --cold: always empty, so whatever bytecode
            # the tree or site-packages hold, every module is compiled in every run, on both sides
            env["PYTHONPYCACHEPREFIX"] = pycache
            if args.cold:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
            common = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
            common += [arg for plugin in DEV_PLUGINS for arg in ("-p", f"no:{plugin}")]
            # the built-in suite from the package; the plain file left out of gonogo's run
            gonogo_run = [*common, "--env", "bench", "--stage", "smoke", "--ignore", "test_plain.py"]
            plain_run = [*common, *(arg for plugin in GONOGO_PLUGINS for arg in ("-p", f"no:{plugin}"))]
            plain_run.append("test_plain.py")
            plain_env = {**env, "BENCH_URL": url}
            _time(gonogo_run, project, env)  # warm both (bytecode, page cache)
            _time(plain_run, project, plain_env)
            rows, ratios, gonogo_s, plain_s, cpu_ratios = [], [], [], [], []
            for index in range(args.rounds):
                first_gonogo = index % 2 == 0  # alternate who goes first: drift hits both
                order = [(gonogo_run, env), (plain_run, plain_env)]
                times = [_time(argv, project, e) for argv, e in (order if first_gonogo else order[::-1])]
                (g, g_cpu), (p, p_cpu) = times if first_gonogo else times[::-1]
                gonogo_s.append(g)
                plain_s.append(p)
                ratios.append(g / p)
                cpu_ratios.append(g_cpu / p_cpu)
                rows.append(
                    [index + 1, f"{g:.2f}", f"{p:.2f}", f"{g / p:.2f}x", f"{g_cpu:.2f}", f"{p_cpu:.2f}"]
                )
    finally:
        demo.stop()
    bytecode = "no bytecode, all compiled (--cold)" if args.cold else "bytecode cached, warmed"
    print(f"smoke stage: gonogo vs plain pytest + httpx, {args.rounds} rounds, {bytecode}; {machine()}")
    print(table(["round", "gonogo s", "plain s", "ratio", "gonogo CPU s", "plain CPU s"], rows))
    print(
        f"median: gonogo {statistics.median(gonogo_s):.2f} s, plain {statistics.median(plain_s):.2f} s, "
        f"ratio {statistics.median(ratios):.2f}x (goal <= 1.10x); "
        f"CPU ratio {statistics.median(cpu_ratios):.2f}x (steadier on a shared machine)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
