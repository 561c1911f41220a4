"""The files of an Allure results folder that allure-pytest does not write, and keeping that folder clean.

allure-pytest writes one ``<uuid>-result.json`` per check, ``<uuid>-container.json`` per fixture and
``<uuid>-attachment.<ext>`` per attachment. The Allure 2 generator also reads, from the same folder:

    environment.properties   the Environment widget on the overview (Java properties, ISO-8859-1)
    executor.json            the Executors widget, and ``buildOrder``: the label of this run in the trend
    categories.json          defect categories: regexes over each failed check's message (full match)
    history/                 the previous report's history: what makes the trend carry over

Only the xdist controller calls these functions (workers write results concurrently, the controller
alone writes the folder's shared files). Nothing here imports pytest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonogo.reporting import categories
from gonogo.reporting.files import write_atomic

ENVIRONMENT_FILE = "environment.properties"
EXECUTOR_FILE = "executor.json"
CATEGORIES_FILE = "categories.json"
HISTORY_DIR = "history"
HISTORY_TREND = "history-trend.json"

#: what allure-pytest (or another Allure adapter) may leave in a results folder; nothing else is removed
_RESULT_SUFFIXES = ("-result.json", "-container.json", "-globals.json")
_SHARED_FILES = (ENVIRONMENT_FILE, EXECUTOR_FILE, CATEGORIES_FILE)
#: the verdict's synthetic result carries this name, so re-attaching replaces it instead of adding one
VERDICT_FULL_NAME = "gonogo.verdict"
REASONS_LIMIT = 1500


def is_allure_file(path: Path) -> bool:
    """A file an Allure adapter or gonogo wrote into a results folder (and may therefore remove)."""
    name = path.name
    if name.endswith(".tmp"):  # left behind by a writer that was killed mid-rename
        return is_allure_file(path.with_name(name[: -len(".tmp")]))
    if name in _SHARED_FILES:
        return True
    for suffix in _RESULT_SUFFIXES:
        if name.endswith(suffix):
            return _is_uuid(name[: -len(suffix)])
    prefix, marker, _ = name.partition("-attachment")
    return bool(marker) and _is_uuid(prefix)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def clean_results(results_dir: Path) -> int:
    """Remove the previous run's Allure files (and the stale history copy); leave anything else alone.

    Unlike allure-pytest's ``--clean-alluredir`` (an ``rmtree`` in every xdist worker, racing the
    others' writes) this runs once, in the controller, before any worker starts, and never deletes a
    file Allure did not write: ``--alluredir .`` by mistake costs nothing.
    """
    if not results_dir.is_dir():
        results_dir.mkdir(parents=True, exist_ok=True)
        return 0
    removed = 0
    for path in results_dir.iterdir():
        if path.is_file() and is_allure_file(path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    history = results_dir / HISTORY_DIR
    if history.is_dir() and not history.is_symlink():
        shutil.rmtree(history, ignore_errors=True)
    return removed


def seed_history(history_store: Path, results_dir: Path) -> bool:
    """Copy the kept history (``reports/<env>/history/``) into the results, where the generator reads it."""
    if not (history_store / HISTORY_TREND).is_file():
        return False
    target = results_dir / HISTORY_DIR
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(history_store, target)
    return True


def keep_history(report_dir: Path, history_store: Path) -> bool:
    """After generating: the report's ``history/`` becomes the store the next run seeds from."""
    source = report_dir / HISTORY_DIR
    if not source.is_dir():
        return False
    staging = history_store.with_name(f".{history_store.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    old = history_store.with_name(f".{history_store.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if history_store.exists():
        history_store.rename(old)
    staging.rename(history_store)
    shutil.rmtree(old, ignore_errors=True)
    return True


# -- environment.properties -----------------------------------------------------------------------


def _escape(text: str, *, key: bool) -> str:
    """Java ``Properties.load`` syntax, ASCII only (the generator reads the file as ISO-8859-1)."""
    out: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[char])
        elif (key and char in " =:#!") or (not key and index == 0 and char in " #!"):
            out.append("\\" + char)
        elif code < 0x20 or code > 0x7E:
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(char))
        else:
            out.append(char)
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def format_properties(rows: Mapping[str, str]) -> str:
    lines = ["# written by gonogo: the Environment widget of the Allure report"]
    lines += [f"{_escape(key, key=True)}={_escape(value, key=False)}" for key, value in rows.items()]
    return "\n".join(lines) + "\n"


