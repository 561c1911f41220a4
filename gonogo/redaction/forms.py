"""The forms a secret takes on its way out of a process, written down twice, on purpose.

* :func:`encoded_forms` lists them as concrete strings, one per encoder people and libraries actually use
  (``quote``, ``quote_plus``, httpx's normalisation of a path, a query and a userinfo, upper and lower hex,
  JSON and HTML escapes, base64 at each of the three alignments). The scanner looks for these.
* :func:`secret_pattern` is one regular expression per secret where each character may appear as itself
  or as any of its escapes (percent in either case, doubly percent-encoded, ``\\uXXXX``, ``&#N;``,
  ``&#xH;``, a named entity, a backslash in front). It matches every form above and mixes of them (httpx
  re-encodes some characters of a value and leaves others), so the redactor replaces with it.

Two independent descriptions of the same thing: the scanner proves the redactor's pattern, and a form the
pattern forgot shows up as a scanner hit in the end-to-end test instead of passing silently.

Base64 at any offset: inside a larger encoded blob (``user:password`` in a Basic header, a JSON document
embedded in an HTML report) a secret is encoded differently depending on where it starts, modulo 3. Each
alignment has a *stable core*, the characters whose 6 bits all come from the secret; the neighbours'
characters mix in bits of what surrounds it. Searching for the three cores finds the secret wherever it
sits; a character or two at each end (at most 4 bits of the secret each) stays.
"""

from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse

import httpx

#: values shorter than this are not scrubbed (a warning says so at load time): masking every "8443" or
#: "dev" would wreck the reports, and a base64 core of a shorter value is short enough to turn up by
#: chance in a large embedded blob (the rendered report), which would fail the run for nothing
MIN_SECRET_LENGTH = 8

_NAMED_ENTITIES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _lower_hex(text: str) -> str:
    return _PERCENT.sub(lambda match: match.group(0).lower(), text)


def _upper_hex(text: str) -> str:
    return _PERCENT.sub(lambda match: match.group(0).upper(), text)


def _httpx_forms(secret: str) -> dict[str, str]:
    # what httpx makes of a value written into a URL by hand: it percent-encodes some characters and
    # keeps the rest, differently in the path, the query and the userinfo
    plain = secret.replace("#", "%23").replace("?", "%3F")
    forms: dict[str, str] = {}
    try:
        forms["httpx query"] = httpx.URL(f"http://h/?k={plain}").query.decode("ascii")[2:]
        forms["httpx path"] = httpx.URL(f"http://h/{plain}").raw_path.decode("ascii")[1:]
        userinfo = plain.replace("/", "%2F").replace("@", "%40")
        forms["httpx userinfo"] = httpx.URL(f"http://u:{userinfo}@h/").userinfo.decode("ascii")[2:]
    except (httpx.InvalidURL, UnicodeError):
        pass
    return forms


def percent_forms(secret: str) -> dict[str, str]:
    """The percent-encoded forms, by encoder, in upper and lower hex."""
    base = {
        "quote": urllib.parse.quote(secret, safe=""),
        "quote (safe '/')": urllib.parse.quote(secret),
        "quote_plus": urllib.parse.quote_plus(secret),
        "quote_plus (safe '/')": urllib.parse.quote_plus(secret, safe="/"),
        "quote, twice": urllib.parse.quote(urllib.parse.quote(secret, safe=""), safe=""),
        **_httpx_forms(secret),
    }
    forms: dict[str, str] = {}
    for name, form in base.items():
        forms[f"percent-encoded ({name})"] = _upper_hex(form)
        forms[f"percent-encoded ({name}, lower hex)"] = _lower_hex(form)
    return forms


