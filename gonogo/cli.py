"""The ``gonogo`` command: helpers around the pytest plugin (the checks themselves run with pytest)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gonogo import __version__, verdict_file
from gonogo import environment as envfile
from gonogo.environment import reference as envdoc
from gonogo.redaction import command as scan_secrets
from gonogo.redaction.known import redactor_for


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gonogo",
        description="Deployment verification with pytest. Run the checks with `pytest --env NAME`; "
        "this command validates environment files and prints their schema.",
    )
    parser.add_argument("--version", action="version", version=f"gonogo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    schema = sub.add_parser("schema", help="print the JSON Schema of environment files")
    schema.add_argument("--markdown", action="store_true", help="print the reference table instead")
    schema.add_argument(
        "--update",
        metavar="FILE",
        type=Path,
        help="rewrite the generated reference in FILE (docs/environments.md)",
    )
    envs = sub.add_parser("envs", help="list the environments in a folder")
    envs.add_argument("--env-dir", default="environments", help="folder of environment files")
    validate = sub.add_parser("validate", help="load and validate an environment file, send nothing")
    validate.add_argument("name", help="environment name or path to a .toml file")
    validate.add_argument("--env-dir", default="environments", help="folder of environment files")
    report = sub.add_parser(
        "report",
        help="render the Allure HTML report of the last run, offline",
        description="Render reports/NAME/ into reports/NAME/report/: index.html (the verdict first, the "
        "deployment report, the verdict trend), allure.html (Allure's report in one file) and allure/ (the "
        "same report as a folder to serve), with the Allure 2 generator: $GONOGO_ALLURE, `allure` on "
        "PATH, the project's node_modules, or the version gonogo pins, installed once into its cache with "
        "`npm ci` (needs Node.js and Java 17+). The trends carry over between runs.",
    )
    report.add_argument(
        "--env",
        dest="env",
        metavar="NAME",
        help="environment whose run to render. Default: $GONOGO_ENV, "
        "else the only environment with results in the reports folder",
    )
    report.add_argument(
        "--reports-dir",
        metavar="PATH",
        help="the reports folder. Default: $GONOGO_REPORTS_DIR, else ./reports",
    )
    report.add_argument("--open", action="store_true", help="open the report's index.html in the browser")
    scan_secrets.add_parser(sub)
    verdict_file.add_parser(sub)
    checks = sub.add_parser("checks", help="list gonogo's built-in checks (names for [builtin].disable)")
    checks.add_argument("--env", metavar="NAME", help="mark the checks this environment switches off")
    checks.add_argument("--env-dir", default="environments", help="folder of environment files")
    init = sub.add_parser("init", help="write environments/, conftest.py and CI files into a repository")
    init.add_argument("path", nargs="?", default=".", type=Path, help="the repository (default: .)")
    init.add_argument("--force", action="store_true", help="replace files that already exist")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        if args.update:
            changed = envdoc.update(args.update)
            print(f"{args.update}: {'updated' if changed else 'already up to date'}")
        elif args.markdown:
            sys.stdout.write(envdoc.markdown())
        else:
            print(json.dumps(envfile.json_schema(), indent=2))
        return 0
    if args.command == "envs":
        env_dir = Path(args.env_dir)
        names = envfile.available(env_dir)
        if not names:
            print(f"no environments in {env_dir}", file=sys.stderr)
            return 1
        for name in names:
            try:
                loaded = envfile.load(name, env_dir)
                print(f"{name:20} {loaded.model.description}")
            except envfile.EnvironmentFileError:
                print(f"{name:20} (invalid: run `gonogo validate {name}`)")
        return 0
    if args.command == "validate":
        return _validate(args.name, Path(args.env_dir))
    if args.command == "report":
        return _report(args)
    if args.command == "scan-secrets":
        return scan_secrets.run(args)
    if args.command == "verdict":
        return verdict_file.main(args)
    if args.command == "checks":
        return _checks(args.env, Path(args.env_dir))
    if args.command == "init":
        from gonogo import scaffold

        print(f"gonogo init: {args.path}")
        sys.stdout.write(scaffold.summary(scaffold.init(args.path, force=args.force)))
        return 0
    parser.print_help()
    return 0


def _validate(name: str, env_dir: Path) -> int:
    """What ``pytest --env NAME`` checks before any test runs, and nothing is sent: exit 4 on a problem."""
    try:
        loaded = envfile.load(name, env_dir)
        envfile.check_referenced_files(loaded)
    except envfile.EnvironmentFileError as exc:
        print(f"gonogo: {exc}", file=sys.stderr)
        return 4
    for warning in loaded.warnings:
        print(f"gonogo: warning: {envfile.shown(loaded.path)}: {warning}", file=sys.stderr)
    print(  # the URL may carry credentials or an interpolated secret (docs/security.md)
        redactor_for(loaded).text(
            f"{envfile.shown(loaded.path)}: valid ({loaded.model.shown_base_url}, "
            f"expected version {loaded.model.expected_version})"
        )
    )
    return 0


def _checks(env_name: str | None, env_dir: Path) -> int:
    from gonogo.suite import catalog

    disabled: list[str] = []
    if env_name:
        try:
            disabled = envfile.load(env_name, env_dir).model.builtin.disable
        except envfile.EnvironmentFileError as exc:
            print(f"gonogo: {exc}", file=sys.stderr)
            return 4
    sys.stdout.write(catalog.table(disabled))
    return 0


def _report(args: argparse.Namespace) -> int:
    import os
    import webbrowser

    from gonogo.reporting import html
    from gonogo.reporting.generator import locate as locate_generator
    from gonogo.reporting.layout import HISTORY_STORE

    reports_root = Path(args.reports_dir or os.environ.get("GONOGO_REPORTS_DIR") or "reports")
    name = args.env or os.environ.get("GONOGO_ENV")
    if not name:
        found = html.environments_with_results(reports_root)
        if len(found) != 1:
            listing = ", ".join(found) or "none"
            print(
                f"gonogo report: pass --env NAME (environments with results in {reports_root}: {listing})",
                file=sys.stderr,
            )
            return 4
        name = found[0]
    try:
        # $GONOGO_ALLURE, allure on PATH, a project node_modules, else the pinned one, installed once
        generator = locate_generator([Path.cwd(), reports_root])
        rendered = html.render(reports_root / name, generator=generator, name=f"gonogo: {name}")
    except html.ReportError as exc:
        print(f"gonogo report: {exc}", file=sys.stderr)
        return 1
    verdict = rendered.verdict or "no verdict (no gate.json)"
    print(f"gonogo report: {verdict}; {rendered.results} results rendered in {rendered.seconds:.1f} s")
    print(f"  open:        {rendered.landing} (the verdict first; opens from disk)")
    print(f"  allure:      {rendered.single_file} (one file)")
    print(f"  folder:      {rendered.allure_dir}/ (serve it: python -m http.server -d {rendered.report_dir})")
    if rendered.history_kept:
        print(f"  trend:       {reports_root / name / HISTORY_STORE}/ (the next run carries it over)")
    if args.open:
        webbrowser.open(rendered.landing.resolve().as_uri())
    return 0
