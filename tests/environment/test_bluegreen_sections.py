"""The blue-green sections of the environment file: defaults, validation messages, interpolation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import jsonschema
import pytest

from gonogo.environment import EnvironmentFileError, json_schema, load_file

BASE = 'base_url = "http://127.0.0.1:9"\nexpected_version = "1"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bg.toml"
    path.write_text(BASE + text)
    return path


def test_a_baseline_alone_turns_comparison_and_parity_on_with_the_documented_defaults(tmp_path: Path) -> None:
    env = load_file(write(tmp_path, '[baseline]\nbase_url = "http://127.0.0.1:8/"\n'), environ={}).model
    assert env.baseline is not None
    assert env.baseline.base_url == "http://127.0.0.1:8"
    compare = env.baseline.compare
    assert (compare.enabled, compare.stage, compare.confidence, compare.min_samples) == (
        True,
        "postdeploy",
        0.98,
        50,
    )
    assert (env.baseline.parity.enabled, env.baseline.parity.compare) == (True, "shape")
    assert env.watch is None


def test_the_compare_stage_can_come_from_the_environment_and_the_raw_file_still_validates(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        '[baseline]\nbase_url = "http://127.0.0.1:8"\n'
        '[baseline.compare]\nstage = "${COMPARE_STAGE:-postdeploy}"\n',
    )
    jsonschema.validate(tomllib.loads(path.read_text()), json_schema())
    baseline = load_file(path, environ={"COMPARE_STAGE": "smoke"}).model.baseline
    assert baseline is not None
    assert baseline.compare.stage == "smoke"
    with pytest.raises(
        EnvironmentFileError,
        match=r"baseline\.compare\.stage: must be \"postdeploy\" or \"smoke\", got 'canary'",
    ):
        load_file(path, environ={"COMPARE_STAGE": "canary"})


def test_a_misspelt_comparison_key_names_the_table_and_the_closest_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[baseline]\nbase_url = "http://127.0.0.1:8"\n[baseline.compare]\nconfidance = 0.99\n'
    )
    with pytest.raises(EnvironmentFileError) as caught:
        load_file(path, environ={})
    assert (
        "baseline.compare.confidance: unknown key 'confidance' in baseline.compare. "
        "Did you mean 'confidence'?" in str(caught.value)
    )


def test_a_prometheus_source_without_a_query_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[watch]\n[watch.prometheus]\nurl = "http://127.0.0.1:9090"\n')
    with pytest.raises(
        EnvironmentFileError, match=r"watch\.prometheus: give error_rate_query, p95_ms_query or both"
    ):
        load_file(path, environ={})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[watch]\ninterval_s = 0", r"watch\.interval_s: Input should be greater than or equal to 0\.1"),
        ("[watch]\nfailure_limit = -1", r"watch\.failure_limit: Input should be greater than or equal to 0"),
        (
            '[watch.prometheus]\nurl = "prometheus:9090"\nerror_rate_query = "up"',
            r"must be an http:// or https:// URL",
        ),
        (
            '[watch.prometheus]\nurl = "http://p"\nwindow = "5 minutes"\np95_ms_query = "up"',
            r"watch\.prometheus\.window",
        ),
        (
            '[baseline]\nbase_url = "http://b"\n[baseline.compare]\nconfidence = 1.0',
            r"baseline\.compare\.confidence",
        ),
    ],
)
def test_blue_green_values_out_of_range_are_refused_with_their_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(EnvironmentFileError, match=message):
        load_file(write(tmp_path, table + "\n"), environ={})
