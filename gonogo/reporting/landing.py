"""``report/index.html``: the page QA opens first. The verdict fills the first screen, then the way in.

    the verdict banner   the word in its colour, environment, version, score, the counted checks, the
                         top reasons (each naming check a link to its Allure result), the next step
    the way in           Allure's report (one file, or the folder when served), gate.json, the Markdown
    failing checks       each with a link to its result in Allure
    verdict trend        every kept run: its verdict in its colour, and its gate.json
    deployment report    the Markdown rendered, metrics and charts inline
    not applicable       policy skips, apart: they are neither a pass nor a failure of the deployment

One static file (inline CSS, SVG charts inline): it opens from disk, over HTTP, or as a CI artifact.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gonogo.reporting.verdicts import RunVerdict

#: background and text colour of each verdict (white text: contrast 4.5:1 or more on each)
COLOURS: dict[str, str] = {
    "GO": "#1a7f37",
    "HOLD": "#9a6700",
    "NO-GO": "#cf222e",
    "ROLLBACK": "#82071e",
}
UNKNOWN_COLOUR = "#57606a"
TOP_REASONS = 5
REASON_CHARS = 320
_STYLE = """
body { font-family: system-ui, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1f2328; }
main { max-width: 1100px; margin: 0 auto; padding: 0 20px 40px; }
.verdict { color: #fff; padding: 18px 28px 20px; }
.verdict .word { font-size: 56px; font-weight: 800; letter-spacing: 1px; line-height: 1.1; }
.verdict .what { font-size: 18px; margin-top: 4px; }
.verdict .numbers { font-size: 15px; margin-top: 6px; opacity: .95; }
.verdict ol { margin: 10px 0 0; padding-left: 22px; font-size: 15px; }
.verdict li { margin: 3px 0; }
.verdict a { color: #fff; }
.verdict .next { margin-top: 10px; font-size: 15px; font-weight: 600; }
nav.way-in { padding: 10px 28px; background: #f6f8fa; border-bottom: 1px solid #d0d7de; font-size: 15px; }
nav.way-in a { margin-right: 18px; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 28px; }
table { border-collapse: collapse; }
td, th { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; font-size: 14px; }
.pill { color: #fff; padding: 1px 8px; border-radius: 10px; font-weight: 700; white-space: nowrap; }
figure.chart { margin: 12px 0; }
figure.chart svg { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; }
.muted { color: #57606a; }
"""


@dataclass(frozen=True)
class Links:
    """Where the landing page leads, relative to it."""

    allure_single: str
    allure_folder: str
    gate: str | None
    markdown: str | None
    #: nodeid -> link to the check's result in Allure
    checks: Mapping[str, str]


def colour_of(verdict: str) -> str:
    return COLOURS.get(verdict, UNKNOWN_COLOUR)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _linked(text: str, links: Mapping[str, str]) -> str:
    """Escaped text whose node ids become links (longest first, each id once)."""
    shown = _e(text)
    for nodeid in sorted(links, key=len, reverse=True):
        escaped = _e(nodeid)
        if escaped in shown:
            shown = shown.replace(escaped, f'<a href="{_e(links[nodeid])}">{escaped}</a>', 1)
    return shown


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= REASON_CHARS else one[: REASON_CHARS - 1] + "…"


def decisive_reasons(gate: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in gate.get("reasons") or [] if isinstance(r, Mapping) and r.get("decision")]


def _banner(gate: Mapping[str, Any] | None, links: Links, next_step: str) -> str:
    if gate is None:
        return (
            f'<header class="verdict" id="verdict" style="background:{UNKNOWN_COLOUR}">'
            '<div class="word" data-verdict="none">NO VERDICT</div>'
            '<div class="what">The run left no gate.json: it died before the gate judged it. '
            "Treat it as NO-GO and run the checks again.</div></header>"
        )
    verdict = str(gate.get("verdict") or "unknown")
    env = gate.get("environment") or {}
    run = gate.get("run") or {}
    summary = gate.get("summary") or {}
    metrics = gate.get("metrics") or {}
    observed = metrics.get("observed_version")
    version = f"version {_e(env.get('expected_version', '?'))}"
    if observed and observed != env.get("expected_version"):
        version += f" (the target reports {_e(observed)})"
    score = gate.get("score")
    numbers = [
        f"{summary.get('counted_passed', 0)}/{summary.get('counted', 0)} counted checks passed",
    ]
    if isinstance(score, int | float):
        numbers.insert(0, f"score {score:.1f}")
    skipped = sum(1 for c in gate.get("checks") or [] if isinstance(c, Mapping) and c.get("policy_skip"))
    if skipped:
        numbers.append(f"{skipped} not applicable (not counted)")
    reasons = decisive_reasons(gate)
    items = "".join(
        f"<li><code>{_e(r.get('code', ''))}</code> "
        f"{_linked(_short(str(r.get('message', ''))), links.checks)}</li>"
        for r in reasons[:TOP_REASONS]
    )
    more = len(reasons) - TOP_REASONS
    if more > 0:
        items += f"<li>… and {more} more in gate.json</li>"
    reasons_html = (
        f'<ol class="reasons">{items}</ol>' if items else '<p class="reasons">No reason against it.</p>'
    )
    return (
        f'<header class="verdict" id="verdict" style="background:{colour_of(verdict)}">'
        f'<div class="word" data-verdict="{_e(verdict)}">{_e(verdict)}</div>'
        f'<div class="what">{_e(env.get("name", ""))} · {version} · {_e(env.get("base_url") or "")}'
        f" · {_e(run.get('started_at', ''))}</div>"
        f'<div class="numbers">{" · ".join(numbers)}</div>'
        f"{reasons_html}" + (f'<div class="next">{_e(next_step)}</div>' if next_step else "") + "</header>"
    )


def _way_in(gate: Mapping[str, Any] | None, links: Links) -> str:
    parts = [
        f'<a href="{_e(links.allure_single)}">Allure report (one file)</a>',
        f'<a href="{_e(links.allure_folder)}">Allure report (folder: serve it over HTTP)</a>',
    ]
    if links.gate:
        parts.append(f'<a href="{_e(links.gate)}">gate.json</a>')
    if links.markdown:
        parts.append(f'<a href="{_e(links.markdown)}">deployment-report.md</a>')
    note = ""
    if gate is not None:
        summary = gate.get("summary") or {}
        counted = summary.get("counted", 0)
        deciding = "check that decides" if counted == 1 else "checks that decide"
        note = (
            f'<div class="muted">Allure counts every test case ({summary.get("checks", 0)} checks and the '
            f"verdict entry, policy skips included); the gate counts only the {counted} {deciding}, and "
            "the verdict above is the decision.</div>"
        )
    return f'<nav class="way-in">{"".join(parts)}{note}</nav>'


def _failing(gate: Mapping[str, Any], links: Links) -> str:
    bad = [
        c
        for c in gate.get("checks") or []
        if isinstance(c, Mapping) and c.get("outcome") in ("failed", "error", "inconclusive")
    ]
    if not bad:
        return '<section id="failing"><h2>Failing checks</h2><p>None.</p></section>'
    rows = "".join(
        f"<li><strong>{_e(c.get('outcome'))}</strong> "
        + (
            f'<a class="check-link" href="{_e(links.checks[c["nodeid"]])}">{_e(c["nodeid"])}</a>'
            if c.get("nodeid") in links.checks
            else _e(c.get("nodeid"))
        )
        + (" (not critical)" if not c.get("critical", True) else "")
        + f'<div class="muted">{_e(_short(str(c.get("message") or "")))}</div></li>'
        for c in bad
    )
    return f'<section id="failing"><h2>Failing checks</h2><ul>{rows}</ul></section>'


def _trend(runs: Sequence[RunVerdict]) -> str:
    if not runs:
        return '<section id="trend"><h2>Verdict trend</h2><p>No run recorded yet.</p></section>'
    rows = "".join(
        f'<tr data-order="{run.order}"><td>#{run.order}</td>'
        f'<td><span class="pill" style="background:{colour_of(run.verdict)}">{_e(run.verdict)}</span></td>'
        f"<td>{_e(run.started_at)}</td><td>{_e(run.expected_version)}</td>"
        f"<td>{'' if run.score is None else f'{run.score:.1f}'}</td>"
        f"<td>{run.counted_passed}/{run.counted}</td>"
        f'<td><a href="{_e(run.gate_path)}">gate.json</a></td>'
        f'<td class="muted">{_e(_short(run.top_reason))}</td></tr>'
        for run in runs
    )
    head = "<tr><th>run</th><th>verdict</th><th>started</th><th>version</th><th>score</th>"
    head += "<th>counted passed</th><th>record</th><th>first reason</th></tr>"
    return f'<section id="trend"><h2>Verdict trend</h2><table>{head}{rows}</table></section>'


def _not_applicable(gate: Mapping[str, Any]) -> str:
    skipped = [c for c in gate.get("checks") or [] if isinstance(c, Mapping) and c.get("policy_skip")]
    if not skipped:
        return ""
    rows = "".join(
        f"<li>{_e(c.get('nodeid'))}: "
        f"<span class='muted'>{_e(_short(str(c.get('message') or '')))}</span></li>"
        for c in skipped
    )
    return (
        '<section id="not-applicable"><h2>Not applicable here</h2>'
        "<p class='muted'>Skipped by policy (no [baseline], not https, a sensitive environment...): "
        f"neither a pass nor a failure of this deployment, and not counted.</p><ul>{rows}</ul></section>"
    )


def render(
    gate: Mapping[str, Any] | None,
    *,
    deployment_html: str,
    runs: Sequence[RunVerdict],
    links: Links,
    next_step: str = "",
) -> str:
    verdict = str((gate or {}).get("verdict") or "NO VERDICT")
    env = str(((gate or {}).get("environment") or {}).get("name") or "")
    body = [_banner(gate, links, next_step), _way_in(gate, links), "<main>"]
    if gate is not None:
        body.append(_failing(gate, links))
    body.append(_trend(runs))
    if deployment_html:
        body.append(f'<section id="deployment-report"><h2>Deployment report</h2>{deployment_html}</section>')
    if gate is not None:
        body.append(_not_applicable(gate))
    body.append("</main>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>gonogo: {_e(verdict)} for {_e(env)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
