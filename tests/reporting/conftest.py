"""Helpers for the report tests: a check that leaks a secret everywhere it can, a scanner that looks for the
secret in every form it can take in a file, and real headless Chromium."""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.tools import npm_ci, system_tool

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "node_modules" / "allure-commandline" / "dist" / "bin" / "allure"
CHROMIUM = Path(os.environ.get("GONOGO_CHROMIUM", "/usr/bin/chromium"))

#: a check written to leak: stdout, stderr, logging, attachments made around gonogo's Evidence, a step,
#: a parameter, the description, the failure message (plain, base64, URL-encoded) and the bearer header
LEAKY_CHECK = """
import base64
import logging
import os
import sys
import urllib.parse

import allure
import pytest

TOKEN = os.environ.get("DEMO_API_TOKEN", "unset")


@pytest.mark.parametrize("token", [TOKEN])
def test_leaks_the_token_everywhere(http, evidence, token):
    b64 = base64.b64encode(token.encode()).decode()
    quoted = urllib.parse.quote(token, safe="")
    print("stdout:", token, b64, quoted)
    print("stderr:", token, file=sys.stderr)
    logging.getLogger("leaky").warning("log: %s %s", token, b64)
    evidence.text("through gonogo's evidence", f"token={token} b64={b64} quoted={quoted}")
    allure.attach(f"straight to allure: {token} {b64} {quoted}", name=f"raw {token}")
    allure.dynamic.parameter("masked token", token, mode=allure.parameter_mode.MASKED)
    allure.dynamic.description(f"description with {token}")
    with allure.step(f"a step named after {token}"):
        http.get("/api/items")
    assert token == "", f"the token {token} leaked ({b64}, {quoted})"
"""


def make_secret() -> str:
    # characters that make the URL-encoded and base64 forms differ from the plain one
    return f"gng{secrets.token_hex(6)}/{secrets.token_urlsafe(8)}+="


FRAGMENT = 10


def secret_forms(secret: str) -> dict[str, bytes]:
    """The secret as it may leave a process; plus every 10-character piece of it, which is what a truncated
    repr (pytest's ``'head...tail'``) would give away."""
    raw = secret.encode()
    pieces = {
        f"fragment {raw[i : i + FRAGMENT].decode()!r}": raw[i : i + FRAGMENT]
        for i in range(0, len(raw) - FRAGMENT + 1)
    }
    return pieces | {
        "plain": raw,
        "base64": base64.b64encode(raw),
        "base64 (no padding)": base64.b64encode(raw).rstrip(b"="),
        "urlsafe base64": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "URL-encoded": urllib.parse.quote(secret, safe="").encode(),
        "URL-encoded (form)": urllib.parse.quote_plus(secret).encode(),
        "JSON-escaped": json.dumps(secret)[1:-1].encode(),
    }


_BLOB = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")


def _decoded_blobs(data: bytes) -> list[bytes]:
    """Base64 runs decoded (the single-file report embeds every data file and attachment that way)."""
    out = []
    for match in _BLOB.finditer(data):
        blob = match.group(0)
        try:
            out.append(base64.b64decode(blob + b"=" * (-len(blob) % 4), validate=True))
        except (binascii.Error, ValueError):
            continue
    return out


def find_secret(root: Path, secret: str) -> list[str]:
    """Every ``file: form`` where the secret appears under ``root``, embedded base64 documents included."""
    forms = secret_forms(secret)
    hits = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        layers = [("", data)] + [(" (inside embedded base64)", blob) for blob in _decoded_blobs(data)]
        for where, layer in layers:
            for form, needle in forms.items():
                if needle in layer:
                    hits.append(f"{path.relative_to(root)}: {form}{where}")
    return sorted(set(hits))


@dataclass
class Browser:
    """Debian's chromium, headless, one fresh profile per call, no network beyond loopback."""

    path: Path
    scratch: Path

    def _run(self, url: str, *extra: str, timeout_s: float = 120.0) -> subprocess.CompletedProcess[str]:
        profile = self.scratch / f"profile-{secrets.token_hex(4)}"
        command = [
            str(self.path),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            # any host name resolves to nothing: the report must work from disk alone
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            "--window-size=1400,1100",
            "--virtual-time-budget=30000",
            *extra,
            url,
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=10)
            raise AssertionError(f"chromium did not finish within {timeout_s} s on {url}") from None
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)

    def dom(self, url: str, *, until: str | None = None, attempts: int = 3) -> str:
        """The page's DOM after its scripts ran; with ``until``, retried (bounded) until that text shows,
        since the report's widgets render asynchronously and a loaded machine can be slow."""
        dom = ""
        for _ in range(attempts):
            completed = self._run(url, "--dump-dom")
            assert completed.returncode == 0, f"chromium --dump-dom failed: {completed.stderr[-2000:]}"
            dom = completed.stdout
            if until is None or until in dom:
                break
        return dom

    def screenshot(self, url: str, target: Path) -> Path:
        completed = self._run(url, f"--screenshot={target}")
        assert completed.returncode == 0, f"chromium --screenshot failed: {completed.stderr[-2000:]}"
        assert target.is_file(), f"no screenshot: {completed.stderr[-2000:]}"
        return target


def require_report_tools() -> None:
    # the one rule of tests/support/tools.py: a missing system tool skips (fails in CI), the generator
    # pinned by the project's own package-lock.json is installed here
    system_tool("java", what="the Allure 2 generator")
    system_tool("chromium", CHROMIUM, what="opening the HTML report")
    npm_ci(REPO, GENERATOR)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    require_report_tools()
    return Browser(CHROMIUM, tmp_path_factory.mktemp("chromium"))


def render_report(
    project: Path, env_name: str = "demo", timeout_s: float = 300.0
) -> subprocess.CompletedProcess[str]:
    """``gonogo report`` in the project, with the repository's pinned generator."""
    return subprocess.run(
        [sys.executable, "-m", "gonogo", "report", "--env", env_name, "--reports-dir", "reports"],
        cwd=project,
        env={**os.environ, "GONOGO_ALLURE": str(GENERATOR)},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.fixture
def scan() -> Callable[[Path, str], list[str]]:
    return find_secret
