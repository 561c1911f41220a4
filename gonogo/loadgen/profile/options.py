"""The profile's command-line options, and where a process's plan comes from.

First found wins:

* ``--gonogo-plan FILE`` / ``GONOGO_LOAD_PLAN``: written by the check (users, caps and host resolved);
* ``--gonogo-env NAME`` / ``GONOGO_ENV``: an environment file, in ``--gonogo-env-dir`` /
  ``GONOGO_ENV_DIR`` (default: ``environments/`` beside the locustfile's folder, then in the
  working directory); locust's ``-H``, ``-u``, ``-r`` and ``-t`` override it, within the caps of a
  sensitive environment;
* a worker started without either receives its master's plan when the test starts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from gonogo import environment as envfile
from gonogo.loadgen.plan import DEFAULT_MAX_BODY_BYTES, LoadPlan, PlanError, build_plan, host_pattern

logger = logging.getLogger("gonogo.loadgen")


def add_arguments(parser: Any) -> None:
    # on the parser itself: only there does locust know include_in_web_ui
    group = parser
    group.add_argument(
        "--gonogo-env",
        default=os.environ.get("GONOGO_ENV", ""),
        help="environment name (environments/NAME.toml) or path to its .toml file [GONOGO_ENV]",
    )
    group.add_argument(
        "--gonogo-env-dir",
        default=os.environ.get("GONOGO_ENV_DIR", ""),
        include_in_web_ui=False,
        help="folder of environment files [GONOGO_ENV_DIR]",
    )
    group.add_argument(
        "--gonogo-plan",
        default=os.environ.get("GONOGO_LOAD_PLAN", ""),
        include_in_web_ui=False,
        help="a plan written by gonogo's check (takes precedence over --gonogo-env) [GONOGO_LOAD_PLAN]",
    )
    group.add_argument(
        "--gonogo-results",
        default=os.environ.get("GONOGO_LOAD_RESULTS", ""),
        include_in_web_ui=False,
        help="write gonogo's results (every sample, in histograms) to this JSON file at the end; "
        "pytest --load-results FILE judges it [GONOGO_LOAD_RESULTS]",
    )
    group.add_argument(
        "--gonogo-allow-full-load",
        action="store_true",
        default=os.environ.get("GONOGO_ALLOW_FULL_LOAD", "") in ("1", "true", "yes"),
        include_in_web_ui=False,
        help="lift the sensitive environment's caps on users and rate [GONOGO_ALLOW_FULL_LOAD=1]",
    )
    group.add_argument(
        "--gonogo-no-table",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="do not print gonogo's end-of-run table (the pytest check prints its own)",
    )
    group.add_argument(
        "--gonogo-caller-judges",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="whoever reads --gonogo-results judges them (the pytest check): no table, no judgement, "
        "exit code 0 once they are written",
    )
    group.add_argument(
        "--gonogo-allow-destructive",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="include routes marked destructive = true",
    )
    group.add_argument(
        "--gonogo-max-body-bytes",
        type=int,
        # a string default goes through type=int too: a bad variable is reported like a bad option
        default=os.environ.get("GONOGO_LOAD_MAX_BODY_BYTES") or None,
        include_in_web_ui=False,
        help="a response body larger than this is a failed request "
        f"(default {DEFAULT_MAX_BODY_BYTES}) [GONOGO_LOAD_MAX_BODY_BYTES]",
    )


def _env_dir(options: Any) -> Path:
    if options.gonogo_env_dir:
        return Path(options.gonogo_env_dir)
    locustfile = str(getattr(options, "locustfile", "") or "").split(",")[0]
    if locustfile and locustfile != "-":
        beside = Path(locustfile).resolve().parent.parent / "environments"
        if beside.is_dir():
            return beside
    return Path("environments")


def resolve_plan(environment: Any) -> LoadPlan:
    """This process's plan, with ``--gonogo-max-body-bytes`` applied."""
    plan = _plan_from_options(environment)
    limit = getattr(environment.parsed_options, "gonogo_max_body_bytes", None)
    if limit is not None:
        if limit < 1:
            raise PlanError(f"--gonogo-max-body-bytes must be at least 1, given: {limit}")
        plan = replace(plan, max_body_bytes=limit)
    return plan


def _plan_from_options(environment: Any) -> LoadPlan:
    options = environment.parsed_options
    host = (environment.host or "").rstrip("/") or None
    if options.gonogo_plan:
        plan = LoadPlan.read(Path(options.gonogo_plan))
        given = [flag for flag, value in (("-u", options.num_users), ("-r", options.spawn_rate)) if value]
        if given or options.run_time:
            logger.warning(
                "gonogo load: %s ignored: the plan file decides users, rate and duration", given or "-t"
            )
        if host and host != plan.base_url:
            raise PlanError(f"-H {host} is not the plan's base URL {plan.base_url}: load goes only there")
        return plan
    if not options.gonogo_env:
        raise PlanError(
            "which environment? Pass --gonogo-env NAME (or GONOGO_ENV=NAME), "
            "or --gonogo-plan FILE written by the check"
        )
    try:
        loaded = envfile.load(options.gonogo_env, _env_dir(options))
    except envfile.EnvironmentFileError as exc:
        raise PlanError(str(exc)) from None
    template = loaded.model.base_url
    if host is None:
        if "{port}" in template:
            raise PlanError(
                f"{loaded.path.name} launches its target (base_url {template}): "
                "pass -H with the running target's URL"
            )
        host = template
    elif not host_pattern(template).fullmatch(host):
        raise PlanError(
            f"-H {host} is not {loaded.path.name}'s base_url {template}: load goes only to the environment's "
            "base URL. Fix: -H with that URL, or an environment file for the other target"
        )
    return build_plan(
        loaded,
        base_url=host,
        allow_destructive=options.gonogo_allow_destructive,
        allow_full_load=options.gonogo_allow_full_load,
        processes=options.processes if options.processes and options.processes > 0 else None,
        users=options.num_users,
        spawn_rate=options.spawn_rate,
        duration_s=float(options.run_time) if options.run_time else None,
    )


def refusal_of(plan: LoadPlan, environment: Any) -> str | None:
    """Why this test must not start (the web UI can change host and users after the plan was made)."""
    host = (environment.host or "").rstrip("/")
    if not host_pattern(plan.base_url).fullmatch(host):
        return f"refusing to load {host}: the environment's base URL is {plan.base_url}"
    options = environment.parsed_options
    target = getattr(environment.runner, "target_user_count", None) or 0
    if plan.sensitive and not getattr(options, "gonogo_allow_full_load", False) and target > plan.users:
        return (
            f"refusing {target} users on sensitive environment {plan.environment}: at most {plan.users}. "
            "Pass --gonogo-allow-full-load to lift the cap"
        )
    return None
