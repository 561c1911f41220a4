"""The locust child never receives a secret on its command line, and writes none: the load check against a
real demo, with random secrets in the base URL's userinfo, a query, a path, a header, a body and the bearer.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .conftest import gate_check

NAMES = ("BASIC_PASS", "API_KEY", "PATH_SECRET", "HEADER_SECRET", "BODY_SECRET", "DEMO_API_TOKEN")


def _secret() -> str:
    # "!" is written plain in a URL but percent-encoded by quote(): both forms are looked for
    return f"{secrets.token_hex(8)}!{secrets.token_hex(6)}"


def _forms(value: str) -> set[str]:
    raw = value.encode()
    return {
        value,
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote_plus(value),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(f"gonogo:{value}".encode()).decode(),  # a Basic header of the userinfo
    }


def _environment(port: int) -> str:
    return f"""base_url = "http://gonogo:${{BASIC_PASS}}@127.0.0.1:{port}"
expected_version = "1.4.2"

[http]
bearer_secret = "DEMO_API_TOKEN"
headers = {{ "X-Api-Key" = "${{HEADER_SECRET}}" }}

[secrets]
required = ["BASIC_PASS", "API_KEY", "PATH_SECRET", "HEADER_SECRET", "BODY_SECRET"]

[[routes]]
name = "list items with key"
path = "/api/items?key=${{API_KEY}}"
weight = 3

[[routes]]
name = "item by secret id"
path = "/api/items/${{PATH_SECRET}}"
status = 404

[[routes]]
name = "create item"
method = "POST"
path = "/api/items"
json = {{ name = "${{BODY_SECRET}}", price = 1.0 }}
status = 201
destructive = false

[load]
users = 3
spawn_rate = 3
rate_per_s = 150
duration_s = 3
warmup_s = 1
min_requests = 20
max_error_rate = 0.05
"""


class _CommandLines:
    """Every locust command line seen in /proc while the run goes on (the child's own argv)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.seen: set[tuple[str, ...]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _CommandLines:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    argv = tuple(proc.joinpath("cmdline").read_bytes().decode(errors="replace").split("\0"))
                except OSError:
                    continue
                if "locust" in argv and self.marker in " ".join(argv):
                    self.seen.add(argv)


def test_no_secret_reaches_the_locust_childs_command_line_or_any_file_it_writes(
    demo: Any, suite_project: Any
) -> None:
    values = {name: _secret() for name in NAMES}
    target = demo("--token-env", "DEMO_API_TOKEN", env={"DEMO_API_TOKEN": values["DEMO_API_TOKEN"]})
    port = urllib.parse.urlsplit(target.url).port
    assert port is not None
    suite_project.write_env("secretive", _environment(port))

    with _CommandLines(str(suite_project.path)) as commands:
        run = suite_project.run("--env", "secretive", "--stage", "postdeploy", env=values)

    assert run.returncode == 0, run.output
    found = gate_check(run.project, "secretive")["by_name"]
    # the secrets did reach the wire: the bearer let every request in, the right statuses came back
    assert found["error rate"]["value"] == 0.0
    assert found["requests"]["value"] >= 20
    created = _items(target.url, values["DEMO_API_TOKEN"])
    assert values["BODY_SECRET"] in created

    assert commands.seen, "the locust child's command line was never seen in /proc"
    files = sorted(
        path for path in (run.project / "reports" / "secretive" / "load").iterdir() if path.is_file()
    )
    names = {path.name for path in files}
    assert {"plan.json", "results.json", "results_locust_stats.csv", "locust-report.html"} <= names, names
    texts = {" ".join(argv): "command line" for argv in commands.seen}
    texts.update({path.read_text(encoding="utf-8", errors="replace"): path.name for path in files})
    for name, value in values.items():
        for form in _forms(value):
            leaks = [where for text, where in texts.items() if form in text]
            assert not leaks, f"{name} ({form!r}) in {leaks}"

    plan = json.loads((run.project / "reports" / "secretive" / "load" / "plan.json").read_text())
    paths = {route["name"]: route["path"] for route in plan["routes"]}
    assert paths["item by secret id"] == "/api/items/${PATH_SECRET}"
    assert plan["userinfo"] == "gonogo:${BASIC_PASS}"
    assert plan["headers"] == {"X-Api-Key": "${HEADER_SECRET}"}
    assert "127.0.0.1" in plan["base_url"]
    assert "@" not in plan["base_url"]


def _items(url: str, token: str) -> str:
    request = urllib.request.Request(f"{url}/api/items", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return str(answer.read().decode())
