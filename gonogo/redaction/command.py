"""``gonogo scan-secrets PATH...``: look for the run's secrets, in every form, in any files.

The values come from the process environment, never from the command line (where ``ps`` and shell
history would keep them): ``--env NAME`` takes every value the environment file's redactor would know
(its secrets, every value ``${VAR}`` put into a URL, header or body, URL credentials), ``--secret-env VAR``
adds variables by name, ``--secrets-stdin`` reads one value a line. Exit 0: nothing found; 1: found
(each hit names the file, the secret's name and the form; never the value); 4: nothing to look for, or
a path that does not exist.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from gonogo import environment as envfile
from gonogo.redaction.forms import MIN_SECRET_LENGTH
from gonogo.redaction.known import known_values
from gonogo.redaction.scan import DEFAULT_FRAGMENT, Scanner

HELP = "look for secrets (every encoded form) in files: CI artefacts, reports"


def add_parser(sub: Any) -> None:
    """The subcommand, on ``gonogo``'s subparsers."""
    scan = sub.add_parser(
        "scan-secrets",
        help=HELP,
        description="Look for secrets in files and folders, in every form gonogo scrubs: plain, "
        "percent-encoded, JSON- and HTML-escaped, base64 (embedded blobs decoded). Values are read from "
        "the environment, never from the command line, and never printed. Exit 1 when one is found.",
    )
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to scan")
    scan.add_argument(
        "--env", metavar="NAME", help="scan for every value this environment file's redactor knows"
    )
    scan.add_argument("--env-dir", default="environments", help="folder of environment files")
    scan.add_argument(
        "--secret-env",
        action="append",
        default=[],
        metavar="VAR",
        help="scan for the value of this environment variable (repeatable)",
    )
    scan.add_argument(
        "--secrets-stdin", action="store_true", help="read secret values from stdin, one a line"
    )
    scan.add_argument(
        "--fragments",
        type=int,
        default=0,
        metavar="N",
        help=f"also report any N characters of a secret in a row (e.g. {DEFAULT_FRAGMENT}): what a cut "
        "made before redaction leaves. Default: off",
    )


def run(args: argparse.Namespace) -> int:
    try:
        secrets = _secrets(args)
    except envfile.EnvironmentFileError as exc:
        print(f"gonogo scan-secrets: {exc}", file=sys.stderr)
        return 4
    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        print(f"gonogo scan-secrets: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 4
    scanner = Scanner(secrets, fragment=args.fragments or None)
    for name in scanner.skipped:
        print(
            f"gonogo scan-secrets: {name} is shorter than {MIN_SECRET_LENGTH} characters: not scanned "
            "(gonogo does not scrub it either)",
            file=sys.stderr,
        )
    if not scanner.names:
        print(
            "gonogo scan-secrets: no secret to look for. Fix: pass --env NAME, --secret-env VAR or "
            "--secrets-stdin (values are read from the environment or stdin, never from arguments)",
            file=sys.stderr,
        )
        return 4
    hits, files = scanner.scan_paths(args.paths)
    for hit in hits:
        print(hit.describe())
    leaking = len({hit.path for hit in hits})
    print(
        f"gonogo scan-secrets: {len(scanner.names)} secret(s) ({', '.join(scanner.names)}) in "
        f"{scanner.form_count} forms, {files} file(s): "
        + (f"{len(hits)} hit(s) in {leaking} file(s)" if hits else "no secret found"),
        file=sys.stderr,
    )
    return 1 if hits else 0


def _secrets(args: argparse.Namespace) -> dict[str, str]:
    found: dict[str, str] = {}
    if args.env:
        loaded = envfile.load(args.env, Path(args.env_dir))
        found.update(known_values(loaded))
    for name in args.secret_env:
        value = os.environ.get(name)
        if value:
            found[name] = value
        else:
            print(
                f"gonogo scan-secrets: {name} is not set: nothing to look for under that name",
                file=sys.stderr,
            )
    if args.secrets_stdin:
        for number, line in enumerate(sys.stdin.read().splitlines(), start=1):
            if line.strip():
                found[f"stdin line {number}"] = line.strip()
    return found
