"""Workspace locks made here by npm and yarn berry themselves (a monorepo of two workspaces, which installs
without any registry), judged by gonogo and by the tool: the healthy lock passes both, and a workspace
asking for a version of its sibling that the lock does not have fails both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gonogo.probes import lockfiles
from tests.probes.conftest import Tools, run_tool

#: berry offline and self-contained: no network, no global cache, a node_modules tree like npm's
BERRY_ENV = {
    "YARN_ENABLE_NETWORK": "0",
    "YARN_ENABLE_GLOBAL_CACHE": "0",
    "YARN_ENABLE_TELEMETRY": "0",
    "YARN_NODE_LINKER": "node-modules",
}


def monorepo(root: Path, b_range: str = "^1.0.0") -> Path:
    manifests = {
        "package.json": {
            "name": "root",
            "private": True,
            "workspaces": ["packages/*"],
            "devDependencies": {"a": "*"},
        },
        "packages/a/package.json": {"name": "a", "version": "1.0.0", "dependencies": {"b": b_range}},
        "packages/b/package.json": {"name": "b", "version": "1.0.0"},
    }
    for name, body in manifests.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return root


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    # without CI: yarn berry turns --immutable on under CI=true and would refuse to write the lock
    return run_tool(command, cwd, env, without=("CI",))


def ask_b_for(version_range: str, root: Path) -> None:
    path = root / "packages" / "a" / "package.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body["dependencies"]["b"] = version_range
    path.write_text(json.dumps(body), encoding="utf-8")


def test_npm_workspaces_lock_is_judged_as_npm_ci_judges_it(tmp_path: Path, node: str) -> None:
    root = monorepo(tmp_path / "repo")
    cache = ["--cache", str(tmp_path / "npm-cache")]
    code, out = run(
        ["npm", "install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", *cache], root
    )
    assert code == 0, out
    lock = root / "package-lock.json"
    assert lockfiles.check(lock).problems == []  # workspace folders and links carry no version of their own
    code, out = run(["npm", "ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", *cache], root)
    assert code == 0, out

    ask_b_for("^2.0.0", root)
    assert lockfiles.check(lock).problems == [
        "b: workspace packages/a wants ^2.0.0, the lock has 1.0.0: npm ci reports the lock invalid"
    ]
    code, out = run(["npm", "ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", *cache], root)
    assert code != 0
    assert "request to https://registry.npmjs.org/b failed" in out, out  # npm has to resolve b anew


def test_yarn_berry_workspaces_lock_is_judged_as_yarn_immutable_judges_it(
    tmp_path: Path, node: str, js_tools: Tools
) -> None:
    root = monorepo(tmp_path / "repo")

    def yarn(*args: str) -> tuple[int, str]:
        return run([node, str(js_tools.get("yarn-berry")), *args], root, BERRY_ENV)

    code, out = yarn("install")
    assert code == 0, out
    lock = root / "yarn.lock"
    assert "__metadata:" in lock.read_text(encoding="utf-8")
    assert lockfiles.check(lock).problems == []
    code, out = yarn("install", "--immutable")
    assert code == 0, out

    ask_b_for("^2.0.0", root)
    assert lockfiles.check(lock).problems == [
        "b@npm:^2.0.0 (packages/a/package.json) is not in the lock: `yarn install --immutable` refuses"
    ]
    code, out = yarn("install", "--immutable")
    assert code != 0
    # the lock lacks the descriptor: yarn has to resolve it anew, and it may not (YN0028 when online)
    assert "b@npm:^2.0.0: Request to" in out or "YN0028" in out, out
    shutil.rmtree(root / "node_modules", ignore_errors=True)
