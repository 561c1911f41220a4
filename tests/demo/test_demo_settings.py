from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from gonogo.demo import DemoSettings
from gonogo.demo.server import build_parser, main
from gonogo.demo.settings import KNOBS, DemoSettingsError


def settings_from(environ: dict[str, str], *argv: str) -> DemoSettings:
    args = build_parser().parse_args(["--port", "0", *argv])
    return DemoSettings.from_env(environ).with_flags(args)


def test_no_variables_and_no_flags_give_a_healthy_service() -> None:
    settings = settings_from({})

    assert settings == DemoSettings()
    assert settings.version == "1.4.2"
    assert settings.error_rate == 0
    assert settings.latency_ms == 0
    assert settings.latency_dist == "fixed"
    assert settings.latency_sigma == 0.5
    assert settings.drop_headers == frozenset()
    assert settings.leak_headers is False
    assert settings.health_status == "ok"
    assert settings.token_env is None
    assert settings.rename_field is None
    assert settings.seed is None


class Knob(NamedTuple):
    """One knob set both ways: its variable, and flags that beat it."""

    field: str
    variable: str
    text: str
    #: the value read from ``text``
    read: object
    flags: tuple[str, ...]
    #: the value the flags give
    given: object


EVERY_KNOB = [
    Knob("version", "GONOGO_DEMO_VERSION", "2.0.0", "2.0.0", ("--report-version=9.9.9",), "9.9.9"),
    Knob("error_rate", "GONOGO_DEMO_ERROR_RATE", "0.25", 0.25, ("--error-rate=0.5",), 0.5),
    Knob("seed", "GONOGO_DEMO_SEED", "42", 42, ("--seed=7",), 7),
    Knob("latency_ms", "GONOGO_DEMO_LATENCY_MS", "120", 120, ("--latency-ms=5",), 5),
    Knob(
        "latency_dist",
        "GONOGO_DEMO_LATENCY_DIST",
        "lognormal",
        "lognormal",
        ("--latency-dist=fixed",),
        "fixed",
    ),
    Knob("latency_sigma", "GONOGO_DEMO_LATENCY_SIGMA", "0.8", 0.8, ("--latency-sigma=0.1",), 0.1),
    Knob(
        "drop_headers",
        "GONOGO_DEMO_DROP_HEADERS",
        "X-Frame-Options, referrer-policy",
        frozenset({"x-frame-options", "referrer-policy"}),
        ("--drop-header=referrer-policy", "--drop-header=content-security-policy"),
        frozenset({"referrer-policy", "content-security-policy"}),
    ),
    Knob("leak_headers", "GONOGO_DEMO_LEAK_HEADERS", "1", True, ("--no-leak-headers",), False),
    Knob("start_delay_s", "GONOGO_DEMO_START_DELAY_S", "1.5", 1.5, ("--start-delay=0",), 0),
    Knob("health_status", "GONOGO_DEMO_HEALTH", "degraded", "degraded", ("--health=ok",), "ok"),
    Knob(
        "token_env",
        "GONOGO_DEMO_TOKEN_ENV",
        "DEMO_TOKEN",
        "DEMO_TOKEN",
        ("--token-env=OTHER_TOKEN",),
        "OTHER_TOKEN",
    ),
    Knob("fault_after_s", "GONOGO_DEMO_FAULT_AFTER_S", "30", 30, ("--fault-after=2",), 2),
    Knob(
        "rename_field",
        "GONOGO_DEMO_RENAME_FIELD",
        "price:cost",
        ("price", "cost"),
        ("--rename-field=name:title",),
        ("name", "title"),
    ),
]
EVERY_VARIABLE = {knob.variable: knob.text for knob in EVERY_KNOB}


def test_every_variable_is_read() -> None:
    settings = DemoSettings.from_env(EVERY_VARIABLE)

    assert settings == DemoSettings(**{knob.field: knob.read for knob in EVERY_KNOB})  # type: ignore[arg-type]


def test_every_knob_has_a_flag_that_beats_its_variable() -> None:
    settings = settings_from(EVERY_VARIABLE, *(flag for knob in EVERY_KNOB for flag in knob.flags))

    assert settings == DemoSettings(**{knob.field: knob.given for knob in EVERY_KNOB})  # type: ignore[arg-type]


