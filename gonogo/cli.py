"""The ``gonogo`` command: helpers around the pytest plugin (the checks themselves run with pytest)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gonogo import __version__, envdoc
from gonogo import environment as envfile


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
    envs = sub.add_parser("envs", help="list the environments in a folder")
    envs.add_argument("--env-dir", default="environments", help="folder of environment files")
    validate = sub.add_parser("validate", help="load and validate an environment file, send nothing")
    validate.add_argument("name", help="environment name or path to a .toml file")
    validate.add_argument("--env-dir", default="environments", help="folder of environment files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        if args.markdown:
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
        try:
            loaded = envfile.load(args.name, Path(args.env_dir))
        except envfile.EnvironmentFileError as exc:
            print(f"gonogo: {exc}", file=sys.stderr)
            return 4
        print(f"{loaded.path}: valid ({loaded.model.base_url}, expected version {loaded.model.expected_version})")
        return 0
    parser.print_help()
    return 0
