"""The recorder: every sample after warm-up, percentiles within 0.1 %, deltas that merge across processes."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from gonogo.loadgen.aggregate import Aggregate
from gonogo.loadgen.histograms import Buckets, new_histogram, percentile_ms, record_values
from gonogo.loadgen.measurements import MEASUREMENTS_FORMAT, LoadMeasurements
from gonogo.loadgen.recorder import Recorder

from .conftest import measured, plan


def test_percentiles_are_within_a_tenth_of_a_percent_of_the_exact_ones() -> None:
    rng = np.random.default_rng(7)
    samples = rng.lognormal(mean=np.log(40.0), sigma=0.6, size=40_000)  # ms, a heavy right tail

    run = measured(samples.tolist())

    latency = run.total.latency
    for percent, value in ((50, latency.p50_ms), (95, latency.p95_ms), (99, latency.p99_ms)):
        exact = float(np.percentile(samples, percent, method="inverted_cdf"))
        assert value is not None
        assert abs(value - exact) / exact <= 0.001, (percent, value, exact)
    assert run.requests == 40_000
    assert latency.max_ms == pytest.approx(samples.max(), abs=0.001)


def test_grouped_recording_fills_the_histogram_exactly_like_one_value_at_a_time() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(1, 50_000_000, size=5_000).astype(np.int64)  # 1 us to 50 s
    one_by_one, grouped = new_histogram(), new_histogram()
    for value in values.tolist():
        one_by_one.record_value(value)

    record_values(grouped, values)

    assert grouped.get_total_count() == one_by_one.get_total_count() == 5_000
    for percent in (1, 10, 50, 90, 95, 99, 99.9, 100):
        assert percentile_ms(grouped, percent) == percentile_ms(one_by_one, percent)


def test_order_statistics_read_from_the_buckets_agree_with_hdrhistogram_and_bracket_the_samples() -> None:
    rng = np.random.default_rng(9)
    values = np.sort(rng.integers(100, 5_000_000, size=3_000)).astype(np.int64)  # us
    hist = new_histogram()
    record_values(hist, values)

    buckets = Buckets.of(hist)

    assert buckets.total == 3_000
    for rank in (1, 17, 1_500, 2_850, 2_999, 3_000):
        exact_ms = values[rank - 1] / 1000.0
        assert buckets.value_at_rank(rank, upper=False) <= exact_ms <= buckets.value_at_rank(rank, upper=True)
    # HdrHistogram's own p95 is the sample at rank round(0.95 n), at its bucket's upper edge; its
    # percentiles and mean, read from the buckets without its walk over every index, are its own
    assert buckets.value_at_rank(2_850, upper=True) == hist.get_value_at_percentile(95.0) / 1000.0
    for percent in (0.1, 1, 50, 95, 99, 99.9, 100):
        assert buckets.percentile_ms(percent) == hist.get_value_at_percentile(percent) / 1000.0
    assert buckets.mean_ms() == pytest.approx(hist.get_mean_value() / 1000.0, rel=1e-12)
    with pytest.raises(ValueError, match=r"rank 3001 outside 1\.\.3000"):
        buckets.value_at_rank(3_001, upper=True)


def test_warm_up_samples_feed_the_chart_but_not_the_percentiles() -> None:
    recorder = Recorder(warmup_s=2.0, duration_s=5.0, clock=lambda: 0.0)
    recorder.begin(0.0)
    for tick in range(100):
        recorder.add("r", 5_000.0, True, 0.5 + tick / 1000)  # slow warm-up: connections, caches
        recorder.add("r", 10.0, True, 3.0 + tick / 1000)

    aggregate = Aggregate()
    aggregate.merge("local", recorder.take_delta(final=True, now=5.0))
    run = aggregate.to_measurements(plan=plan(warmup_s=2.0, duration_s=5.0), locust=None, complete=True)

    assert run.requests == 100
    assert run.total.latency.p95_ms == pytest.approx(10.0, rel=0.001)
    by_second = {point.t: point for point in run.intervals}
    assert by_second[0.0].requests == 100
    assert by_second[0.0].p50_ms == pytest.approx(5_000.0, rel=0.01)
    assert by_second[3.0].requests == 100


def test_deltas_from_several_processes_merge_into_the_same_result_as_one_process() -> None:
    rng = np.random.default_rng(11)
    samples = rng.exponential(20.0, size=3_000)
    single = Recorder(warmup_s=0.0, duration_s=10.0, clock=lambda: 0.0)
    workers = [Recorder(warmup_s=0.0, duration_s=10.0, clock=lambda: 0.0) for _ in range(3)]
    single.begin(0.0)
    for worker in workers:
        worker.begin(0.0)
    merged, alone = Aggregate(), Aggregate()
    for index, value in enumerate(samples.tolist()):
        at = index / 300
        single.add("r", value, index % 50 != 0, at)
        workers[index % 3].add("r", value, index % 50 != 0, at)
        if index % 700 == 0:  # periodic reports, as locust's every 3 s
            merged.merge(f"w{index % 3}", workers[index % 3].take_delta(now=at))
    for number, worker in enumerate(workers):
        merged.merge(f"w{number}", json.loads(json.dumps(worker.take_delta(final=True, now=10.0))))
    alone.merge("local", single.take_delta(final=True, now=10.0))

    run = plan(warmup_s=0.0, duration_s=10.0)
    several = merged.to_measurements(plan=run, locust=None, complete=True)
    one = alone.to_measurements(plan=run, locust=None, complete=True)

    assert several.total == one.total
    assert several.processes == 3
    assert merged.finals == {"w0", "w1", "w2"}
    assert several.total.errors == 60


def test_the_measurements_file_reads_back_into_the_same_measurements() -> None:
    rng = np.random.default_rng(5)
    run = plan(mode="open", rate_per_s=100.0)
    written = measured(
        rng.lognormal(np.log(30.0), 0.5, size=2_000).tolist(),
        errors=7,
        run=run,
        cpu=[40.0, 60.0],
        open_counts={"sent": 2_000, "dropped": 3, "unfinished": 1},
        service_ms=[12.0, 15.0],
        locust={"requests": 2_000, "failures": 7, "p95_ms": 72, "routes": {"list items": {"p95_ms": 72}}},
    )

    data = json.loads(written.to_json())
    again = LoadMeasurements.from_dict(data)

    assert data["format"] == MEASUREMENTS_FORMAT
    assert again == written
    assert again.to_dict() == data
    assert again.total.latency == written.total.latency
    assert again.open == written.open
    assert again.total.errors == 7


def test_a_delta_handed_over_in_process_merges_like_one_sent_over_the_wire() -> None:
    rng = np.random.default_rng(13)
    samples = rng.exponential(15.0, size=2_000).tolist()
    wire, local = Recorder(warmup_s=0.0, duration_s=10.0), Recorder(warmup_s=0.0, duration_s=10.0)
    for recorder in (wire, local):
        recorder.begin(0.0)
        for index, value in enumerate(samples):
            recorder.add("r", value, index % 40 != 0, index / 200)
    by_wire, in_process = Aggregate(), Aggregate()

    by_wire.merge("local", json.loads(json.dumps(wire.take_delta(final=True, now=10.0))))
    in_process.merge("local", local.take_delta(final=True, now=10.0, encoded=False))

    run = plan(warmup_s=0.0, duration_s=10.0)
    one, other = (agg.to_measurements(plan=run, locust=None, complete=True) for agg in (by_wire, in_process))
    # everything but the CPU each recorder's process spent, which differs from call to call
    assert {**one.to_dict(), "cpu_seconds": 0} == {**other.to_dict(), "cpu_seconds": 0}
    assert one.total.errors == 50
    assert in_process.progress(elapsed_s=10.0, users=1, window_s=10.0) == by_wire.progress(
        elapsed_s=10.0, users=1, window_s=10.0
    )


def test_a_closed_window_still_takes_answers_to_requests_scheduled_inside_it() -> None:
    recorder = Recorder(warmup_s=0.0, duration_s=10.0, clock=lambda: 0.0)
    recorder.begin(0.0)
    recorder.close(4.0)
    recorder.add("r", 900.0, True, 3.9)  # scheduled before the close, answered after it: counts
    recorder.add("r", 1.0, True, 4.1)  # scheduled after the close: not measured
    recorder.finish(5.0)
    recorder.add("r", 1.0, True, 3.0)  # after finish: ignored

    delta = recorder.take_delta(final=True, now=5.0)

    assert delta["routes"]["r"]["requests"] == 1
    assert delta["measured_s"] == pytest.approx(4.0)


def test_errors_and_cpu_outside_the_measured_window_are_left_out() -> None:
    recorder = Recorder(warmup_s=1.0, duration_s=3.0, clock=lambda: 0.0)
    recorder.begin(0.0)
    recorder.error("r", "HTTP 500 (expected 200)", 0.5)
    recorder.error("r", "HTTP 500 (expected 200)", 2.0)
    recorder.cpu(99.0, 0.5)
    recorder.cpu(40.0, 2.0)

    delta = recorder.take_delta()

    assert delta["error_kinds"] == [["r", "HTTP 500 (expected 200)", 1]]
    assert delta["cpu"] == [40.0]


def test_progress_line_shows_rate_p95_and_errors_since_the_last_line() -> None:
    recorder = Recorder(warmup_s=0.0, duration_s=10.0, clock=lambda: 0.0)
    recorder.begin(0.0)
    for index in range(200):
        recorder.add("r", 20.0 if index < 190 else 80.0, index != 0, index / 100)
    aggregate = Aggregate()
    aggregate.merge("local", recorder.take_delta(now=2.0))

    line = aggregate.progress(elapsed_s=2.0, users=7, window_s=2.0)

    # the progress line's p95 is read from the chart's 1 % histogram
    assert re.fullmatch(
        r"gonogo load +2\.0 s +users +7 +100\.0 req/s +p95 +20\.[01] ms +errors 1 \(0\.50%\)", line
    ), line
