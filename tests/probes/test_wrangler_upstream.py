"""gonogo's reading of wrangler configs against wrangler 4.86's own (``unstable_readConfig``, which every
wrangler command uses), on every wrangler config of the real-world corpus and on a healthy config with
each kind of fault: the same "not inherited" warnings, and the same verdict on a missing environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from gonogo.probes import wrangler
from tests.probes.conftest import QUIET_ENV

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "fixtures" / "realworld"
SCRIPT = HERE / "wrangler_read_config.mjs"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FIELD = re.compile(r'"(\w+)" exists at the top level, but not on "env\.')
_NAMED = re.compile(r'"(vars|define)\.([^"]+)" exists at the top level, but not on')
_ONE = re.compile(r'There is a (\w+) binding with name "([^"]+)" at the top level')
_LIST = re.compile(
    r'The following bindings are at the top level, but not on "env\.[^"]+"\.\s+'
    r'This is not what you probably want, since "(\w+)" configuration is not inherited by environments\.\s+'
    r'Please add a binding for each to "[^"]+":\n((?:[ \t]*- [^\s"]+[ \t]*(?:\n|$))+)'
)


def read_with_wrangler(home: Path, node: str, cases: list[tuple[Path, str]]) -> list[dict[str, Any]]:
    """wrangler's own reading of each (config, env): its output and its error (None when it read it)."""
    done = subprocess.run(
        [node, str(SCRIPT), str(home)],
        input=json.dumps([[str(path), env] for path, env in cases]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, **QUIET_ENV},
        cwd=home,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def wrangler_verdicts(home: Path, node: str, cases: list[tuple[Path, str]]) -> list[dict[str, Any]]:
    """What wrangler says of each (config, env): its "not inherited" items and whether it refused."""
    results = []
    for item in read_with_wrangler(home, node, cases):
        text = _ANSI.sub("", item["output"] + "\n" + (item["error"] or ""))
        found = {(field, None) for field in _FIELD.findall(text)}
        found |= {(field, name) for field, name in _NAMED.findall(text)}
        found |= set(_ONE.findall(text))
        for field, names in _LIST.findall(text):
            found |= {(field, name.strip()[2:].strip()) for name in names.strip().splitlines()}
        results.append(
            {"missing": found, "no_env_error": item["error"] is not None and "No environment found" in text}
        )
    return results


def gonogo_verdict(path: Path, env: str) -> dict[str, Any]:
    config = wrangler.load(path)
    return {
        "missing": {(item.field, item.name) for item in wrangler.not_inherited(config, env)},
        "no_env_error": any("No environment found" in p for p in wrangler.config_problems(config, env)),
    }


def test_gonogo_reads_every_corpus_config_as_wrangler_does(wrangler_home: Path, node: str) -> None:
    cases = [
        (CORPUS / case["file"], case["env"])
        for case in tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
        if case["kind"] == "wrangler"
    ]
    theirs = wrangler_verdicts(wrangler_home, node, cases)
    assert len(theirs) == len(cases)
    differences = [
        f"{path.relative_to(CORPUS)} --env {env}: wrangler {w}, gonogo {g}"
        for (path, env), w in zip(cases, theirs, strict=True)
        if (g := gonogo_verdict(path, env)) != w
    ]
    assert differences == []
    assert any(w["missing"] for w in theirs), "the corpus holds configs wrangler warns about"
    assert any(w["no_env_error"] for w in theirs), "and one whose environment is missing"


HEALTHY = {
    "name": "shop",
    "main": "src/index.ts",
    "compatibility_date": "2025-01-01",
    "vars": {"API_BASE": "https://api.example.com"},
    "kv_namespaces": [{"binding": "SESSIONS", "id": "a"}],
    "durable_objects": {"bindings": [{"name": "CART", "class_name": "Cart"}]},
    "unsafe": {
        "bindings": [
            {
                "name": "LIMITER",
                "type": "ratelimit",
                "namespace_id": "1",
                "simple": {"limit": 1, "period": 60},
            }
        ]
    },
    "ai": {"binding": "AI"},
    "browser": {"binding": "BROWSER"},
    "workflows": [{"binding": "FLOW", "name": "flow", "class_name": "Flow"}],
    "send_email": [{"name": "MAIL"}],
    "env": {},
}
HEALTHY["env"] = {
    "staging": {
        key: HEALTHY[key] for key in HEALTHY if key not in ("name", "main", "compatibility_date", "env")
    }
}
FAULTS = {
    "healthy": lambda env: None,
    "no ai": lambda env: env.pop("ai"),
    "no browser": lambda env: env.pop("browser"),
    "no unsafe rate limiter": lambda env: env.pop("unsafe"),
    "no workflows": lambda env: env.pop("workflows"),
    "no send_email": lambda env: env.pop("send_email"),
    "kv renamed": lambda env: env.update(kv_namespaces=[{"binding": "OTHER", "id": "b"}]),
    "var dropped": lambda env: env.update(vars={}),
    "durable object dropped": lambda env: env.update(durable_objects={"bindings": []}),
}


def _write(folder: Path, fault: str, suffix: str) -> Path:
    config = json.loads(json.dumps(HEALTHY))
    FAULTS[fault](config["env"]["staging"])
    path = folder / fault.replace(" ", "-") / f"wrangler{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        _toml(config)
        if suffix == ".toml"
        else "// a comment wrangler allows\n" + json.dumps(config, indent=1)
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def faulty(
    tmp_path_factory: pytest.TempPathFactory, wrangler_home: Path, node: str
) -> dict[Path, dict[str, Any]]:
    """Every fault in both formats, read by wrangler in one process (a wrangler start costs ~2 s)."""
    folder = tmp_path_factory.mktemp("faults")
    paths = [_write(folder / suffix[1:], fault, suffix) for fault in FAULTS for suffix in (".jsonc", ".toml")]
    verdicts = wrangler_verdicts(wrangler_home, node, [(path, "staging") for path in paths])
    return dict(zip(paths, verdicts, strict=True))


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("suffix", [".jsonc", ".toml"])
def test_each_fault_is_seen_by_wrangler_and_gonogo_alike(
    fault: str, suffix: str, faulty: dict[Path, dict[str, Any]]
) -> None:
    [(path, theirs)] = [
        (p, v) for p, v in faulty.items() if p.parent.name == fault.replace(" ", "-") and p.suffix == suffix
    ]
    ours = gonogo_verdict(path, "staging")
    assert ours == theirs
    assert bool(ours["missing"]) == (fault != "healthy")


def _toml(value: dict[str, Any]) -> str:
    # JSON is valid TOML for inline values; tables are written as dotted inline keys
    return "\n".join(f"{key} = {_inline(item)}" for key, item in value.items()) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_inline(v)}' for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value)


#: JSON5 that a JSON5 parser reads and wrangler's jsonc-parser does not
JSON5_ONLY = {
    "single quotes": "{'name': 'worker', 'main': 'src/index.js', 'compatibility_date': '2025-01-01'}",
    "unquoted keys": '{name: "worker", main: "src/index.js", compatibility_date: "2025-01-01"}',
    "NaN": '{"name": "worker", "main": "src/index.js", "compatibility_date": "2025-01-01", "x": NaN}',
}


def test_json5_only_syntax_is_refused_by_wrangler_and_by_gonogo_alike(
    wrangler_home: Path, node: str, tmp_path: Path
) -> None:
    cases = []
    for index, text in enumerate(JSON5_ONLY.values()):
        path = tmp_path / f"config-{index}" / "wrangler.jsonc"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        cases.append((path, ""))
    theirs = read_with_wrangler(wrangler_home, node, cases)
    assert [item["error"] is not None for item in theirs] == [True] * len(cases), theirs
    for path, _ in cases:
        with pytest.raises(wrangler.WranglerError, match=r"is JSON5, not JSON with comments \(JSONC\)"):
            wrangler.load(path)