def test_leak_headers_flag_turns_the_fault_on() -> None:
    assert settings_from({}, "--leak-headers").leak_headers is True


def test_an_empty_variable_counts_as_unset() -> None:
    settings = DemoSettings.from_env({"GONOGO_DEMO_ERROR_RATE": "", "GONOGO_DEMO_VERSION": ""})

    assert settings == DemoSettings()


#: each variable: what it accepts (the error says so), and values it refuses
BAD_VALUES = {
    "GONOGO_DEMO_ERROR_RATE": ("a number from 0 to 1", ["1.5", "-0.1", "nan"]),
    "GONOGO_DEMO_LATENCY_MS": ("a number of milliseconds >= 0", ["abc", "-5"]),
    "GONOGO_DEMO_LATENCY_DIST": ("one of fixed, lognormal", ["normal"]),
    "GONOGO_DEMO_LATENCY_SIGMA": ("a number >= 0", ["inf"]),
    "GONOGO_DEMO_SEED": ("an integer", ["1.5"]),
    "GONOGO_DEMO_DROP_HEADERS": ("a comma-separated list of strict-transport-security", ["x-powered-by"]),
    "GONOGO_DEMO_LEAK_HEADERS": ("one of 1, 0, true, false, yes, no, on, off", ["maybe"]),
    "GONOGO_DEMO_START_DELAY_S": ("a number of seconds >= 0", ["soon"]),
    "GONOGO_DEMO_HEALTH": ("one of ok, degraded", ["bad"]),
    "GONOGO_DEMO_TOKEN_ENV": ("an environment variable name", ["NOT A NAME"]),
    "GONOGO_DEMO_FAULT_AFTER_S": ("a number of seconds >= 0", ["-1"]),
    "GONOGO_DEMO_RENAME_FIELD": (
        "OLD:NEW with OLD one of id, name, price",
        ["name", "colour:color", "name:price"],
    ),
    "GONOGO_DEMO_VERSION": ("a non-empty version string", ["   "]),
}


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [(variable, value, accepted) for variable, (accepted, values) in BAD_VALUES.items() for value in values],
)
def test_a_bad_variable_is_named_with_the_values_it_accepts(variable: str, value: str, accepted: str) -> None:
    with pytest.raises(DemoSettingsError) as caught:
        DemoSettings.from_env({variable: value})

    message = str(caught.value)
    assert message.startswith(f"{variable} must be {accepted}")
    assert message.endswith(f"given: {value!r}")


def test_a_bad_flag_is_named_rather_than_its_variable() -> None:
    with pytest.raises(DemoSettingsError, match=r"^--error-rate must be a number from 0 to 1, given: '2'$"):
        settings_from({"GONOGO_DEMO_ERROR_RATE": "0.1"}, "--error-rate", "2")


def test_settings_built_in_code_are_checked_too() -> None:
    with pytest.raises(DemoSettingsError, match=r"^error_rate must be a number from 0 to 1, given: 1.5$"):
        DemoSettings(error_rate=1.5)


def test_main_exits_2_with_one_line_naming_the_bad_knob(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--port", "0"], environ={"GONOGO_DEMO_LATENCY_MS": "abc"})

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err == "gonogo.demo: GONOGO_DEMO_LATENCY_MS must be a number of milliseconds >= 0, given: 'abc'\n"


@pytest.mark.parametrize("port", ["x", "-1", "65536"])
def test_main_rejects_a_port_outside_0_to_65535(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", port], environ={}) == 2
    assert capsys.readouterr().err == (
        f"gonogo.demo: --port must be an integer from 0 to 65535, given: {port!r}\n"
    )


def test_main_wants_certfile_and_keyfile_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--certfile", "cert.pem"], environ={}) == 2
    assert capsys.readouterr().err == (
        "gonogo.demo: --certfile and --keyfile go together: give both or neither\n"
    )


def test_the_docs_list_every_knob_with_its_variable_and_flag() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "demo.md").read_text()

    for knob in KNOBS:
        assert f"`{knob.env}`" in docs
        assert f"`{knob.flag}" in docs
