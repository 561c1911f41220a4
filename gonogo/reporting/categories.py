"""gonogo's defect categories for the Allure 2 report, built from keyword lists.

The generator files a failed or broken check under *every* category whose regexes match the *whole*
status message (Java ``Pattern.DOTALL`` + ``matches()``). To give each failure one category, the
categories below are ordered, and each one's regex excludes the keywords of those before it:

    Gate verdict              the synthetic "gonogo verdict: ..." result (see run_files)
    Config and secrets        a missing secret, a referenced file, lock files, wrangler.toml
    TLS                       handshake, certificate verification, expiry, protocol
    Version mismatch          the target runs another version than the one being deployed
    Security headers          a required header missing, a forbidden one present
    Latency / error-rate      p95 over its limit, a slow route, error rate under load
    Availability              refused, timed out, DNS, 5xx, unhealthy health check, never ready
    Infrastructure error      broken (not an assertion) and none of the above: the check could not run

The keywords are matched case-insensitively against gonogo's own failure messages (``gonogo.probes``
and the checks in checks/ smoke/ load/); ``tests/reporting/test_categories.py`` runs real failures
through these rules. A project can replace the whole list with its own ``reports/categories.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.errors import GonogoError
from gonogo.reporting.files import write_atomic
from gonogo.reporting.layout import CATEGORIES_FILE

PRODUCT_STATUSES = ("failed", "broken")
VERDICT_PREFIX = "gonogo verdict: "


class CategoriesError(GonogoError, ValueError):
    """A project's ``categories.json`` is not a list of categories."""


@dataclass(frozen=True)
class Category:
    name: str
    #: regex fragments (Java and Python syntax alike), any of which puts a message in this category
    keywords: tuple[str, ...]
    statuses: tuple[str, ...] = PRODUCT_STATUSES


ORDERED: tuple[Category, ...] = (
    Category(
        "Config and secrets",
        (
            r"\bsecrets?\b",
            r"referenced files? (?:is|are) missing",
            r"\[precheck\]\.",
            r"wrangler",
            r"compatibility_date",
            r"\[env\.[^\]]*\] section",
            r"lock ?files?\b",
            r"\((?:requirements|package-lock\.json|uv\.lock|poetry\.lock)\)",
            r"environment file",
        ),
    ),
    Category(
        "TLS",
        (
            r"\btls\b",
            r"\bssl\b",
            r"certificate",
            r"handshake",
        ),
    ),
    Category(
        "Version mismatch",
        (
            r"version mismatch",
            r"expected version",
            r"wrong version",
        ),
    ),
    Category(
        "Security headers",
        (
            r"security headers?",
            r"required header",
            r"forbidden header",
        ),
    ),
    Category(
        "Latency / error-rate regression",
        (
            r"\bp(?:50|75|90|95|99)\b",
            r"percentile",
            r"latency",
            r"took \d+(?:\.\d+)? ?ms",
            r"too slow",
            r"slower than",
            r"error[ -]rate",
            r"regression",
        ),
    ),
    Category(
        "Availability",
        (
            r"connection refused",
            r"connect(?:ion)? timed out",
            r"timed out",
            r"cannot connect",
            r"connection reset",
            r"server disconnected",
            r"no response",
            r"dns lookup failed",
            r"(?:does|did) not resolve",
            r"could not be resolved",
            r"\bhttp 5\d\d\b",
            r"\bgot 5\d\d\b",
            r"unhealthy",
            r"\bhealth: ",
            r"never became ready",
            r"base url is unknown",
        ),
    ),
)
INFRASTRUCTURE = "Infrastructure error"
GATE_VERDICT = "Gate verdict"


def _any(keywords: tuple[str, ...]) -> str:
    return "(?:" + "|".join(keywords) + ")"


def build() -> list[dict[str, Any]]:
    """The categories in the generator's ``categories.json`` form."""
    not_verdict = f"(?!{VERDICT_PREFIX})"
    categories: list[dict[str, Any]] = [
        {"name": GATE_VERDICT, "matchedStatuses": ["failed"], "messageRegex": f"{VERDICT_PREFIX}.*"}
    ]
    earlier: list[str] = []
    for category in ORDERED:
        exclude = f"(?!.*{_any(tuple(earlier))})" if earlier else ""
        categories.append(
            {
                "name": category.name,
                "matchedStatuses": list(category.statuses),
                "messageRegex": f"(?is){not_verdict}{exclude}.*{_any(category.keywords)}.*",
            }
        )
        earlier += category.keywords
    categories.append(
        {
            "name": INFRASTRUCTURE,
            "matchedStatuses": ["broken"],
            "messageRegex": f"(?is){not_verdict}(?!.*{_any(tuple(earlier))}).*",
        }
    )
    return categories


def dumps() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def load_categories(path: Path) -> list[dict[str, Any]]:
    """Read and check a categories file: a list of ``{name, matchedStatuses?, messageRegex?, ...}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CategoriesError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) and item.get("name") for item in data):
        raise CategoriesError(f"{path}: expected a JSON list of objects with a 'name' each")
    return data


def project_categories(reports_root: Path) -> list[dict[str, Any]]:
    """``<reports root>/categories.json`` when the project has one, else gonogo's own categories."""
    own = reports_root / CATEGORIES_FILE
    return load_categories(own) if own.is_file() else build()


def write_categories(results_dir: Path, items: Sequence[Mapping[str, Any]]) -> Path:
    path = results_dir / CATEGORIES_FILE
    write_atomic(path, json.dumps(list(items), indent=2, ensure_ascii=False) + "\n")
    return path


def matching_categories(
    items: Sequence[Mapping[str, Any]], *, status: str, message: str | None, trace: str | None
) -> list[str]:
    """The categories the Allure 2 generator files a result under (its rules, in Python).

    Every category that matches is kept (not only the first); a regex must match the *whole* message
    (Java ``Pattern.DOTALL`` + ``matches()``); a failed or broken result that matches none goes to the
    generator's "Product defects" / "Test defects".
    """
    names = []
    for category in items:
        statuses = category.get("matchedStatuses") or []
        if statuses and status not in statuses:
            continue
        ok = True
        for key, text in (("messageRegex", message), ("traceRegex", trace)):
            pattern = category.get(key)
            if pattern is not None and (text is None or re.fullmatch(pattern, text, re.DOTALL) is None):
                ok = False
        if ok and not category.get("flaky", False):
            names.append(str(category["name"]))
    if not names and status == "failed":
        names.append("Product defects")
    if not names and status == "broken":
        names.append("Test defects")
    return names
