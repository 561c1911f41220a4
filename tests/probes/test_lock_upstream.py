"""gonogo's lock-versus-manifest verdicts against the package managers themselves, offline.

Every lock of the real-world corpus (tests/fixtures/realworld/locks) is handed, in a copy, to the tool
that wrote it, run so that it never reaches a registry: ``uv lock --check --offline``, ``poetry check
--lock``, ``pdm lock --check``, ``pipenv verify``, ``npm ci --offline``, ``yarn install --frozen-lockfile
--offline`` (yarn classic), ``yarn install --immutable`` with the network disabled (yarn berry),
``pnpm install --frozen-lockfile --offline``, ``bun install --frozen-lockfile --dry-run`` (with its
registry pointed at a closed loopback port). The installers stop at the first download when they accept
the lock, and before it when they do not; which one happened is read from what they say.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from gonogo.probes import lockfiles
from tests.probes.conftest import Tools, run_tool

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
CASES = [
    case
    for case in tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
    if case["kind"] == "lock"
    and lockfiles.kind_of(CORPUS / case["file"]) not in ("requirements", "pylock.toml")
]
#: where the current tool and the tool that wrote the lock disagree, because the tool changed its hash
#: formula since (docs/checks.md): gonogo follows the lock's writer and says so in a note
HASH_FORMULA_CHANGED = {"pdm-gilded-rose", "pdm-birthday-greetings", "pipfile-pypom"}
CLOSED_PORT = "http://127.0.0.1:9/"


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    evidence: str


def _judge(kind: str, folder: Path, py: Tools, js: Tools, scratch: Path) -> Verdict:
    node = shutil.which("node") or "node"
    lock = next(p for p in folder.iterdir() if lockfiles.kind_of(p) == kind)
    if kind == "uv.lock":
        code, out = run_tool(
            [str(py.get("uv")), "lock", "--check", "--offline", "--python", sys.executable],
            folder,
            {"UV_CACHE_DIR": str(scratch / "uv")},
        )
        return Verdict(code == 0, out)
    if kind in ("poetry.lock", "pdm.lock", "Pipfile.lock"):
        command = {
            "poetry.lock": [str(py.get("poetry")), "check", "--lock", "--no-interaction"],
            "pdm.lock": [str(py.get("pdm")), "lock", "--check"],
            "Pipfile.lock": [str(py.get("pipenv")), "verify"],
        }[kind]
        code, out = run_tool(command, folder, {"PIPENV_IGNORE_VIRTUALENVS": "1", "PDM_CHECK_UPDATE": "false"})
        return Verdict(code == 0, out)
    if kind == "package-lock.json":
        code, out = run_tool(
            [
                "npm",
                "ci",
                "--offline",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--cache",
                str(scratch / "npm"),
            ],
            folder,
        )
        # accepted: it starts downloading tarballs; refused: it asks the registry for a package's versions
        assert (code != 0 and "ENOTCACHED" in out) or "in sync" in out, out[-2000:]
        return Verdict("/-/" in out.split("request to", 1)[-1].split(" ", 2)[1], out)
    if kind == "yarn.lock" and "__metadata:" in lock.read_text(encoding="utf-8"):
        return _judge_berry(lock, folder, js, scratch)
    if kind == "yarn.lock":
        code, out = run_tool(
            [
                node,
                str(js.get("yarn")),
                "install",
                "--frozen-lockfile",
                "--offline",
                "--ignore-scripts",
                "--non-interactive",
                "--cache-folder",
                str(scratch / "yarn"),
            ],
            folder,
        )
        return Verdict("Can't make a request in offline mode" in out or code == 0, out)
    if kind == "pnpm-lock.yaml":
        old = str(lockfiles.check(lock).entries) and lock.read_text(encoding="utf-8").startswith(
            "lockfileVersion: '6"
        )
        pnpm = js.get("pnpm8" if old else "pnpm")
        code, out = run_tool(
            [
                node,
                str(pnpm),
                "install",
                "--frozen-lockfile",
                "--offline",
                "--ignore-scripts",
                "--store-dir",
                str(scratch / "pnpm"),
            ],
            folder,
            # the pnpm under test judges the lock, not the one a "packageManager" field names
            {"npm_config_manage_package_manager_versions": "false"},
        )
        assert "ERR_PNPM_OUTDATED_LOCKFILE" in out or "ERR_PNPM_NO_OFFLINE" in out or code == 0, out[-2000:]
        return Verdict("ERR_PNPM_OUTDATED_LOCKFILE" not in out, out)
    if kind == "bun.lock":
        code, out = run_tool(
            [str(js.get("bun")), "install", "--frozen-lockfile", "--dry-run"],
            folder,
            {"BUN_CONFIG_REGISTRY": CLOSED_PORT, "BUN_INSTALL_CACHE_DIR": str(scratch / "bun")},
        )
        return Verdict("lockfile had changes, but lockfile is frozen" not in out, out)
    raise AssertionError(f"no upstream tool for {kind}")


def _judge_berry(lock: Path, folder: Path, js: Tools, scratch: Path) -> Verdict:
    """yarn berry: ``yarn install --immutable`` with the network disabled. It reads the lock in its
    resolution step and compares what it would write with it in "post-resolution validation" (YN0028:
    the lockfile would have been modified); a descriptor the lock lacks sends it to the registry already
    in the resolution step (YN0080, network disabled). Only a lock it accepts reaches the fetch step.

    The lock is read as the lockfile version it was written in (``YARN_LOCKFILE_VERSION_OVERRIDE``): a
    yarn newer than the project's own re-resolves every package of an older lock to refresh it, which is
    that yarn's upgrade, not the lock's being out of date."""
    metadata = yaml.safe_load(lock.read_text(encoding="utf-8")).get("__metadata") or {}
    _, out = run_tool(
        [
            shutil.which("node") or "node",
            str(js.get("yarn-berry")),
            "install",
            "--immutable",
            "--mode=skip-build",
        ],
        folder,
        {
            "YARN_LOCKFILE_VERSION_OVERRIDE": str(metadata.get("version", "")),
            "YARN_IGNORE_PATH": "1",  # the project's .yarnrc.yml yarnPath names a release not copied here
            "YARN_ENABLE_NETWORK": "0",
            "YARN_ENABLE_TELEMETRY": "0",
            "YARN_ENABLE_GLOBAL_CACHE": "0",
            "YARN_CACHE_FOLDER": str(scratch / "yarn-berry"),
        },
    )
    assert "Resolution step" in out, out[-2000:]
    return Verdict("Fetch step" in out and "YN0028" not in out, out)


@pytest.fixture(scope="module")
def upstream(
    py_tools: Tools, js_tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Verdict]:
    """Every case's verdict by its tool, four at a time (each run is mostly a tool starting up)."""

    def judge(case: dict[str, Any]) -> Verdict:
        folder = (CORPUS / case["file"]).parent
        copy = tmp_path_factory.mktemp(folder.name) / folder.name
        shutil.copytree(folder, copy)
        return _judge(lockfiles.kind_of(CORPUS / case["file"]), copy, py_tools, js_tools, copy.parent)

    tmp_path_factory.getbasetemp()  # made once, here: four threads making it at once race in its clean-up
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip([case["file"] for case in CASES], pool.map(judge, CASES), strict=True))


@pytest.mark.parametrize("case", CASES, ids=[Path(case["file"]).parent.name for case in CASES])
def test_the_tool_that_wrote_the_lock_agrees_with_gonogo(
    case: dict[str, Any], upstream: dict[str, Verdict]
) -> None:
    report = lockfiles.check(CORPUS / case["file"])
    theirs = upstream[case["file"]]
    name = Path(case["file"]).parent.name
    if name in HASH_FORMULA_CHANGED:
        assert not theirs.accepted, theirs.evidence[-1500:]
        assert report.problems == []
        assert any("current" in note for note in report.notes), report.notes
        return
    assert theirs.accepted == (not report.problems), (
        f"gonogo: {report.problems}\ntool:\n{theirs.evidence[-1500:]}"
    )
    assert theirs.accepted == (case["expected"] == "pass")
