"""What the comparison says about failed requests: which kind, how many, on which route and when.

Counts alone ("11/2000 errors") leave the reader guessing whether the candidate broke or was not ready
yet; the kinds and their times in the traffic tell the two apart.
"""

from __future__ import annotations

import json

from gonogo.bluegreen.compare_text import error_kinds, errors_text
from gonogo.bluegreen.looks import compare_sequentially
from gonogo.bluegreen.simulate import Colour, SimulatedClock, simulated_sender
from gonogo.bluegreen.stats import Classification
from gonogo.bluegreen.traffic import Sample, Traffic
from gonogo.environment import CompareConfig, RouteConfig

ROUTES = [RouteConfig.model_validate({"name": "config", "path": "/api/config"})]


def _sample(side: str, sent_s: float, status: int | None, error: str | None = None) -> Sample:
    return Sample(side, "config", sent_s, 2.0, status, error, 200)  # type: ignore[arg-type]


def test_the_failed_requests_are_grouped_by_kind_most_frequent_first_with_when_they_came() -> None:
    traffic = Traffic(
        (
            _sample("candidate", 0.01, 500),
            _sample("baseline", 0.02, 200),
            _sample("candidate", 0.05, 500),
            _sample("candidate", 0.30, 500),
            _sample("candidate", 4.20, None, "ConnectError: connection refused"),
            _sample("candidate", 4.30, 200),
        ),
        planned_pairs=3,
        sent_pairs=3,
        duration_s=4.5,
        cut_short=None,
    )

    kinds = error_kinds(traffic, "candidate")

    assert [(k.what, k.count, k.first_s, k.last_s) for k in kinds] == [
        ("HTTP 500", 3, 0.01, 0.30),
        ("ConnectError: connection refused", 1, 4.20, 4.20),
    ]
    assert errors_text(traffic, "candidate") == (
        "3 x HTTP 500 on 'config' (0.01-0.30 s into the comparison); "
        "1 x ConnectError: connection refused on 'config' (at 4.20 s into the comparison)"
    )
    assert errors_text(traffic, "candidate", shown=1).endswith("; 1 other kind(s) in the JSON record")
    assert error_kinds(traffic, "baseline") == []
    assert errors_text(traffic, "baseline") == ""


def test_a_failed_error_rate_names_the_candidates_errors_in_the_failure_table_finding_and_record() -> None:
    clock = SimulatedClock()
    send = simulated_sender(ROUTES, Colour(20, 0.5), Colour(20, 0.5, 0.05), seed=6, clock=clock)
    report = compare_sequentially(
        send, ROUTES, CompareConfig(), baseline_url="http://blue", candidate_url="http://green", clock=clock
    )
    errors = report.errors
    assert errors.classification is Classification.FAIL
    assert errors.baseline_errors == 0
    said = f"{errors.candidate_errors} x HTTP 500 on 'config'"

    *measures, kinds_line = report.failures()
    assert kinds_line.startswith(f"the candidate's errors: {said}")
    assert kinds_line.endswith("into the comparison)")  # the look's note stays on the measure it decided
    assert any(line.startswith("error rate: ") and "at look" in line for line in measures)
    table = report.table()
    assert any(line.startswith(f"  candidate errors: {said}") for line in table)
    assert not any("baseline errors:" in line for line in table)
    (finding,) = [f for f in report.findings() if f.name == "error rate increase"]
    assert said in finding.detail
    kinds = json.loads(json.dumps(report.to_dict()))["error_rate"]["kinds"]
    assert [(k["side"], k["what"], k["count"]) for k in kinds] == [
        ("candidate", "HTTP 500", errors.candidate_errors)
    ]
