"""The judgement: what fails (ROLLBACK), what is inconclusive (never a pass), and the messages."""

from __future__ import annotations

import re

import numpy as np
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


# --- evidence sufficiency: bounds, not point estimates, decide -----------------------------------------


@pytest.mark.parametrize(
    ("finding", "needed", "reason", "verdict_when_enough"),
    [
        pytest.param(
            "p95 latency",
            59,
            "an upper bound on a p95 needs at least 59 requests; need about 1 more requests",
            "inconclusive",  # 59 requests still cannot show the error rate under 1 % (that needs 299)
            id="p95 upper bound from 59 requests",
        ),
        pytest.param(
            "error rate",
            299,
            "the 95% bounds are 0.00% to 1.00%; need about 1 more requests",
            "pass",
            id="zero failures under 1 percent from 299 requests",
        ),
    ],
)
def test_a_finding_passes_only_once_its_bound_has_enough_requests(
    finding: str, needed: int, reason: str, verdict_when_enough: str
) -> None:
    limits = plan(min_requests=1)
    short = judge(measured([10.0] * (needed - 1)), limits)
    enough = judge(measured([10.0] * needed), limits)

    assert _by_name(short)[finding].verdict == "inconclusive"  # type: ignore[attr-defined]
    (said,) = [message for message in short.inconclusive if message.startswith(finding)]
    assert reason in said
    assert _by_name(enough)[finding].verdict == "pass"  # type: ignore[attr-defined]
    assert enough.verdict == verdict_when_enough


def test_a_p95_fails_only_when_its_lower_bound_is_over_the_limit() -> None:
    # 10 samples: the 8th smallest is a 95% lower bound on the p95 (P(Binomial(10, 0.95) <= 7) = 1.2%)
    slow = judge(measured([150.0] * 8 + [300.0] * 2), plan(min_requests=1))
    mixed = judge(measured([50.0] * 8 + [300.0] * 2), plan(min_requests=1))

    assert slow.verdict == "fail"
    # read at the lower edge of the 150 ms bucket: never less cautious than the sample itself
    assert "at least 149.9 ms at 95% confidence" in slow.failures[0]
    assert _by_name(mixed)["p95 latency"].verdict == "inconclusive"  # type: ignore[attr-defined]
    assert mixed.failures == ()


def test_a_p95_near_its_limit_is_inconclusive_and_says_how_many_more_requests_would_tell() -> None:
    rng = np.random.default_rng(2024)
    # lognormal with a true p95 of 95 ms against a 100 ms limit: 1000 samples cannot tell
    draw = lambda n: np.exp(rng.normal(np.log(95.0) - 1.645 * 0.5, 0.5, size=n)).tolist()  # noqa: E731
    first = judge(measured(draw(1000)), plan())

    (reason,) = [message for message in first.inconclusive if message.startswith("p95")]
    match = re.search(
        r"need about (\d+) more requests \(about ([\d.]+) (s|min) at the 100\.0 requests/s", reason
    )
    assert match, reason
    more = int(match.group(1))
    assert 1000 < more < 100_000
    # the estimate holds: that many requests of the same latency decide it
    again = judge(measured(draw(1000 + more)), plan(duration_s=2.0 + (1000 + more) / 100.0))
    assert _by_name(again)["p95 latency"].verdict == "pass"  # type: ignore[attr-defined]


def test_a_few_failures_over_the_limit_are_inconclusive_until_the_lower_bound_clears_it() -> None:
    # 3 in 100 (3%) is over a 1% limit, but its Clopper-Pearson lower bound is 0.82%: not shown yet
    few = judge(measured([10.0] * 100, errors=3), plan(min_requests=1))
    many = judge(measured([10.0] * 1000, errors=30), plan(min_requests=1))

    assert _by_name(few)["error rate"].verdict == "inconclusive"  # type: ignore[attr-defined]
    assert few.failures == ()
    assert _by_name(many)["error rate"].verdict == "fail"  # type: ignore[attr-defined]


def test_a_zero_error_limit_is_judged_on_the_count() -> None:
    clean = judge(measured([10.0] * 100), plan(max_error_rate=0.0, min_requests=1))
    one = judge(measured([10.0] * 100, errors=1), plan(max_error_rate=0.0, min_requests=1))

    assert _by_name(clean)["error rate"].verdict == "pass"  # type: ignore[attr-defined]
    assert one.verdict == "fail"
