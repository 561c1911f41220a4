"""gonogo's defect categories for the Allure 2 report, built from keyword lists.

The generator files a failed or broken check under *every* category whose regexes match the *whole*
status message (Java ``Pattern.DOTALL`` + ``matches()``). To give each failure one category, the
categories below are ordered, and each one's regex excludes the keywords of those before it:

    Gate verdict              the synthetic "gonogo verdict: ..." result (see allure_results)
    Config and secrets        a missing secret, a referenced file, lock files, wrangler.toml
    TLS                       handshake, certificate verification, expiry, protocol
    Version mismatch          the target runs another version than the one being deployed
    Security headers          a required header missing, a forbidden one present
    Latency / error-rate      p95 over its limit, a slow route, error rate under load
    Availability              refused, timed out, DNS, 5xx, unhealthy health check, never ready
    Infrastructure error      broken (not an assertion) and none of the above: the check could not run

The keywords are matched case-insensitively against gonogo's own failure messages (``gonogo.probes``
and the checks in checks/ smoke/ load/); ``tests/reports/test_categories.py`` runs real failures
through these rules. A project can replace the whole list with its own ``reports/categories.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PRODUCT_STATUSES = ("failed", "broken")
VERDICT_PREFIX = "gonogo verdict: "


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