def base64_cores(secret: str) -> dict[str, str]:
    """The stable core of the secret's base64 at each offset modulo 3, standard and URL-safe."""
    raw = secret.encode("utf-8")
    cores: dict[str, str] = {}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        # character i carries bits [6i, 6i + 6); the secret's bits are [8 * offset, 8 * (offset + len))
        start = -(-8 * offset // 6)
        end = 8 * (offset + len(raw)) // 6
        core = encoded[start:end]
        cores[f"base64 (offset {offset} mod 3)"] = core
        cores[f"URL-safe base64 (offset {offset} mod 3)"] = core.replace("+", "-").replace("/", "_")
    return cores


def base64_whole(secret: str) -> set[str]:
    """The secret encoded on its own (a token in a Basic header, a value in a data: URI), padded or not:
    the redactor replaces these whole, so not even the last character and the padding stay."""
    raw = secret.encode("utf-8")
    found = {base64.b64encode(raw).decode("ascii"), base64.urlsafe_b64encode(raw).decode("ascii")}
    return found | {form.rstrip("=") for form in found}


def escaped_forms(secret: str) -> dict[str, str]:
    """JSON-escaped (ASCII-only or not, ``\\/`` or not) and HTML-escaped forms, and HTML over JSON."""
    json_ascii = json.dumps(secret)[1:-1]
    json_utf8 = json.dumps(secret, ensure_ascii=False)[1:-1]
    forms = {
        "JSON-escaped": json_ascii,
        "JSON-escaped (UTF-8)": json_utf8,
        "JSON-escaped (\\/)": json_ascii.replace("/", "\\/"),
        "HTML-escaped": html.escape(secret),
        "HTML-escaped (quotes kept)": html.escape(secret, quote=False),
        "HTML-escaped (&#39; &#34;)": html.escape(secret, quote=False)
        .replace("'", "&#39;")
        .replace('"', "&#34;"),
        "HTML-escaped JSON": html.escape(json_utf8),
        "Python repr": repr(secret)[1:-1],
        # a JSON body quoted again: in a JSON string (a finding's message), in a repr in JSON (-l locals)
        "JSON-escaped twice": json.dumps(json_ascii)[1:-1],
        "JSON in a repr in JSON": json.dumps(repr(json_utf8)[1:-1], ensure_ascii=False)[1:-1],
    }
    return forms


def encoded_forms(secret: str) -> dict[str, str]:
    """Every form of the secret, by name; the same string may appear under two names."""
    return {"plain": secret, **percent_forms(secret), **escaped_forms(secret), **base64_cores(secret)}


def _hex_digit(digit: str) -> str:
    return f"[{digit.upper()}{digit.lower()}]" if digit.isalpha() else digit


def _percent_pattern(char: str) -> str:
    # %HH in either case, optionally encoded once more (%25HH), for every UTF-8 byte of the character
    return "".join(
        f"%(?:25)?{_hex_digit(f'{byte:02X}'[0])}{_hex_digit(f'{byte:02X}'[1])}"
        for byte in char.encode("utf-8")
    )


#: a run of backslashes: text escaped once (JSON, repr) has one before an escaped character, text escaped
#: again (a JSON body quoted in a repr quoted in gate.json) has 3, then 7; four levels deep is the bound
_BACKSLASHES = "\\\\{1,15}"
MAX_BACKSLASHES = 15


def _json_unicode_pattern(char: str) -> str:
    # \uXXXX per UTF-16 unit (a surrogate pair for an astral character), each after its backslash run
    units = char.encode("utf-16-be")
    escapes = []
    for index in range(0, len(units), 2):
        code = f"{units[index]:02X}{units[index + 1]:02X}"
        escapes.append(_BACKSLASHES + "u" + "".join(_hex_digit(digit) for digit in code))
    return "".join(escapes)


_SHORT_ESCAPES = {"\n": "n", "\t": "t", "\r": "r", "\b": "b", "\f": "f"}


def _escape_bodies(char: str) -> list[str]:
    # what follows a backslash run: the character itself (\" \/ \' \\), its entity (JSON then HTML),
    # \n and friends, \xHH, \UXXXXXXXX (Python's repr)
    code = ord(char)
    found = [re.escape(char), *_html_patterns(char)]
    if char in _SHORT_ESCAPES:
        found.append(_SHORT_ESCAPES[char])
    if code < 0x100:
        found.append("x" + "".join(_hex_digit(digit) for digit in f"{code:02X}"))
    if code > 0xFFFF:
        found.append("U" + "".join(_hex_digit(digit) for digit in f"{code:08X}"))
    return found


def _html_patterns(char: str) -> list[str]:
    code = ord(char)
    found = [f"&#0{{0,4}}{code};", "&#[xX]0{0,4}" + "".join(_hex_digit(digit) for digit in f"{code:X}") + ";"]
    if char in _NAMED_ENTITIES:
        found.append(f"&{_NAMED_ENTITIES[char]};")
    return found


def char_pattern(char: str) -> str:
    """A regular expression for one character in any of the forms a secret takes."""
    # Every alternative starts with a literal (the character, "&", "\\", "%"), so the regex engine skips
    # positions by that set of first characters instead of trying each alternative at each position
    alternatives = [
        re.escape(char),
        *_html_patterns(char),
        _BACKSLASHES + "(?:" + "|".join(_escape_bodies(char)) + ")",
        _json_unicode_pattern(char),
        _percent_pattern(char),
    ]
    if char == " ":
        alternatives.append(r"\+")
    return "(?:" + "|".join(alternatives) + ")"


def secret_pattern(secret: str) -> str:
    """A regular expression matching the secret plain, percent-encoded, JSON- or HTML-escaped, or mixed."""
    return "".join(char_pattern(char) for char in secret)


def longest_form(secret: str) -> int:
    """An upper bound on the length in bytes of any match of :func:`secret_pattern`: how far past a cut a
    text must be read for every secret starting before the cut to be found whole."""
    # per character, the longest alternative: %25HH per UTF-8 byte; a backslash run and \uXXXX per UTF-16
    # unit; a backslash run and \UXXXXXXXX or an entity with up to 4 leading zeros (&#x00001F600; is 14)
    per_char = max(
        max(
            5 * len(char.encode("utf-8")),
            (MAX_BACKSLASHES + 5) * (len(char.encode("utf-16-be")) // 2),
            MAX_BACKSLASHES + 14,
        )
        for char in secret
    )
    return per_char * len(secret)
