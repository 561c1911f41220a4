"""``environment.properties``: the rows of the Allure overview's Environment widget (Java properties).

The generator reads the file as ISO-8859-1, so everything else is written as ``\\uXXXX`` escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from gonogo.reporting.allure_files import ENVIRONMENT_FILE
from gonogo.reporting.files import write_atomic

#: the overview's Environment widget shows the first five rows in file order: these come first
FIRST_ROWS = ("verdict", "reasons", "environment", "expected_version", "observed_version")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}


def _escape(text: str, *, key: bool) -> str:
    """Java ``Properties.load`` syntax, ASCII only."""
    out: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[char])
        elif (key and char in " =:#!") or (not key and index == 0 and char in " #!"):
            out.append("\\" + char)
        elif code < 0x20 or code > 0x7E:
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(char))
        else:
            out.append(char)
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def format_properties(rows: Mapping[str, str]) -> str:
    lines = ["# written by gonogo: the Environment widget of the Allure report"]
    lines += [f"{_escape(key, key=True)}={_escape(value, key=False)}" for key, value in rows.items()]
    return "\n".join(lines) + "\n"


def parse_properties(text: str) -> dict[str, str]:
    """Read back what :func:`format_properties` wrote (enough of the Java syntax for that)."""
    rows: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.lstrip()
        if not line or line[0] in "#!":
            continue
        key_chars: list[str] = []
        index = 0
        while index < len(line):
            char = line[index]
            if char == "\\" and index + 1 < len(line):
                key_chars.append(line[index : index + 2])
                index += 2
                continue
            if char in "=:":
                break
            key_chars.append(char)
            index += 1
        rows[_unescape("".join(key_chars))] = _unescape(line[index + 1 :])
    return rows


def _unescape(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\" or index + 1 == len(text):
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        if following == "u" and len(text) >= index + 6:
            out.append(chr(int(text[index + 2 : index + 6], 16)))
            index += 6
            continue
        out.append(_ESCAPES.get(following, following))
        index += 2
    # \uXXXX pairs were UTF-16 surrogates: join them back into one character
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def write_environment(results_dir: Path, rows: Mapping[str, str], scrub: Callable[[str], str]) -> Path:
    """(Re)write ``environment.properties``; every value passes through the redactor."""
    path = results_dir / ENVIRONMENT_FILE
    write_atomic(path, format_properties({key: scrub(value) for key, value in rows.items() if value}))
    return path


def update_environment(results_dir: Path, rows: Mapping[str, str], scrub: Callable[[str], str]) -> Path:
    """Add or replace rows, keeping the others; the rows in :data:`FIRST_ROWS` go first."""
    path = results_dir / ENVIRONMENT_FILE
    current = parse_properties(path.read_text(encoding="latin-1")) if path.is_file() else {}
    current.update(rows)
    ordered = {key: current[key] for key in FIRST_ROWS if key in current}
    ordered.update((key, value) for key, value in current.items() if key not in ordered)
    return write_environment(results_dir, ordered, scrub)
