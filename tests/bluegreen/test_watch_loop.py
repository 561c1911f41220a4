"""The watch as plain code: durations, the schedule, Argo Rollouts' limits, and one measurement's phase.

The loop runs on a fake clock; the measurement against httpx.MockTransport (the edge cases: a target
that stops answering, a wrong version). The rolling window's statistics are in test_watch_window.py, the
real-server behaviour in test_watch_check.py.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gonogo.bluegreen.durations import duration_option, parse_duration
from gonogo.bluegreen.probe import Prober
from gonogo.bluegreen.watch import End, Limits, Measurement, Phase, Tally, WatchResult, run, slots
from gonogo.environment import HealthConfig, RouteConfig, VersionConfig


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("1.5m", 90.0),
        ("1h30m", 5400.0),
        ("500ms", 0.5),
        ("0", 0.0),
        (" 2M ", 120.0),
    ],
)
def test_durations_as_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "5 m", "1d", "-3s", "2x", "25h"])
def test_a_bad_duration_is_a_usage_error_naming_the_option(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"--watch or GONOGO_WATCH"):
        duration_option(text)


def test_slots_start_at_zero_and_end_at_the_duration() -> None:
    assert slots(3.0, 1.0) == [0.0, 1.0, 2.0, 3.0]
    assert slots(2.5, 1.0) == [0.0, 1.0, 2.0, 2.5]
    assert slots(1.0, 5.0) == [0.0, 1.0]


def test_a_measurement_in_another_phase_resets_the_run_of_errors() -> None:
    tally = Tally()
    for phase in (Phase.ERROR, Phase.ERROR, Phase.SUCCESSFUL, Phase.ERROR):
        tally.add(phase)
    assert (tally.errors, tally.errors_in_a_row, tally.most_errors_in_a_row) == (3, 1, 2)


@pytest.mark.parametrize(
    ("phases", "limits", "expected"),
    [
        ([Phase.FAILED], Limits(failure_limit=0), End.FAILED),
        ([Phase.FAILED], Limits(failure_limit=1), None),
        ([Phase.FAILED, Phase.FAILED], Limits(failure_limit=1), End.FAILED),
        ([Phase.INCONCLUSIVE], Limits(inconclusive_limit=0), End.INCONCLUSIVE),
        ([Phase.ERROR] * 4, Limits(consecutive_error_limit=4), None),
        ([Phase.ERROR] * 5, Limits(consecutive_error_limit=4), End.ERRORED),
        ([Phase.ERROR] * 3 + [Phase.SUCCESSFUL] + [Phase.ERROR] * 3, Limits(consecutive_error_limit=4), None),
    ],
)
def test_a_limit_is_exceeded_when_the_count_goes_above_it(
    phases: list[Phase], limits: Limits, expected: End | None
) -> None:
    tally = Tally()
    ended = None
    for phase in phases:
        tally.add(phase)
        ended = tally.exceeded(limits)
        if ended:
            break
    assert (ended[0] if ended else None) is expected


def test_limits_are_checked_in_argo_rollouts_order() -> None:
    tally = Tally(failed=2, inconclusive=2, errors=5, errors_in_a_row=5)
    assert tally.exceeded(Limits(1, 4, 1)) == (End.FAILED, "2 failed measurement(s) > failure_limit 1")
    tally.failed = 0
    assert (tally.exceeded(Limits(1, 4, 1)) or (None,))[0] is End.INCONCLUSIVE
    tally.inconclusive = 0
    assert (tally.exceeded(Limits(1, 4, 1)) or (None,))[0] is End.ERRORED


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds

    def watch(
        self, measure: Callable[[int, float], Measurement], *, duration_s: float, **options: Any
    ) -> WatchResult:
        """The watch loop on this clock: a measurement a second for ``duration_s``, default limits."""
        options.setdefault("limits", Limits())
        return run(
            measure, duration_s=duration_s, interval_s=1, clock=self.clock, sleep=self.sleep, **options
        )


def scripted(phases: list[Phase], fake: FakeTime, cost_s: float = 0.0) -> Callable[[int, float], Measurement]:
    def measure(index: int, t_s: float) -> Measurement:
        fake.now += cost_s
        return Measurement(index=index, t_s=t_s, duration_ms=cost_s * 1000, phase=phases[index])

    return measure


def test_a_healthy_watch_passes_after_its_last_measurement_at_the_duration() -> None:
    fake = FakeTime()
    result = fake.watch(scripted([Phase.SUCCESSFUL] * 4, fake), duration_s=3)
    assert result.end is End.PASSED
    assert [m.t_s for m in result.measurements] == [0, 1, 2, 3]
    assert result.elapsed_s == 3
    assert "4 measurement(s) over 3 s, no limit exceeded" in result.reason


def test_a_failing_watch_stops_at_the_measurement_that_exceeds_the_limit() -> None:
    fake = FakeTime()
    seen: list[int] = []
    result = fake.watch(
        scripted(
            [Phase.SUCCESSFUL, Phase.SUCCESSFUL, Phase.FAILED, Phase.FAILED] + [Phase.SUCCESSFUL] * 7, fake
        ),
        duration_s=10,
        limits=Limits(failure_limit=1),
        on_measurement=lambda m, tally: seen.append(m.index),
    )
    assert result.end is End.FAILED
    assert seen == [0, 1, 2, 3]
    assert result.elapsed_s == 3
    assert result.reason == "2 failed measurement(s) > failure_limit 1"


def test_an_overrun_skips_the_slots_it_missed_instead_of_catching_up() -> None:
    fake = FakeTime()
    result = fake.watch(scripted([Phase.SUCCESSFUL] * 5, fake, cost_s=2.5), duration_s=6)
    # done at 2.5: slot 1 is skipped, slot 2 (due) is measured at once; done at 5.0: slots 3 and 4 are
    # skipped, slot 5 measured at once; then the last slot, 6, at 7.5
    assert [m.t_s for m in result.measurements] == [0, 2.5, 5.0, 7.5]
    assert fake.slept == []
    assert result.end is End.PASSED


HEALTH = HealthConfig.model_validate({"path": "/health", "json": {"status": "ok"}})
VERSION = VersionConfig()
ROUTES = [RouteConfig(name="list items", path="/api/items")]


def prober(
    handler: Callable[[httpx.Request], httpx.Response], sample: int = 4, plan: list[float] | None = None
) -> Prober:
    client = httpx.Client(base_url="http://candidate.test", transport=httpx.MockTransport(handler))
    return Prober(
        client,
        health=HEALTH,
        version=VERSION,
        expected_version="1.4.2",
        routes=ROUTES,
        sample_requests=sample,
        max_error_rate=0.01,
        p95_ms=500,
        plan=plan,
    )


def healthy(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/health":
        return httpx.Response(200, json={"status": "ok"})
    if request.url.path == "/version":
        return httpx.Response(200, json={"version": "1.4.2"})
    return httpx.Response(200, json={"items": []})


def test_a_healthy_candidate_measures_successful() -> None:
    measurement = prober(healthy).measure(0, 0.0)
    assert measurement.phase is Phase.SUCCESSFUL
    assert (measurement.sample_sent, measurement.sample_answered, measurement.sample_errors) == (4, 4, 0)
    assert measurement.p95_ms is not None


def test_a_target_that_stops_answering_is_an_error_counted_apart_from_failures() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    measurement = prober(refused).measure(3, 1.5)
    assert measurement.phase is Phase.ERROR
    assert measurement.network_errors == 6  # health, version, 4 sample requests
    assert measurement.sample_answered == 0
    assert measurement.reasons[0].startswith("health: ")


def test_a_bad_answer_fails_the_measurement_even_when_another_probe_got_none() -> None:
    def wrong_version(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/version":
            return httpx.Response(200, json={"version": "1.4.1"})
        if request.url.path == "/health":
            raise httpx.ReadTimeout("timed out", request=request)
        return healthy(request)

    measurement = prober(wrong_version).measure(0, 0.0)
    assert measurement.phase is Phase.FAILED
    assert measurement.reasons == ("version: expected version '1.4.2', got '1.4.1'",)
    assert measurement.version == "1.4.1"


def test_errors_shown_over_the_limit_by_the_exact_test_fail_the_measurement() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api"):
            calls["n"] += 1
            if calls["n"] % 2:
                return httpx.Response(500, json={"error": "injected fault"})
        return healthy(request)

    measurement = prober(flaky).measure(0, 0.0)
    assert measurement.phase is Phase.FAILED
    assert measurement.error_rate == 0.5
    # 2 errors in 4 answers if the rate were 1 %: p = 6e-4, under the measurement's level 0.005
    assert measurement.reasons == (
        "error rate 2/4 = 50.0% over the last 4 requests > 1.0% (exact binomial p = 0.00059 < 0.005)",
    )
    assert measurement.to_dict()["error_rate"] == 0.5


def test_one_error_in_a_small_sample_is_no_evidence_against_a_one_percent_limit() -> None:
    calls = {"n": 0}

    def one_error(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api"):
            calls["n"] += 1
            if calls["n"] == 2:
                return httpx.Response(500, json={"error": "injected fault"})
        return healthy(request)

    measurement = prober(one_error, sample=10).measure(0, 0.0)
    assert measurement.sample_errors == 1
    assert measurement.phase is Phase.SUCCESSFUL  # the old rule (1/10 > 1 %) rolled back here


def test_the_sample_grows_so_that_the_watch_gathers_a_window_by_its_end() -> None:
    # 1 % errors at 99 %: 459 answers with none wrong show it; a watch of 7 measurements sends 66 each
    seven = prober(healthy, sample=5, plan=slots(3, 0.5))
    assert (seven.window.size, seven.requests) == (459, 66)
    assert prober(healthy, sample=50, plan=slots(99, 1)).requests == 50  # enough already: as configured
    assert prober(healthy, sample=5).requests == 5  # no plan: exactly as configured


def test_slots_skipped_by_an_overrun_leave_the_later_measurements_to_send_what_is_missing() -> None:
    late = prober(healthy, sample=5, plan=slots(3, 0.5))
    first = late.measure(0, 0.0)
    assert first.sample_sent == 66
    # the next measurement comes only at 2.5 s: two slots (2.5, 3.0) remain for the 393 still missing
    assert late.measure(1, 2.5).sample_sent == 197


def test_a_sample_never_grows_past_what_fits_before_the_next_slot() -> None:
    slow_fake = FakeTime()

    def slow(request: httpx.Request) -> httpx.Response:
        slow_fake.now += 0.01  # 10 ms a request
        return healthy(request)

    hurried = prober(slow, sample=5, plan=slots(3, 0.5))
    hurried.clock = slow_fake.clock
    hurried.measure(0, 0.0)  # 66 requests: the pace is not known yet
    # at 10 ms a request, 70 % of the 0.5 s to the next slot holds 35 requests, not the 393 / 6 wanted
    assert hurried.measure(1, 0.5).sample_sent == 35


def test_a_watch_too_short_to_show_its_limits_held_ends_inconclusive_with_what_it_needs() -> None:
    fake = FakeTime()
    short = prober(healthy, sample=5)  # 4 measurements x 5 requests: 20 answers, 459 needed
    result = fake.watch(short.measure, duration_s=3, evidence=short.evidence)
    assert result.end is End.INCONCLUSIVE
    assert "no limit exceeded" in result.reason
    assert "does not show an error rate below 1.00%; need about 440 more requests" in result.reason
    found = {f.name: f for f in result.findings()}
    assert found["watch error rate"].verdict.value == "inconclusive"
    assert found["watch p95"].verdict.value == "inconclusive"  # 20 answers: 90 needed for a p95 bound


def test_a_watch_that_gathered_its_window_passes_with_the_evidence_shown() -> None:
    fake = FakeTime()
    enough = prober(healthy, sample=5, plan=slots(3, 1))
    result = fake.watch(enough.measure, duration_s=3, evidence=enough.evidence)
    assert result.end is End.PASSED
    assert [f.verdict.value for f in result.findings()] == ["pass", "pass"]
    # 459 answers show 1 % at 99 %: spread over the 4 slots (115 each, the last what is left)
    assert [m.sample_sent for m in result.measurements] == [115, 115, 115, 114]
    assert result.to_dict()["evidence"][0]["passed"] is True
