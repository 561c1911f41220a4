"""environment.properties: Java properties in ASCII, the verdict's rows first, values redacted."""

from __future__ import annotations

from pathlib import Path

from gonogo.redaction import Redactor
from gonogo.reporting import properties


def test_environment_properties_round_trip_any_text_in_ascii() -> None:
    rows = {"environment": "démo: staging = blue", "reasons": "a\nb\\c #1", " key with space": "  lead"}
    text = properties.format_properties(rows)
    assert text.isascii()
    assert properties.parse_properties(text) == rows


def test_environment_rows_put_the_verdict_first_and_pass_through_the_redactor(tmp_path: Path) -> None:
    redactor = Redactor(["s3cr3t-value"])
    properties.write_environment(
        tmp_path, {"environment": "demo", "base_url": "http://x/?k=s3cr3t-value"}, redactor.text
    )
    properties.update_environment(tmp_path, {"verdict": "GO", "reasons": "none"}, redactor.text)
    rows = properties.parse_properties((tmp_path / "environment.properties").read_text(encoding="latin-1"))
    assert list(rows) == ["verdict", "reasons", "environment", "base_url"]
    assert rows["base_url"] == "http://x/?k=***"
