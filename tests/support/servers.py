"""Real servers on loopback for gonogo's own tests: an HTTP server that answers as the test says, and the
accept loop of a raw-socket server that misbehaves on purpose.

    with http_server(lambda request: (503, b'{"status": "degraded"}')) as server:
        ...server.url...                          # http://127.0.0.1:<free port>

    class Trickle(RawServer):                     # a raw-socket server: each connection to ``handle``
        def handle(self, connection): ...
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: what the server answers a request with: the status and the body
Answer = Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]


class LoopbackHTTP:
    """A threading HTTP server on 127.0.0.1 (a free port) that answers every GET and POST with ``answer``."""

    def __init__(self, answer: Answer, content_type: str = "application/json") -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = answer(self)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def http_server(answer: Answer, content_type: str = "application/json") -> Iterator[LoopbackHTTP]:
    """A :class:`LoopbackHTTP` for the ``with`` block; closed when it ends."""
    server = LoopbackHTTP(answer, content_type)
    try:
        yield server
    finally:
        server.close()


def accept_until(
    listener: socket.socket, stopping: threading.Event, handle: Callable[[socket.socket], None]
) -> None:
    """Accept on ``listener`` (give it a short timeout, so ``stopping`` is seen) until ``stopping`` is set
    or the listener is closed; each connection goes to ``handle``, which owns it from then on."""
    while not stopping.is_set():
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        handle(connection)


class RawServer:
    """A TCP listener on 127.0.0.1 (a free port) whose thread hands every connection to :meth:`handle`.

    A subclass sets what ``handle`` needs before calling ``super().__init__()``: connections may come at
    once. :meth:`close` stops accepting and closes the listener; ``handle`` owns each connection.
    """

    def __init__(self, accept_timeout_s: float = 0.2) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(accept_timeout_s)  # how soon the thread sees ``stopping``
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=accept_until, args=(self.listener, self.stopping, self.handle), daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def handle(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()


class HoldingServer(RawServer):
    """Accepts connections and keeps every one open until :meth:`close` (the client sees silence, not a
    reset), after ``on_connect(connection)``; ``accepted`` counts them."""

    def __init__(
        self,
        on_connect: Callable[[socket.socket], None] = lambda connection: None,
        *,
        scheme: str = "http",
        accept_timeout_s: float = 0.2,
    ) -> None:
        self.on_connect = on_connect
        self.scheme = scheme
        self.accepted = 0
        self.held: list[socket.socket] = []
        super().__init__(accept_timeout_s)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.listener.getsockname()[1]}"

    def handle(self, connection: socket.socket) -> None:
        self.accepted += 1
        self.held.append(connection)
        self.on_connect(connection)

    def close(self) -> None:
        super().close()
        for connection in self.held:
            connection.close()
