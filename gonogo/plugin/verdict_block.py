"""The verdict block that ends the terminal output, and the lines for runs that judge nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonogo.environment import shown
from gonogo.reasons import Decision
from gonogo.redaction import Redactor
from gonogo.verdict import Verdict

TOP_REASONS = 5
COLOURS: dict[Decision, dict[str, bool]] = {
    Decision.GO: {"green": True, "bold": True},
    Decision.HOLD: {"yellow": True, "bold": True},
    Decision.NO_GO: {"red": True, "bold": True},
    Decision.ROLLBACK: {"red": True, "bold": True},
}


def write_verdict(
    reporter: Any,
    *,
    environment: str,
    verdict: Verdict,
    exit_code: int,
    report_mode: bool,
    files: tuple[Path, Path] | None,
    notes: list[tuple[str, dict[str, bool]]],
    redactor: Redactor,
) -> None:
    """``=== gonogo verdict: NO-GO ===``, the headline, the top reasons, the files, then ``notes``."""
    colour = COLOURS[verdict.decision]
    redact = redactor.text
    reporter.write_sep("=", f"gonogo verdict: {verdict.decision.value}", **colour)
    score = f", score {verdict.score:.1f}" if verdict.score is not None else ""
    mode = " (report mode: exit code unchanged)" if report_mode else ""
    reporter.write_line(
        f"{verdict.decision.value} for {environment}: {verdict.passed}/{verdict.counted} "
        f"counted checks passed{score}; exit {exit_code}{mode}",
        **colour,
    )
    blocking = [r for r in verdict.reasons if r.decision is not None]
    for reason in blocking[:TOP_REASONS]:
        message = " ".join(reason.message.split())
        reporter.write_line(redact(f"  - {reason.code}: {message}"))
    if len(blocking) > TOP_REASONS:
        reporter.write_line(f"  ... and {len(blocking) - TOP_REASONS} more reason(s) in gate.json")
    if files is not None:
        gate_path, report_path = files
        reporter.write_line(f"gate.json: {shown(gate_path)}")
        reporter.write_line(f"deployment report: {shown(report_path)}")
    for text, style in notes:
        reporter.write_line(redact(text), **style)


def write_no_verdict(reporter: Any, *, option: str, exit_code: int) -> None:
    """An informational run (``--collect-only``, ``--fixtures``, ...): it judged nothing."""
    reporter.write_sep("=", "gonogo: no verdict", yellow=True, bold=True)
    reporter.write_line(
        f"{option} judges nothing: no verdict and no gate.json (the previous one was removed); "
        f"exit {exit_code}. Only a run that judges checks can say GO.",
        yellow=True,
    )


def write_launch_failure(reporter: Any, message: str) -> None:
    """What the ``[launch]`` target did, said once: the verdict's ``launch-failed`` reason has the first
    line (what happened), this section the rest (the command, the fix, the target's output)."""
    details = message.splitlines()[1:]
    if not details:
        return
    reporter.write_sep("-", "gonogo: the [launch] target never became ready", red=True)
    for line in details:
        reporter.write_line(line)
