"""Fixtures for the pre-deploy check tests: certificates made here (trustme), a TLS listener on loopback."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import trustme

from tests.support.servers import RawServer

if TYPE_CHECKING:  # the fixture's type only; conftest modules are not imported at run time
    pass

Configure = Callable[[ssl.SSLContext], None]


@pytest.fixture
def ca() -> trustme.CA:
    """The CA the tests trust (written to ``ca_file``)."""
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def _days_from_now(days: float) -> dt.datetime:
    # trustme takes naive datetimes as UTC
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).replace(tzinfo=None)


@pytest.fixture
def days_from_now() -> Callable[[float], dt.datetime]:
    """``days_from_now(-2)``: a certificate validity bound, as trustme takes it."""
    return _days_from_now


@pytest.fixture
def self_signed() -> Configure:
    """Serves a fresh CA's own certificate: self-signed, as far as a client is concerned."""
    authority = trustme.CA()

    def configure(context: ssl.SSLContext) -> None:
        with authority.cert_pem.tempfile() as cert, authority.private_key_pem.tempfile() as key:
            context.load_cert_chain(cert, key)

    return configure


def _listen(configure: Configure, max_version: ssl.TLSVersion | None) -> Iterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    configure(context)
    if max_version is not None:
        # old protocols are deprecated in the ssl module and disabled by OpenSSL's default security
        # level: a server that only speaks them has to ask for them explicitly
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = max_version
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    server = _Handshakes(context)
    try:
        yield server.listener.getsockname()[1]
    finally:
        server.close()


class _Handshakes(RawServer):
    """Completes a TLS handshake on every connection, in the accept thread, and closes it."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        super().__init__(accept_timeout_s=0.1)

    def handle(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            with self.context.wrap_socket(connection, server_side=True):
                pass  # the handshake is all a certificate check needs
        except (ssl.SSLError, OSError):
            connection.close()  # the client refused our certificate or protocol: that is the test


@pytest.fixture
def tls_server() -> Iterator[Callable[..., int]]:
    """Factory: ``tls_server(leaf_or_configure, max_version=None)`` -> a loopback port serving handshakes."""
    running: list[Iterator[int]] = []

    def start(cert: trustme.LeafCert | Configure, *, max_version: ssl.TLSVersion | None = None) -> int:
        configure = cert.configure_cert if isinstance(cert, trustme.LeafCert) else cert
        server = _listen(configure, max_version)
        running.append(server)
        return next(server)

    yield start
    for server in running:
        for _ in server:  # runs the finally: stops the thread and closes the socket
            pass
