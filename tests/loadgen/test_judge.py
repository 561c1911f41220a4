"""The judgement: what fails (ROLLBACK), what is inconclusive (never a pass), and the messages."""

from __future__ import annotations

import pytest

from gonogo.loadgen.judge import judge

from .conftest import measured, plan

FAST = [10.0] * 950 + [20.0] * 50  # p95 10 ms
SLOW = [10.0] * 900 + [300.0] * 100  # p95 300 ms


def _by_name(judgement: object) -> dict[str, object]:
    return {item.name: item for item in judgement.findings}  # type: ignore[attr-defined]


def test_a_healthy_run_passes_with_its_figures_recorded() -> None:
    judgement = judge(measured(FAST, locust={"requests": 1000, "failures": 0, "p95_ms": 10}), plan())

    assert judgement.verdict == "pass"
    found = _by_name(judgement)
    assert found["p95 latency"].value == pytest.approx(10.0, rel=0.001)  # type: ignore[attr-defined]
    assert found["p95 latency"].limit == 100.0  # type: ignore[attr-defined]
    assert found["error rate"].value == 0.0  # type: ignore[attr-defined]
    assert found["locust p95 latency"].value == 10  # type: ignore[attr-defined]
    assert found["requests"].verdict == "pass"  # type: ignore[attr-defined]


def test_p95_over_its_limit_fails_with_measured_value_limit_target_and_fix() -> None:
    judgement = judge(measured(SLOW), plan(), env_file="environments/staging.toml [load]")

    assert judgement.verdict == "fail"
    (message,) = judgement.failures
    assert message.startswith(
        "p95 latency 300.0 ms > limit 100 ms (p95_ms in environments/staging.toml [load])"
    )
    assert "against http://127.0.0.1:8000 (closed model, 10 users, 1 process)" in message
    assert "over 1000 requests in 10.0 s after 2 s warm-up" in message
    assert "Fix:" in message


def test_an_error_rate_over_its_limit_fails_and_names_the_errors() -> None:
    judgement = judge(measured(FAST, errors=30), plan())

    (message,) = judgement.failures
    assert message.startswith("error rate 3.00% > limit 1.00% (max_error_rate in the environment file)")
    assert "30 of 1000 requests failed: list items: HTTP 500 (expected 200) x30" in message


def test_too_few_requests_is_inconclusive_not_a_pass() -> None:
    judgement = judge(measured(FAST[:40]), plan())

    assert judgement.verdict == "inconclusive"
    assert judgement.failures == ()
    assert "only 40 requests in 10.0 s after 2 s warm-up (min_requests = 100" in judgement.inconclusive[0]
    assert _by_name(judgement)["requests"].verdict == "inconclusive"  # type: ignore[attr-defined]


def test_a_saturated_generator_makes_a_slow_p95_inconclusive_but_errors_still_fail() -> None:
    saturated = judge(measured(SLOW, cpu=[97.0, 99.0]), plan())
    assert saturated.verdict == "inconclusive"
    assert _by_name(saturated)["p95 latency"].verdict == "inconclusive"  # type: ignore[attr-defined]
    assert (
        "the load generator was saturated: CPU 98% of a core on average (limit 90%"
        in saturated.inconclusive[0]
    )

    with_errors = judge(measured(SLOW, cpu=[98.0], errors=50), plan())
    assert with_errors.verdict == "fail"
    assert with_errors.failures[0].startswith("error rate 5.00%")


def test_an_open_schedule_not_kept_is_inconclusive_unless_even_the_service_time_is_too_slow() -> None:
    run = plan(mode="open", rate_per_s=200.0, users=4)  # 2000 planned in 10 s, 1000 made
    short = judge(measured(SLOW, run=run, open_counts={"sent": 1000, "dropped": 990}), plan())
    assert short.verdict == "inconclusive"
    assert short.inconclusive[0].startswith(
        "achieved 100.0 req/s, short of the planned 200 req/s by more than 5%"
    )
    assert (
        "1000 sent, 0 late (> 10 ms after their scheduled time, timed from it), 990 never sent"
        in (short.inconclusive[0])
    )

    too_slow = judge(measured(SLOW, run=run, service_ms=[250.0] * 100), plan())
    assert too_slow.verdict == "fail"
    assert "timed from the actual send: 250.1 ms" in _by_name(too_slow)["p95 latency"].detail  # type: ignore[attr-defined]


def test_incomplete_results_are_inconclusive_and_say_why() -> None:
    judgement = judge(measured(FAST, complete=False), plan())

    assert judgement.verdict == "inconclusive"
    assert judgement.inconclusive == (
        "the load results are incomplete: the run was stopped before its end (interrupted)",
    )


def test_caps_are_reported_as_a_finding() -> None:
    run = plan(caps=("users 50 -> 5 (sensitive_max_users)",), sensitive=True)
    judgement = judge(measured(FAST, run=run), run)

    assert _by_name(judgement)["load capped"].value == "users 50 -> 5 (sensitive_max_users)"  # type: ignore[attr-defined]
    assert judgement.verdict == "pass"
