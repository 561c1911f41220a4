"""What gonogo costs a smoke stage: `pytest --env NAME --stage smoke` against the same requests written
as plain pytest + httpx tests, against one real demo on loopback, alternated round by round.

    python bench/smoke_cost.py [--rounds 7]

Both sides are whole `python -m pytest` processes (interpreter start, plugin loading, collection, the
requests, the report), since that is what a CI job pays. The table shows the median wall time of each
side and the ratio per round (gonogo / plain), whose median is the figure docs/load.md quotes.
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

from _common import machine, table

from gonogo.processes import spawn

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on (http://\S+)")
TOKEN = "bench-token-0123456789"

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


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "DEMO_API_TOKEN": TOKEN}
    demo = spawn(
        [sys.executable, "-m", "gonogo.demo", "--port", "0", "--token-env", "DEMO_API_TOKEN"],
        ready=LISTENING,
        timeout_s=30,
        env=env,
    )
    url = demo.match.group(1)
    try:
        with tempfile.TemporaryDirectory(prefix="gonogo-bench-smoke-") as folder:
            project = Path(folder)
            (project / "environments" / "schemas").mkdir(parents=True)
            for name in ("items.json", "item.json"):
                source = REPO / "environments" / "schemas" / name
                (project / "environments" / "schemas" / name).write_text(source.read_text())
            (project / "environments" / "bench.toml").write_text(ENVIRONMENT.format(url=url))
            (project / "test_plain.py").write_text(PLAIN)
            common = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
            # the built-in suite from the package; the plain file left out of gonogo's run
            gonogo_run = [*common, "--env", "bench", "--stage", "smoke", "--ignore", "test_plain.py"]
            plain_run = [*common, "-p", "no:gonogo", "test_plain.py"]
            plain_env = {**env, "BENCH_URL": url}
            _time(gonogo_run, project, env)  # warm both (bytecode, page cache)
            _time(plain_run, project, plain_env)
            rows, ratios, gonogo_s, plain_s = [], [], [], []
            for index in range(args.rounds):
                first_gonogo = index % 2 == 0  # alternate who goes first: drift hits both
                order = [(gonogo_run, env), (plain_run, plain_env)]
                times = [_time(argv, project, e) for argv, e in (order if first_gonogo else order[::-1])]
                g, p = (times[0], times[1]) if first_gonogo else (times[1], times[0])
                gonogo_s.append(g)
                plain_s.append(p)
                ratios.append(g / p)
                rows.append([index + 1, f"{g:.2f}", f"{p:.2f}", f"{g / p:.2f}x"])
    finally:
        demo.stop()
    print(f"smoke stage: gonogo vs plain pytest + httpx, {args.rounds} rounds; {machine()}")
    print(table(["round", "gonogo s", "plain s", "ratio"], rows))
    print(
        f"median: gonogo {statistics.median(gonogo_s):.2f} s, plain {statistics.median(plain_s):.2f} s, "
        f"ratio {statistics.median(ratios):.2f}x (goal <= 1.10x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
