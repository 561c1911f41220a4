"""Every file of the real-world corpus (tests/fixtures/realworld/MANIFEST.toml) gets the outcome and the
message its manifest entry expects; the closing note counts false passes and false fails, now and as
gonogo answered before issue 15 (the ``before`` column, measured with the probes of commit fb3ff71)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gonogo.probes import junit, lockfiles, wrangler
from tests.probes.conftest import CORPUS_TALLY

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
OUTCOMES = ("pass", "fail", "refused")


def judge(case: dict[str, Any]) -> tuple[str, str]:
    """(outcome, message) gonogo gives for one corpus file, as its check would."""
    path = CORPUS / case["file"]
    if case["kind"] == "junit":
        try:
            message = junit.problem(junit.read(path), case["file"])
        except junit.JUnitError as exc:
            return "refused", str(exc)
        return ("fail", message) if message else ("pass", "")
    if case["kind"] == "wrangler":
        try:
            config = wrangler.load(path)
        except wrangler.WranglerError as exc:
            return "refused", str(exc)
        env = case["env"]
        problems = wrangler.config_problems(config, env)
        problems += [str(item) for item in wrangler.missing_bindings(config, env)]
        problems += [f"vars.{name}" for name in wrangler.missing_vars(config, env, path.parent)]
        return ("fail", "; ".join(problems)) if problems else ("pass", "")
    report = lockfiles.check(path)
    if report.refused:
        return "refused", report.message(case["file"]) or ""
    message = report.message(case["file"])
    return ("fail", message) if message else ("pass", "")


def _tally(pairs: list[tuple[dict[str, Any], str, bool]]) -> dict[str, object]:
    counts: Counter[str] = Counter()
    for case, outcome, words_right in pairs:
        expected = case["expected"]
        if outcome == expected:
            counts["right" if words_right else "wrong reason"] += 1
        elif expected == "pass":
            counts["false fail"] += 1  # a good file failed or was refused
        elif outcome == "pass":
            counts["false pass"] += 1
        else:
            counts["wrong reason"] += 1  # failed where it should refuse, or the other way round
    kinds = Counter(case["kind"] for case, _, _ in pairs)
    return {
        "files": len(pairs),
        "by kind": ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
        **{key: counts[key] for key in ("right", "false pass", "false fail", "wrong reason")},
    }


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[str, str]]:
    return {case["file"]: judge(case) for case in CASES}


def test_the_manifest_describes_every_file_once_with_its_provenance() -> None:
    listed = [case["file"] for case in CASES]
    assert len(listed) == len(set(listed))
    companions = {c["file"] for case in CASES for c in case.get("companions", [])}
    # caches that tools walking the tree leave (.gitignore'd) are not corpus files
    on_disk = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and not {".ruff_cache", "__pycache__"} & set(p.relative_to(CORPUS).parts)
    } - {"MANIFEST.toml", ".gitignore"}
    assert on_disk == set(listed) | companions, "every file in the corpus is a case or a case's companion"
    for case in CASES:
        assert case["expected"] in OUTCOMES, case["file"]
        assert case["before"] in OUTCOMES, case["file"]
        assert case["repository"].count("/") == 1, case["file"]
        assert len(case["commit"]) == 40, case["file"]
        assert case["path"], case["file"]
        assert case["verified_by"], case["file"]
        assert (case["expected"] == "pass") == (case["message"] == ""), case["file"]
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_the_corpus_file_gets_its_expected_outcome(
    case: dict[str, Any], verdicts: dict[str, tuple[str, str]]
) -> None:
    outcome, message = verdicts[case["file"]]
    assert outcome == case["expected"], f"{case['file']}: {outcome}: {message}"
    assert case["message"] in message


def test_no_false_pass_and_no_false_fail_now(verdicts: dict[str, tuple[str, str]]) -> None:
    now = _tally(
        [(case, verdicts[case["file"]][0], case["message"] in verdicts[case["file"]][1]) for case in CASES]
    )
    before = _tally([(case, case["before"], case["before_words_right"]) for case in CASES])
    CORPUS_TALLY.update({"now": now, "before issue 15": before})
    assert (now["false pass"], now["false fail"], now["wrong reason"]) == (0, 0, 0), now
