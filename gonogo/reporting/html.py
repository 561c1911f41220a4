"""Rendering the Allure HTML report offline with the pinned Allure 2 generator (npm ``allure-commandline``).

    reports/<env>/allure-results/   written by the run (allure-pytest + gonogo's extras)
    reports/<env>/allure-report/    the browsable report (serve the folder over HTTP to open it)
    reports/<env>/report.html       the same report in one file: open it from disk, attach it anywhere
    reports/<env>/history/          the trend so far; the next run seeds its results with it

The generator is the jar inside the npm package (``npm ci`` at the project root installs the version
pinned in package-lock.json; it needs Java 17+). It runs with ``ALLURE_NO_ANALYTICS=true``, so neither
the generator nor the HTML it writes contacts anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import GonogoError
from gonogo.reporting.allure_files import count_results
from gonogo.reporting.history import keep_history
from gonogo.reporting.layout import HISTORY_STORE, REPORT_DIR, RESULTS_DIR, SINGLE_FILE

ALLURE_PACKAGE = "allure-commandline"
#: the generator's own launcher script inside the npm package (no Node needed to run it)
LAUNCHER = Path("node_modules") / ALLURE_PACKAGE / "dist" / "bin" / "allure"
DEFAULT_TIMEOUT_S = 300.0


class ReportError(GonogoError):
    """The report cannot be rendered; the message says why and what to do."""


@dataclass(frozen=True)
class Rendered:
    report_dir: Path
    single_file: Path
    results: int
    seconds: float
    history_kept: bool


def find_generator(search_from: Sequence[Path], environ: Mapping[str, str] = os.environ) -> Path:
    """``$GONOGO_ALLURE``, else ``node_modules/allure-commandline`` in one of the folders or their parents."""
    explicit = environ.get("GONOGO_ALLURE")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ReportError(f"GONOGO_ALLURE={explicit}: no such file (point it at allure's bin/allure)")
        return path
    seen: list[Path] = []
    for start in search_from:
        for folder in (start.resolve(), *start.resolve().parents):
            if folder in seen:
                continue
            seen.append(folder)
            if (folder / LAUNCHER).is_file():
                return folder / LAUNCHER
    with_package = next((f for f in seen if (f / "package.json").is_file()), None)
    where = f" in {with_package}" if with_package else " at the project root (beside package.json)"
    raise ReportError(
        f"the Allure generator is not installed: run `npm ci`{where}; it installs the pinned "
        f"{ALLURE_PACKAGE} from package-lock.json into node_modules/ (it needs Java 17+: "
        f"`apt-get install openjdk-17-jre-headless`). Or set GONOGO_ALLURE to an allure launcher."
    )


def _java_check(environ: Mapping[str, str]) -> None:
    java_home = environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return
    if shutil.which("java", path=environ.get("PATH")) is None:
        raise ReportError(
            "the Allure 2 generator needs Java 17+ and `java` is not on PATH (nor JAVA_HOME set): "
            "install it, e.g. `apt-get install openjdk-17-jre-headless`"
        )


def generator_environ(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    env = dict(environ)
    # without it the generator embeds a Google Analytics tag in the HTML and the report calls home
    env["ALLURE_NO_ANALYTICS"] = "true"
    return env


def _generate(
    generator: Path,
    results: Path,
    output: Path,
    *,
    single_file: bool,
    name: str,
    env: dict[str, str],
    timeout_s: float,
) -> None:
    command = [str(generator), "generate", str(results), "-o", str(output), "--clean", "--name", name]
    if single_file:
        command.append("--single-file")
    try:
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"the Allure generator did not finish within {timeout_s:g} s: {' '.join(command)}"
        ) from None
    except OSError as exc:
        raise ReportError(f"cannot run the Allure generator {generator}: {exc.strerror or exc}") from None
    if completed.returncode != 0 or not (output / "index.html").is_file():
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise ReportError(f"the Allure generator failed (exit {completed.returncode}) on {results}:\n{tail}")


def render(
    env_reports_dir: Path,
    *,
    generator: Path,
    name: str,
    environ: Mapping[str, str] = os.environ,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Rendered:
    """Render ``<env_reports_dir>/allure-results`` into the folder report and the single-file report."""
    started = time.monotonic()
    results = env_reports_dir / RESULTS_DIR
    count = count_results(results)
    if count == 0:
        raise ReportError(
            f"no Allure results in {results}: run the checks first (`pytest --env {env_reports_dir.name}`)"
        )
    env = generator_environ(environ)
    _java_check(env)
    report_dir = env_reports_dir / REPORT_DIR
    _generate(generator, results, report_dir, single_file=False, name=name, env=env, timeout_s=timeout_s)
    kept = keep_history(report_dir, env_reports_dir / HISTORY_STORE)
    single = env_reports_dir / SINGLE_FILE
    with tempfile.TemporaryDirectory(prefix=".single-", dir=env_reports_dir) as scratch:
        out = Path(scratch) / "out"
        _generate(generator, results, out, single_file=True, name=name, env=env, timeout_s=timeout_s)
        os.replace(out / "index.html", single)
    return Rendered(report_dir, single, count, time.monotonic() - started, kept)


def environments_with_results(reports_root: Path) -> list[str]:
    if not reports_root.is_dir():
        return []
    return sorted(path.name for path in reports_root.iterdir() if count_results(path / RESULTS_DIR))
