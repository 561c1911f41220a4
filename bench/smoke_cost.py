"""What gonogo costs a smoke stage: `pytest --env NAME --stage smoke` against the same requests written
as plain pytest + httpx tests, against one real demo on loopback, alternated round by round.

    python bench/smoke_cost.py [--rounds 7]

Every side is a whole `python -m pytest` process (interpreter start, plugin loading, collection, the
requests, the report), since that is what a CI job pays. The table shows each side's wall time per round
and the ratios gonogo / plain and floor / plain, whose medians are the figures docs/load.md quotes, and
the CPU seconds (user + system) of each process, which another job on the machine disturbs less.

What each side loads is what its own install brings, nothing else of this venv: the plain side runs
without gonogo and the plugins only gonogo brings (pytest-xdist, allure-pytest, locust's), both sides
without gonogo's dev extras (hypothesis, pytest-rerunfailures), whose plugins a user of neither has and
whose start-up cost (hypothesis is imported at every terminal summary) would be added to both sides.
Bytecode is cached for both sides in a folder of the run (PYTHONPYCACHEPREFIX), whatever
PYTHONDONTWRITEBYTECODE says, so the warm-up run warms both as an installed package is warm (pip
compiles a wheel's modules); ``--cold`` uses no bytecode on either side: every module either side
imports (the standard library's and site-packages' too) is compiled in every run.

A third side, the floor, is the plain tests again with what gonogo stands on and nothing of gonogo's
own: the plugins that come with gonogo loaded (pytest-xdist, allure-pytest, locust's), Allure results
written (gonogo writes them in every run) and the target's settings validated by a pydantic model. No
build of gonogo on these packages can cost less than the floor, so floor / plain is the lowest ratio
any gonogo on them can reach, and gonogo / floor is what gonogo's own code costs.
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

#: the floor: the plain tests with their settings validated by pydantic (the plugins are loaded by the run)
FLOOR = PLAIN.replace(
    'URL = os.environ["BENCH_URL"]\n',
    """from pydantic import BaseModel, ConfigDict


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    base_url: str
    expected_version: str
    timeout_s: float
    max_latency_ms: int


TARGET = Target.model_validate(
    {"base_url": os.environ["BENCH_URL"], "expected_version": "1.4.2", "timeout_s": 5.0,
     "max_latency_ms": 500}
)
URL = TARGET.base_url
""",
)


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
            (project / "test_floor.py").write_text(FLOOR)
            # outside the project, which gonogo's run collects; --cold: always empty, so whatever bytecode
            # the tree or site-packages hold, every module is compiled in every run, on both sides
            env["PYTHONPYCACHEPREFIX"] = pycache
            if args.cold:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
            common = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
            common += [arg for plugin in DEV_PLUGINS for arg in ("-p", f"no:{plugin}")]
            plain_env = {**env, "BENCH_URL": url}
            runs = {
                # the built-in suite from the package; the hand-written files left out of gonogo's run
                "gonogo": (
                    [
                        *common,
                        "--env",
                        "bench",
                        "--stage",
                        "smoke",
                        "--ignore",
                        "test_plain.py",
                        "--ignore",
                        "test_floor.py",
                    ],
                    env,
                ),
                # gonogo's plugins loaded, gonogo's own not
                "floor": (
                    [
                        *common,
                        "-p",
                        "no:gonogo",
                        "--alluredir",
                        "floor-allure",
                        "--clean-alluredir",
                        "test_floor.py",
                    ],
                    plain_env,
                ),
                "plain": (
                    [
                        *common,
                        *(arg for plugin in GONOGO_PLUGINS for arg in ("-p", f"no:{plugin}")),
                        "test_plain.py",
                    ],
                    plain_env,
                ),
            }
            for argv, side_env in runs.values():  # warm them all (bytecode, page cache)
                _time(argv, project, side_env)
            names = list(runs)
            wall: dict[str, list[float]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            rows = []
            for index in range(args.rounds):
                # rotate who goes first: drift hits every side
                for name in names[index % len(names) :] + names[: index % len(names)]:
                    seconds, cpu_seconds = _time(runs[name][0], project, runs[name][1])
                    wall[name].append(seconds)
                    cpu[name].append(cpu_seconds)
                g, f, p = (wall[name][-1] for name in names)
                g_cpu, f_cpu, p_cpu = (cpu[name][-1] for name in names)
                rows.append(
                    [
                        index + 1,
                        f"{g:.2f}",
                        f"{f:.2f}",
                        f"{p:.2f}",
                        f"{g / p:.2f}x",
                        f"{f / p:.2f}x",
                        f"{g_cpu:.2f}",
                        f"{f_cpu:.2f}",
                        f"{p_cpu:.2f}",
                    ]
                )
    finally:
        demo.stop()
    bytecode = "no bytecode, all compiled (--cold)" if args.cold else "bytecode cached, warmed"
    print(f"smoke stage: gonogo vs plain pytest + httpx, {args.rounds} rounds, {bytecode}; {machine()}")
    headers = [
        "round",
        "gonogo s",
        "floor s",
        "plain s",
        "gonogo/plain",
        "floor/plain",
        "gonogo CPU s",
        "floor CPU s",
        "plain CPU s",
    ]
    print(table(headers, rows))

    def ratio(side: dict[str, list[float]], top: str, bottom: str) -> float:
        return statistics.median(a / b for a, b in zip(side[top], side[bottom], strict=True))

    print(
        f"median: gonogo {statistics.median(wall['gonogo']):.2f} s, "
        f"floor {statistics.median(wall['floor']):.2f} s, plain {statistics.median(wall['plain']):.2f} s; "
        f"gonogo/plain {ratio(wall, 'gonogo', 'plain'):.2f}x "
        f"(goal <= 1.10x), floor/plain {ratio(wall, 'floor', 'plain'):.2f}x (the least any gonogo on these "
        f"packages can reach), gonogo/floor {ratio(wall, 'gonogo', 'floor'):.2f}x (gonogo's own code)"
    )
    print(
        f"CPU (steadier on a shared machine): gonogo/plain {ratio(cpu, 'gonogo', 'plain'):.2f}x, "
        f"floor/plain {ratio(cpu, 'floor', 'plain'):.2f}x, gonogo/floor {ratio(cpu, 'gonogo', 'floor'):.2f}x"
    )
    least = {name: min(values) for name, values in cpu.items()}
    print(
        f"least CPU of each side (the cost less the noise of other jobs): gonogo {least['gonogo']:.2f} s, "
        f"floor {least['floor']:.2f} s, plain {least['plain']:.2f} s; gonogo/plain "
        f"{least['gonogo'] / least['plain']:.2f}x, floor/plain {least['floor'] / least['plain']:.2f}x, "
        f"gonogo/floor {least['gonogo'] / least['floor']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