def parse_properties(text: str) -> dict[str, str]:
    """Read back what :func:`format_properties` wrote (enough of the Java syntax for that)."""
    rows: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.lstrip()
        if not line or line[0] in "#!":
            continue
        key_chars: list[str] = []
        index = 0
        while index < len(line):
            char = line[index]
            if char == "\\" and index + 1 < len(line):
                key_chars.append(line[index : index + 2])
                index += 2
                continue
            if char in "=:":
                break
            key_chars.append(char)
            index += 1
        rows[_unescape("".join(key_chars))] = _unescape(line[index + 1 :])
    return rows


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}


def _unescape(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\" or index + 1 == len(text):
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        if following == "u" and len(text) >= index + 6:
            out.append(chr(int(text[index + 2 : index + 6], 16)))
            index += 6
            continue
        out.append(_ESCAPES.get(following, following))
        index += 2
    # \uXXXX pairs were UTF-16 surrogates: join them back into one character
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def write_environment(results_dir: Path, rows: Mapping[str, str], scrub: Callable[[str], str]) -> Path:
    """(Re)write ``environment.properties``; every value passes through the redactor."""
    path = results_dir / ENVIRONMENT_FILE
    write_atomic(path, format_properties({key: scrub(value) for key, value in rows.items() if value}))
    return path


#: the overview's Environment widget shows the first five rows in file order: these come first
FIRST_ROWS = ("verdict", "reasons", "environment", "expected_version", "observed_version")


def update_environment(results_dir: Path, rows: Mapping[str, str], scrub: Callable[[str], str]) -> Path:
    """Add or replace rows, keeping the others; the rows in :data:`FIRST_ROWS` go first."""
    path = results_dir / ENVIRONMENT_FILE
    current = parse_properties(path.read_text(encoding="latin-1")) if path.is_file() else {}
    current.update(rows)
    ordered = {key: current[key] for key in FIRST_ROWS if key in current}
    ordered.update((key, value) for key, value in current.items() if key not in ordered)
    return write_environment(results_dir, ordered, scrub)


# -- executor.json ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Executor:
    """Who ran the checks: the Executors widget, and the run's label in the trend (``buildOrder``)."""

    name: str
    type: str
    build_order: int
    build_name: str
    url: str | None = None
    build_url: str | None = None
    report_name: str | None = None
    ci: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "buildOrder": self.build_order,
            "buildName": self.build_name,
        }
        for key, value in (("url", self.url), ("buildUrl", self.build_url), ("reportName", self.report_name)):
            if value:
                data[key] = value
        return data


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def previous_build_order(history_store: Path) -> int:
    """The highest ``buildOrder`` the kept trend knows (0 when there is none)."""
    try:
        items = json.loads((history_store / HISTORY_TREND).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    orders = (
        [item.get("buildOrder") for item in items if isinstance(item, dict)]
        if isinstance(items, list)
        else []
    )
    return max((order for order in orders if isinstance(order, int)), default=0)


def detect_executor(environ: Mapping[str, str], *, previous_order: int, report_name: str) -> Executor:
    """GitHub Actions, GitLab CI, Jenkins, or any CI that sets ``CI``; else a local run that says so.

    ``buildOrder`` is the CI's run number when it moves forward, else one more than the last run in the
    kept trend: the trend always gains a new, later point.
    """

    def order(number: int | None) -> int:
        return number if number is not None and number > previous_order else previous_order + 1

    if environ.get("GITHUB_ACTIONS") == "true":
        server = environ.get("GITHUB_SERVER_URL", "https://github.com")
        repo = environ.get("GITHUB_REPOSITORY", "")
        run_id = environ.get("GITHUB_RUN_ID", "")
        number = _int(environ.get("GITHUB_RUN_NUMBER"))
        attempt = environ.get("GITHUB_RUN_ATTEMPT", "1")
        workflow = environ.get("GITHUB_WORKFLOW", "workflow")
        return Executor(
            name="GitHub Actions",
            type="github",
            build_order=order(number),
            build_name=f"{workflow} #{number or '?'}"
            + (f" (attempt {attempt})" if attempt not in ("", "1") else ""),
            url=f"{server}/{repo}/actions" if repo else None,
            build_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
            report_name=report_name,
        )
    if environ.get("GITLAB_CI") == "true":
        number = _int(environ.get("CI_PIPELINE_IID"))
        return Executor(
            name="GitLab CI",
            type="gitlab",
            build_order=order(number),
            build_name=f"{environ.get('CI_JOB_NAME', 'job')} #{environ.get('CI_PIPELINE_IID', '?')}",
            url=environ.get("CI_PROJECT_URL"),
            build_url=environ.get("CI_JOB_URL") or environ.get("CI_PIPELINE_URL"),
            report_name=report_name,
        )
    if environ.get("JENKINS_URL"):
        number = _int(environ.get("BUILD_NUMBER"))
        return Executor(
            name="Jenkins",
            type="jenkins",
            build_order=order(number),
            build_name=environ.get("BUILD_DISPLAY_NAME")
            or f"{environ.get('JOB_NAME', 'job')} #{number or '?'}",
            url=environ.get("JENKINS_URL"),
            build_url=environ.get("BUILD_URL"),
            report_name=report_name,
        )
    if environ.get("CI", "").lower() in ("true", "1", "yes"):
        number = _int(environ.get("BUILD_NUMBER") or environ.get("CI_BUILD_NUMBER"))
        name = environ.get("CI_NAME") or "CI"
        return Executor(
            name=name,
            type=name.lower().replace(" ", "-"),
            build_order=order(number),
            build_name=f"{name} build #{number}" if number is not None else f"{name} build",
            build_url=environ.get("BUILD_URL") or environ.get("CI_BUILD_URL"),
            report_name=report_name,
        )
    build_order = previous_order + 1
    return Executor(
        name="local run (no CI detected)",
        type="local",
        build_order=build_order,
        build_name=f"local run #{build_order} on {socket.gethostname()}",
        report_name=report_name,
        ci=False,
    )


def write_executor(results_dir: Path, executor: Executor) -> Path:
    path = results_dir / EXECUTOR_FILE
    write_atomic(path, json.dumps(executor.to_dict(), indent=2) + "\n")
    return path


# -- categories.json -------------------------------------------------------------------------------


def load_categories(path: Path) -> list[dict[str, Any]]:
    """Read and check a categories file: a list of ``{name, matchedStatuses?, messageRegex?, ...}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(item, dict) and item.get("name") for item in data):
        raise ValueError(f"{path}: expected a JSON list of objects with a 'name' each")
    return data


def project_categories(reports_root: Path) -> list[dict[str, Any]]:
    """``<reports root>/categories.json`` when the project has one, else gonogo's own categories."""
    own = reports_root / CATEGORIES_FILE
    return load_categories(own) if own.is_file() else categories.build()


def write_categories(results_dir: Path, items: Sequence[Mapping[str, Any]]) -> Path:
    path = results_dir / CATEGORIES_FILE
    write_atomic(path, json.dumps(list(items), indent=2, ensure_ascii=False) + "\n")
    return path


def matching_categories(
    items: Sequence[Mapping[str, Any]], *, status: str, message: str | None, trace: str | None
) -> list[str]:
    """The categories the Allure 2 generator files a result under (its rules, in Python).

    Every category that matches is kept (not only the first); a regex must match the *whole* message
    (Java ``Pattern.DOTALL`` + ``matches()``); a failed or broken result that matches none goes to the
    generator's "Product defects" / "Test defects".
    """
    names = []
    for category in items:
        statuses = category.get("matchedStatuses") or []
        if statuses and status not in statuses:
            continue
        ok = True
        for key, text in (("messageRegex", message), ("traceRegex", trace)):
            pattern = category.get(key)
            if pattern is not None and (text is None or re.fullmatch(pattern, text, re.DOTALL) is None):
                ok = False
        if ok and not category.get("flaky", False):
            names.append(str(category["name"]))
    if not names and status == "failed":
        names.append("Product defects")
    if not names and status == "broken":
        names.append("Test defects")
    return names


# -- the verdict and the gate's files --------------------------------------------------------------


@dataclass(frozen=True)
class RunFiles:
    """What :func:`attach_run_files` added: the synthetic result and the environment rows."""

    result: Path
    attachments: list[Path] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)


