"""A raw-socket HTTP server on loopback that breaks its answers on purpose, one way per mode.

Real sockets, real bytes on the wire: what a load generator meets when a deployment's proxy or app
misbehaves mid-answer. The status line and headers are always sound (status 200), so only a client that
reads the whole body can tell.

    healthy       200 with the whole body, keep-alive
    reset         half the body, then a TCP reset (SO_LINGER 0)
    stall         half the body, then nothing until long after the client's read timeout
    short         fewer bytes than Content-Length, then a clean close
    chunked-cut   a chunked body whose stream ends without its last (zero) chunk
    big           a whole, valid body larger than the generator's cap
    gzip          200 with the whole body gzip-compressed, keep-alive
    gzip-cut      a gzip body whose Content-Length is met but whose compressed stream ends early
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.servers import RawServer

BODY = b'{"items": [' + b", ".join(b'{"id": %d, "name": "item"}' % n for n in range(40)) + b"]}"
BIG_BODY_BYTES = 256 * 1024
GZIPPED = gzip.compress(BODY * 20)
MODES = ("healthy", "reset", "stall", "short", "chunked-cut", "big", "gzip", "gzip-cut")


class FaultServer(RawServer):
    def __init__(self, mode: str, *, stall_s: float = 10.0) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        self.mode = mode
        #: how long ``stall`` holds the rest of the body back
        self.stall_s = stall_s
        self.requests = 0
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        # a thread per connection: it answers request after request (keep-alive) until told to stop
        threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5.0)
            pending = b""
            try:
                while not self.stopping.is_set():
                    while b"\r\n\r\n" not in pending:
                        data = connection.recv(65536)
                        if not data:
                            return
                        pending += data
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    self.requests += 1
                    if not self._respond(connection):
                        return
            except OSError:
                return

    def _respond(self, connection: socket.socket) -> bool:
        """Send one answer; False when the connection ends with it."""
        half = len(BODY) // 2
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if self.mode == "healthy":
            connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
            return True
        if self.mode in ("gzip", "gzip-cut"):
            body = GZIPPED if self.mode == "gzip" else GZIPPED[: len(GZIPPED) // 2]
            head += b"Content-Encoding: gzip\r\n"
            connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            return True
        if self.mode == "big":
            body = b"x" * BIG_BODY_BYTES
            connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            return True
        if self.mode == "chunked-cut":
            chunk = BODY[:half]
            connection.sendall(
                head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n"
            )
            return False  # closed without the terminating 0-length chunk
        connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[:half])
        if self.mode == "reset":
            # linger on, timeout 0: close() sends RST instead of FIN
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif self.mode == "stall":
            self.stopping.wait(self.stall_s)
        return False  # "short": a clean close, Content-Length not met


@contextmanager
def fault_server(mode: str, *, stall_s: float = 10.0) -> Iterator[FaultServer]:
    server = FaultServer(mode, stall_s=stall_s)
    try:
        yield server
    finally:
        server.close()
