"""The redactor replaces every form of every secret: each form the scanner knows, mixes of them, base64 at
any offset, a secret across an excerpt's cut; URL credentials whatever they are; short values are named."""

from __future__ import annotations

import base64
import json
import os
import secrets
import urllib.parse

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonogo.redaction import MASK, MIN_SECRET_LENGTH, Redactor, encoded_forms
from gonogo.redaction.scan import Scanner

#: characters that every encoder treats differently: reserved, quotes, space, non-ASCII, astral
AWKWARD = "gng" + "/+= ?&#%@:'\"\\<>é😀~"


def awkward_secret() -> str:
    return f"{secrets.token_urlsafe(6)}{AWKWARD}{secrets.token_hex(3)}"


@pytest.mark.parametrize("form", sorted(encoded_forms(AWKWARD + "tail").keys()))
def test_every_form_the_scanner_knows_is_replaced_whole(form: str) -> None:
    secret = AWKWARD + "tail"
    text = f"before [{encoded_forms(secret)[form]}] after"
    scrubbed = Redactor([secret]).text(text)
    assert scrubbed == f"before [{MASK}] after"
    assert Scanner({"S": secret}).scan_bytes(scrubbed.encode()) == []


def test_the_scanner_sees_the_forms_before_they_are_scrubbed() -> None:
    # the positive control of the test above: the same scan does find them in the raw text
    secret = AWKWARD + "tail"
    for form, text in encoded_forms(secret).items():
        assert Scanner({"S": secret}).scan_bytes(f"x {text} y".encode()) != [], form


@settings(deadline=None)
@given(st.text(min_size=MIN_SECRET_LENGTH, max_size=40).filter(lambda s: s.strip() == s and "\x00" not in s))
def test_any_secret_is_gone_from_its_own_forms(secret: str) -> None:
    redactor = Redactor([secret])
    for form, text in encoded_forms(secret).items():
        assert secret not in redactor.text(f"<{text}>"), form
        assert redactor.find(f"<{text}>") != [], form


def test_a_mix_of_encodings_like_httpx_normalisation_is_replaced() -> None:
    secret = "a=b+c/d e&f"
    url = httpx.URL(f"http://h/items?key={secret}")
    assert str(url) != f"http://h/items?key={secret}", "httpx re-encoded part of the value"
    mixed = "a%3db+c%2Fd%20e&amp;f"  # lower hex, upper hex, raw and an entity in one value
    redactor = Redactor([secret])
    assert redactor.text(str(url)) == f"http://h/items?key={MASK}"
    assert redactor.text(mixed) == MASK


@pytest.mark.parametrize("offset", [0, 1, 2])
@pytest.mark.parametrize("alphabet", ["standard", "URL-safe"])
def test_base64_at_any_offset_in_a_larger_blob_is_replaced_but_for_the_characters_it_shares(
    offset: int, alphabet: str
) -> None:
    secret = awkward_secret()
    size = len(secret.encode())
    position = 30 + offset
    raw = os.urandom(position) + secret.encode() + os.urandom(20)
    encode = base64.b64encode if alphabet == "standard" else base64.urlsafe_b64encode
    blob = encode(raw).decode()
    # the characters whose six bits all come from the secret; the one each side mixes in its neighbours'
    start, end = -(-8 * position // 6), 8 * (position + size) // 6
    assert Redactor([secret]).text(blob) == blob[:start] + MASK + blob[end:]


def test_a_basic_authorization_value_is_scrubbed_even_where_the_header_name_is_not_known() -> None:
    secret = awkward_secret()
    basic = base64.b64encode(f"ci:{secret}".encode()).decode()
    assert Redactor([secret]).find(f"X-Forwarded-Auth: Basic {basic}") != []


def test_url_credentials_are_masked_whether_known_or_not() -> None:
    redactor = Redactor()
    assert redactor.text("GET https://ci:p4ss@host.example/x") == f"GET https://{MASK}@host.example/x"
    assert redactor.text('{"u": "https:\\/\\/tok@h\\/"}') == f'{{"u": "https:\\/\\/{MASK}@h\\/"}}'
    assert redactor.data(b"ftp://user:pw@h") == f"ftp://{MASK}@h".encode()
    assert redactor.text("mail me at ops@example.com") == "mail me at ops@example.com"


def test_a_truncated_repr_keeps_neither_head_nor_tail() -> None:
    secret = "head-of-the-secret-value-tail"
    assert Redactor([secret]).text(f"assert '{secret[:10]}...{secret[-8:]}' == ''") == (
        f"assert '{MASK}...{MASK}' == ''"
    )


def test_an_excerpt_is_cut_after_redaction_so_a_secret_across_the_cut_leaves_nothing() -> None:
    secret = awkward_secret()
    form = urllib.parse.quote(secret)
    limit = 256
    redactor = Redactor([secret])
    for start in range(limit - len(form) + 1, limit):
        body = ("x" * start + form + "y" * 100).encode()
        assert redactor.excerpt(body, limit) == ("x" * start + MASK + "y" * 100)[:limit]
        # the control: cutting first, then redacting, keeps the head of the secret
        assert redactor.text(body[:limit].decode()).endswith(form[: limit - start])


def test_json_stays_valid_when_its_strings_are_scrubbed() -> None:
    secret = 'quote"and\\slash'
    document = {"k": f"v {secret}", secret: [1, {"n": secret}]}
    cleaned = Redactor([secret]).tree(document)
    assert json.loads(json.dumps(cleaned)) == {"k": f"v {MASK}", MASK: [1, {"n": MASK}]}


def test_sensitive_headers_are_masked_whatever_their_value() -> None:
    shown = Redactor().headers({"Authorization": "Bearer x", "Cookie": "a=b", "Accept": "json"})
    assert shown == [("Authorization", MASK), ("Cookie", MASK), ("Accept", "json")]


def test_values_too_short_to_scrub_are_named_not_kept() -> None:
    redactor = Redactor.named({"PORT": "8443", "TOKEN": "long-enough-token"})
    assert redactor.too_short == ("PORT",)
    assert redactor.names == ["TOKEN"]
    assert redactor.text("8443 long-enough-token") == f"8443 {MASK}"


def test_a_secret_inside_another_is_replaced_with_the_longer_one_whole() -> None:
    redactor = Redactor.named({"SHORT": "abcdefgh", "LONG": "abcdefgh-and-more"})
    assert redactor.text("abcdefgh-and-more / abcdefgh") == f"{MASK} / {MASK}"


def test_find_names_the_secrets_present_in_bytes_and_text() -> None:
    redactor = Redactor.named({"A": "first-secret-a", "B": "second-secret-b"})
    assert redactor.find(b"xx first%2Dsecret-a") == ["A"]
    assert redactor.find("nothing here") == []


def test_a_secret_base64_encoded_alone_is_replaced_whole_padding_included() -> None:
    secret = "alone-in-its-blob0"  # 18 bytes: two padding characters in the encoded form
    for encoded in (base64.b64encode(secret.encode()), base64.urlsafe_b64encode(secret.encode())):
        assert Redactor([secret]).text(f"token={encoded.decode()};") == f"token={MASK};"
