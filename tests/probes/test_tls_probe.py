"""TLS: real handshakes with a loopback listener and certificates made here (trustme)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from gonogo.probes import tls
from tests.suite.checks import conftest as tls_fixtures

# the loopback TLS listener and the certificates are shared with the end-to-end check tests
ca = tls_fixtures.ca
ca_file = tls_fixtures.ca_file
days_from_now = tls_fixtures.days_from_now
self_signed = tls_fixtures.self_signed
tls_server = tls_fixtures.tls_server

Serve = Callable[..., int]
Days = Callable[[float], dt.datetime]


@pytest.mark.parametrize(
    ("valid_for", "more_than"),
    [pytest.param(90, 89, id="90 days left"), pytest.param(3, 2.9, id="3 days left, close to expiry")],
)
def test_a_valid_certificate_verifies_with_the_ca_bundle_and_reports_its_days_left(
    tls_server: Serve, ca: trustme.CA, ca_file: Path, days_from_now: Days, *, valid_for: int, more_than: float
) -> None:
    port = tls_server(ca.issue_cert("127.0.0.1", not_after=days_from_now(valid_for)))
    report = tls.inspect("127.0.0.1", port, cafile=str(ca_file))
    assert report.verified
    assert report.verify_error is None
    assert report.protocol == "TLSv1.3"
    assert report.protocol_ok
    days = report.days_left()
    assert days is not None
    assert more_than < days <= valid_for


def test_an_expired_certificate_fails_verification_and_still_reports_its_expiry(
    tls_server: Serve, ca: trustme.CA, ca_file: Path, days_from_now: Days
) -> None:
    port = tls_server(ca.issue_cert("127.0.0.1", not_before=days_from_now(-30), not_after=days_from_now(-2)))
    report = tls.inspect("127.0.0.1", port, cafile=str(ca_file))
    assert not report.verified
    assert report.verify_error == "certificate has expired"
    days = report.days_left()
    assert days is not None
    assert -3 < days < -1


def test_a_certificate_from_an_unknown_ca_fails_verification(tls_server: Serve, ca_file: Path) -> None:
    port = tls_server(trustme.CA().issue_cert("127.0.0.1"))
    report = tls.inspect("127.0.0.1", port, cafile=str(ca_file))
    assert (report.verified, report.verify_error) == (False, "unable to get local issuer certificate")


def test_a_self_signed_certificate_fails_verification(
    tls_server: Serve, ca_file: Path, self_signed: Callable[[ssl.SSLContext], None]
) -> None:
    port = tls_server(self_signed)
    report = tls.inspect("127.0.0.1", port, cafile=str(ca_file))
    assert (report.verified, report.verify_error) == (False, "self-signed certificate")


def test_a_certificate_for_another_host_fails_verification(
    tls_server: Serve, ca: trustme.CA, ca_file: Path
) -> None:
    port = tls_server(ca.issue_cert("shop.example.com"))
    report = tls.inspect("127.0.0.1", port, cafile=str(ca_file))
    assert not report.verified
    assert report.verify_error is not None
    assert "mismatch, certificate is not valid for '127.0.0.1'" in report.verify_error


def test_tls_1_2_passes_and_a_server_without_tls_1_2_fails_the_handshake(
    tls_server: Serve, ca: trustme.CA, ca_file: Path
) -> None:
    leaf = ca.issue_cert("127.0.0.1")
    assert (
        tls.inspect(
            "127.0.0.1", tls_server(leaf, max_version=ssl.TLSVersion.TLSv1_2), cafile=str(ca_file)
        ).protocol
        == "TLSv1.2"
    )
    old = tls_server(leaf, max_version=ssl.TLSVersion.TLSv1_1)
    with pytest.raises(
        tls.TlsProbeError, match=r"TLS handshake failed .*offers no protocol .*TLS 1.2 or newer"
    ):
        tls.inspect("127.0.0.1", old, cafile=str(ca_file))


def test_nothing_listening_fails_with_the_reason() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(tls.TlsProbeError, match=rf"^127.0.0.1:{port}: connection refused"):
        tls.inspect("127.0.0.1", port, timeout_s=2)


def test_an_unreadable_ca_file_fails_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(tls.TlsProbeError, match=r"the CA file .*missing.pem cannot be loaded"):
        tls.inspect("127.0.0.1", 1, cafile=str(tmp_path / "missing.pem"))


def test_expiry_is_read_from_der_for_both_asn1_time_forms(ca: trustme.CA) -> None:
    for when in (dt.datetime(2030, 5, 1, 12, 30, 15), dt.datetime(2051, 1, 1)):  # UTCTime, GeneralizedTime
        pem = ca.issue_cert("127.0.0.1", not_after=when).cert_chain_pems[0].bytes().decode()
        assert tls.not_after_of(ssl.PEM_cert_to_DER_cert(pem)) == when.replace(tzinfo=dt.UTC)
    assert tls.not_after_of(b"\x30\x03\x02\x01\x00") is None


def test_endpoint_takes_https_urls_only() -> None:
    assert tls.endpoint("https://shop.example.com/health") == ("shop.example.com", 443)
    assert tls.endpoint("https://127.0.0.1:8443") == ("127.0.0.1", 8443)
    with pytest.raises(ValueError, match="is not an https URL"):
        tls.endpoint("http://127.0.0.1:8080")


NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def report(*, verified: bool = True, days: float | None = 90, protocol: str = "TLSv1.3") -> tls.TlsReport:
    not_after = NOW + dt.timedelta(days=days) if days is not None else None
    error = None if verified else "unable to get local issuer certificate"
    return tls.TlsReport("shop.example.com", 443, verified, error, protocol, not_after)


def test_assess_accepts_a_verified_certificate_with_time_left_and_a_modern_protocol() -> None:
    assert tls.assess(report(days=15), min_days=14, now=NOW) == []
    assert tls.assess(report(protocol="TLSv1.2"), min_days=14, now=NOW) == []


def test_assess_names_each_problem_with_the_numbers() -> None:
    assert tls.assess(report(days=3.5), min_days=14, now=NOW) == [
        "the certificate expires in 3.5 days (not after 2026-01-04 12:00 UTC), "
        "less than [security].tls_min_days = 14"
    ]
    assert tls.assess(report(days=-2.5), min_days=14, now=NOW) == [
        "the certificate expired 2.5 days ago (not after 2025-12-29 12:00 UTC)"
    ]
    assert tls.assess(
        report(verified=False, protocol="TLSv1.1"), min_days=14, trusted_by="ca.pem", now=NOW
    ) == [
        "the certificate does not verify for shop.example.com against ca.pem: "
        "unable to get local issuer certificate",
        "negotiated TLSv1.1, expected TLS 1.2 or newer",
    ]


def test_assess_without_required_verification_still_counts_expiry() -> None:
    assert tls.assess(report(verified=False), min_days=14, require_verified=False, now=NOW) == []
    assert len(tls.assess(report(verified=False, days=1), min_days=14, require_verified=False, now=NOW)) == 1
