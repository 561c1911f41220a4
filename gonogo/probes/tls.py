"""TLS: does the certificate verify for the host, how long is it still valid, which protocol is spoken.

One verified handshake answers all three. When verification fails, a second handshake without
verification still reads the certificate's expiry and the protocol, so the report can say "unknown CA,
and it expires in 3 days anyway". The expiry is read from the certificate's DER bytes with
``cryptography`` either way (the standard library decodes certificates only after verifying them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from gonogo.errors import GonogoError

#: negotiated protocols that pass (``SSLSocket.version()`` names)
ACCEPTED_PROTOCOLS = ("TLSv1.2", "TLSv1.3")


class TlsProbeError(GonogoError):
    """No handshake happened (refused, timed out, no common protocol, unreadable CA file)."""


@dataclass(frozen=True)
class TlsReport:
    host: str
    port: int
    #: the chain verified against the CA file (or the system store) and matched the host
    verified: bool
    #: OpenSSL's reason when it did not, e.g. "certificate has expired"
    verify_error: str | None
    protocol: str | None
    not_after: dt.datetime | None

    def days_left(self, now: dt.datetime | None = None) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - (now or dt.datetime.now(dt.UTC))).total_seconds() / 86400

    @property
    def protocol_ok(self) -> bool:
        return self.protocol in ACCEPTED_PROTOCOLS


def endpoint(url: str) -> tuple[str, int]:
    """(host, port) of an https URL."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{url} is not an https URL")
    return parts.hostname, parts.port or 443


def inspect(host: str, port: int, *, cafile: str | None = None, timeout_s: float = 5.0) -> TlsReport:
    """Handshake with ``host:port`` and report; raise :class:`TlsProbeError` when no handshake happens."""
    try:
        verifying = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise TlsProbeError(f"the CA file {cafile} cannot be loaded: {reason}") from None
    try:
        with _handshake(host, port, verifying, timeout_s) as tls:
            der = tls.getpeercert(binary_form=True)
            protocol = tls.version()
        return TlsReport(host, port, True, None, protocol, not_after_of(der) if der else None)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or str(exc)
    # Verification failed: look again without verifying, to report expiry and protocol all the same.
    lenient = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    lenient.check_hostname = False
    lenient.verify_mode = ssl.CERT_NONE
    with _handshake(host, port, lenient, timeout_s) as tls:
        der = tls.getpeercert(binary_form=True)
        protocol = tls.version()
    return TlsReport(host, port, False, reason, protocol, not_after_of(der) if der else None)


def assess(
    report: TlsReport,
    *,
    min_days: int,
    require_verified: bool = True,
    trusted_by: str = "the system CA store",
    now: dt.datetime | None = None,
) -> list[str]:
    """What is wrong with a handshake's result, one sentence each (empty: all good)."""
    problems: list[str] = []
    if require_verified and not report.verified:
        problems.append(
            f"the certificate does not verify for {report.host} against {trusted_by}: {report.verify_error}"
        )
    days = report.days_left(now)
    if days is None or report.not_after is None:
        problems.append("the certificate's expiry date could not be read")
    else:
        expiry = f"not after {report.not_after:%Y-%m-%d %H:%M} UTC"
        if days <= 0:
            problems.append(f"the certificate expired {-days:.1f} days ago ({expiry})")
        elif days <= min_days:
            problems.append(
                f"the certificate expires in {days:.1f} days ({expiry}), "
                f"less than [security].tls_min_days = {min_days}"
            )
    if not report.protocol_ok:
        problems.append(f"negotiated {report.protocol}, expected TLS 1.2 or newer")
    return problems


@contextlib.contextmanager
def _handshake(host: str, port: int, context: ssl.SSLContext, timeout_s: float) -> Iterator[ssl.SSLSocket]:
    """Connect and handshake; every failure but a verification error becomes a TlsProbeError."""
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=timeout_s)
    except TimeoutError:
        raise TlsProbeError(f"{where}: connect timed out after {timeout_s:g} s") from None
    except ConnectionRefusedError:
        raise TlsProbeError(f"{where}: connection refused (nothing listens on that port)") from None
    except socket.gaierror as exc:
        raise TlsProbeError(f"{where}: DNS lookup failed ({exc.strerror or exc})") from None
    except OSError as exc:
        raise TlsProbeError(f"{where}: cannot connect ({exc.strerror or exc})") from None
    with raw:
        try:
            tls = context.wrap_socket(raw, server_hostname=host)
        except ssl.SSLCertVerificationError:
            raise
        except ssl.SSLError as exc:
            reason = exc.reason or str(exc)
            hint = ""
            if "PROTOCOL" in reason.upper() or "VERSION" in reason.upper():
                hint = ": the server offers no protocol this client accepts (TLS 1.2 or newer)"
            raise TlsProbeError(f"{where}: TLS handshake failed ({reason}){hint}") from None
        except OSError as exc:  # reset or timed out mid-handshake
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise TlsProbeError(f"{where}: TLS handshake failed ({reason})") from None
        with tls:
            yield tls


def not_after_of(der: bytes) -> dt.datetime | None:
    """The notAfter of a DER certificate (UTC), or None when the bytes are not a certificate."""
    # imported here: cryptography costs tens of ms, and every run collects the TLS check; few decode a cert
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None
