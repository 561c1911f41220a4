"""The deployment report as HTML: Python-Markdown over ``deployment-report.md``, charts inline, checks linked.

The Markdown is gonogo's own, but the text in it is not (failure messages quote response bodies), so
raw HTML and links in it are shown as text, never interpreted: the only images are the charts the
report references, read from beside it and put inline (the HTML is one self-contained fragment).
Emoji are left out of the HTML: where no emoji font is installed they render as empty boxes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import markdown

#: pictographs and their joiners/selectors; arrows and punctuation stay (every font has them)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]+ ?")
_IMAGE = re.compile(
    r'<p>\s*<img alt="([^"]*)" src="([^"]+)"\s*/?>\s*</p>|<img alt="([^"]*)" src="([^"]+)"\s*/?>'
)


def without_emoji(text: str) -> str:
    """The text with its emoji removed, each with the space after it."""
    return _EMOJI.sub("", text)


def _converter() -> markdown.Markdown:
    # imported here, when the report is rendered at the end of a run, not when the plugin loads: a run that
    # renders nothing (--collect-only, a usage error) does not pay for Markdown and its extensions
    import markdown

    converter = markdown.Markdown(extensions=["fenced_code", "sane_lists", "tables"], output_format="html")
    # raw HTML and links in the text (messages quoting a response) are text, not markup
    converter.preprocessors.deregister("html_block")
    for name in ("html", "link", "autolink", "automail", "reference", "short_reference"):
        if name in converter.inlinePatterns:
            converter.inlinePatterns.deregister(name)
    return converter


def inline_charts(fragment: str, folder: Path) -> str:
    """``<img src="charts/x.svg">`` -> the SVG itself in a figure, when the file is one beside the report."""

    def replace(match: re.Match[str]) -> str:
        alt = match.group(1) if match.group(1) is not None else match.group(3)
        src = html.unescape(match.group(2) or match.group(4))
        path = (folder / src).resolve()
        inside = folder.resolve() in path.parents
        if not inside or path.suffix != ".svg" or not path.is_file():
            return f'<p class="missing-chart">chart not found: {html.escape(src)}</p>'
        svg = path.read_text(encoding="utf-8")
        svg = svg[svg.find("<svg") :] if "<svg" in svg else ""
        name = html.escape(path.name)
        return f'<figure class="chart" data-chart="{name}">{svg}<figcaption>{alt}</figcaption></figure>'

    return _IMAGE.sub(replace, fragment)


def link_checks(fragment: str, links: Mapping[str, str]) -> str:
    """Each check's node id, where the text names it, becomes a link to its result (``links``: id -> URL)."""
    for nodeid in sorted(links, key=len, reverse=True):
        shown = html.escape(nodeid, quote=False)
        pattern = re.compile(rf"(?<![\w/.\[>]){re.escape(shown)}(?![\w\[\]<])")
        anchor = f'<a class="check-link" href="{html.escape(links[nodeid])}">{shown}</a>'
        fragment = pattern.sub(_constant(anchor), fragment)
    return fragment


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    # a function, not a replacement string: a node id may hold backslashes
    return lambda _: text


def to_html(text: str, *, folder: Path, links: Mapping[str, str] | None = None) -> str:
    """The report's Markdown as an HTML fragment; charts relative to ``folder`` are put inline."""
    fragment = _converter().convert(without_emoji(text))
    return link_checks(inline_charts(fragment, folder), links or {})