_MIME = {".json": "application/json", ".md": "text/plain", ".txt": "text/plain", ".html": "text/html"}


def _verdict_of(gate: Mapping[str, Any] | None) -> tuple[str, list[str], list[str]]:
    """The verdict, its reasons in full, and the same reasons short (a check's node id, not its message)."""
    if gate is None:
        return "unknown (no gate.json)", [], []
    verdict = str(gate.get("verdict") or "unknown")
    full: list[str] = []
    short: list[str] = []
    for reason in gate.get("reasons") or []:
        if not isinstance(reason, Mapping):
            full.append(str(reason))
            short.append(str(reason))
            continue
        if "decision" in reason and reason.get("decision") is None:
            continue  # informational, not a reason for the decision
        code = reason.get("code")
        message = " ".join(str(reason.get("message", "")).split())
        full.append(f"{code}: {message}" if code else message)
        subject = reason.get("nodeid") or message
        short.append(f"{code}: {subject}" if code else str(subject))
    return verdict, full, short


def _millis(text: object, default: int) -> int:
    from datetime import datetime

    if isinstance(text, str):
        with contextlib.suppress(ValueError):
            return int(datetime.fromisoformat(text).timestamp() * 1000)
    return default


def attach_run_files(
    results_dir: Path,
    files: Iterable[Path],
    *,
    environment: str | None = None,
    scrub: Callable[[str], str] = lambda text: text,
) -> RunFiles:
    """Show the gate's verdict and files in the report: a synthetic result "gonogo verdict: <V>" with the
    files attached (its description is the deployment report), plus ``verdict`` and ``reasons`` rows in
    environment.properties (the overview's Environment widget).

    The result passes for GO and fails otherwise, in the categories as "Gate verdict"; calling this again
    replaces the previous synthetic result. Every file is scrubbed on the way in.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    files = [path for path in files if path.is_file()]
    gate_path = next((path for path in files if path.name == "gate.json"), None)
    gate: dict[str, Any] | None = None
    if gate_path is not None:
        with contextlib.suppress(ValueError):
            loaded = json.loads(gate_path.read_text(encoding="utf-8"))
            gate = loaded if isinstance(loaded, dict) else None
    verdict, reasons, short_reasons = _verdict_of(gate)
    env_name = environment or str(((gate or {}).get("environment") or {}).get("name") or "")
    _remove_previous_verdict(results_dir)

    attachments = []
    links = []
    for path in files:
        target = results_dir / f"{uuid.uuid4()}-attachment{path.suffix or '.txt'}"
        raw = path.read_bytes()
        try:
            body = scrub(raw.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            body = raw
        target.write_bytes(body)
        attachments.append(target)
        links.append({"name": path.name, "source": target.name, "type": _MIME.get(path.suffix, "text/plain")})

    now = int(time.time() * 1000)
    run = (gate or {}).get("run") or {}
    start = _millis(run.get("started_at"), now)
    stop = max(start, _millis(run.get("finished_at"), now))
    report = next((path for path in files if path.suffix == ".md"), None)
    summary = (gate or {}).get("summary") or {}
    headline = f"gonogo verdict: {verdict}"
    if summary:
        headline += f" ({summary.get('passed', '?')}/{summary.get('counted', '?')} counted checks passed)"
    history_id = hashlib.md5(f"{VERDICT_FULL_NAME}:{env_name}".encode()).hexdigest()
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": history_id,
        "testCaseId": history_id,
        "fullName": VERDICT_FULL_NAME,
        "name": scrub(headline.split(" (")[0]),
        "status": "passed" if verdict == "GO" else "failed",
        "statusDetails": {"message": scrub(headline), "trace": scrub("\n".join(reasons))},
        "description": scrub(report.read_text(encoding="utf-8")) if report is not None else "",
        "stage": "finished",
        "start": start,
        "stop": stop,
        "labels": [
            {"name": "parentSuite", "value": "gonogo"},
            {"name": "suite", "value": "gate"},
            {"name": "epic", "value": env_name or "gonogo"},
            {"name": "feature", "value": "gate"},
            {"name": "story", "value": "verdict"},
            {"name": "severity", "value": "blocker"},
            {"name": "framework", "value": "gonogo"},
        ],
        "attachments": links,
    }
    result_path = results_dir / f"{result['uuid']}-result.json"
    write_atomic(result_path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    reasons_row = "; ".join(short_reasons) or "none"
    if len(reasons_row) > REASONS_LIMIT:
        reasons_row = reasons_row[: REASONS_LIMIT - 20] + " ... (see gate.json)"
    rows = {"verdict": verdict, "reasons": reasons_row}
    update_environment(results_dir, rows, scrub)
    return RunFiles(result_path, attachments, rows)


def _remove_previous_verdict(results_dir: Path) -> None:
    for path in results_dir.glob("*-result.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("fullName") == VERDICT_FULL_NAME:
            for link in data.get("attachments") or []:
                with contextlib.suppress(OSError, TypeError):
                    (results_dir / os.path.basename(str(link.get("source")))).unlink()
            path.unlink(missing_ok=True)


def count_results(results_dir: Path) -> int:
    return sum(1 for _ in results_dir.glob("*-result.json")) if results_dir.is_dir() else 0
