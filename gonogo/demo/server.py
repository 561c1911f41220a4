"""Run the demo under uvicorn: ``python -m gonogo.demo --port P [--certfile F --keyfile K] [knob flags]``.

Exit codes: 0 after SIGTERM or SIGINT, 2 for a bad flag or variable (one line on stderr), 3 (uvicorn's
startup failure) when the port cannot be bound.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import ssl
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

import uvicorn

from gonogo.demo import selfsigned
from gonogo.demo.app import create_app
from gonogo.demo.settings import DemoSettings, DemoSettingsError, add_knob_flags

NAME = "gonogo.demo"
# A safety net: requests still running this long after SIGTERM are cancelled. Injected latency already
# ends when shutdown begins (_AnnouncingServer.shutdown). uvicorn takes whole seconds here.
_GRACE_S = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like the knob errors, so a launcher can show stderr as it is.
        self.exit(2, f"{NAME}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"python -m {NAME}",
        description="The gonogo demo service: a small item API with switchable faults.",
    )
    parser.add_argument("--port", required=True, help="port to listen on; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--certfile", type=Path, help="PEM certificate chain: serve https (needs --keyfile)")
    parser.add_argument("--keyfile", type=Path, help="PEM private key for --certfile")
    parser.add_argument(
        "--tls-self-signed",
        type=Path,
        metavar="DIR",
        help="serve https with a fresh CA and certificate for 127.0.0.1/localhost, written to DIR "
        "(DIR/ca.pem is the CA to verify against)",
    )
    add_knob_flags(parser)
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    args = build_parser().parse_args(argv)
    try:
        settings = DemoSettings.from_env(environ).with_flags(args)
        port = _port(args.port)
        if args.tls_self_signed is not None:
            if args.certfile is not None or args.keyfile is not None:
                raise DemoSettingsError(
                    "--tls-self-signed makes its own certificate: drop --certfile/--keyfile"
                )
            args.certfile, args.keyfile = selfsigned.make(args.tls_self_signed)
        if args.certfile is not None or args.keyfile is not None:
            _check_tls(args.certfile, args.keyfile)
    except DemoSettingsError as exc:
        print(f"{NAME}: {exc}", file=sys.stderr)
        return 2
    if settings.token_env and not environ.get(settings.token_env):
        # The API is open in this case: say so, naming the variable and never printing a value.
        print(
            f"{NAME}: warning: {settings.token_env} is unset or empty, /api/* needs no token", file=sys.stderr
        )

    signalled = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        signalled.set()

    # Our handlers cover the start delay; uvicorn swaps in its own while serving and calls ours again
    # after a signal-driven shutdown, which then only sets the event instead of killing the process.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    if settings.start_delay_s:
        # Said on stderr so a person (or a test) sees why the port is not open yet; stdout keeps its one line.
        print(
            f"{NAME}: waiting {settings.start_delay_s:g} s before binding the port",
            file=sys.stderr,
            flush=True,
        )
    if signalled.wait(settings.start_delay_s):
        return 0

    stopping = asyncio.Event()
    config = uvicorn.Config(
        create_app(settings, environ=environ, stopping=stopping),
        host=args.host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=_GRACE_S,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
    )
    _AnnouncingServer(config, version=settings.version, signalled=signalled, stopping=stopping).run()
    return 0


class _AnnouncingServer(uvicorn.Server):
    """Prints the listening line once the socket accepts connections, with the port actually bound,
    and tells the app when shutdown begins."""

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        version: str,
        signalled: threading.Event,
        stopping: asyncio.Event,
    ) -> None:
        super().__init__(config)
        self._version = version
        self._signalled = signalled
        self._stopping = stopping

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self._signalled.is_set():
            # The signal came after the start delay but before uvicorn installed its handlers.
            self.should_exit = True
        if not self.started or self.should_exit:
            return
        host, port = self.servers[0].sockets[0].getsockname()[:2]
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self.config.is_ssl else "http"
        print(f"gonogo demo {self._version} listening on {scheme}://{host}:{port}", flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Before uvicorn waits for requests in flight, so delayed ones answer instead of being cancelled.
        self._stopping.set()
        await super().shutdown(sockets)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise DemoSettingsError(f"--port must be an integer from 0 to 65535, given: {text!r}")
    return port


def _check_tls(certfile: Path | None, keyfile: Path | None) -> None:
    # Checked before the start delay and before binding, so a bad file fails at once with one line
    # instead of a traceback from inside uvicorn.
    if certfile is None or keyfile is None:
        raise DemoSettingsError("--certfile and --keyfile go together: give both or neither")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except OSError as exc:  # ssl.SSLError is one
        raise DemoSettingsError(
            f"--certfile/--keyfile must be a PEM certificate chain and its key, given: "
            f"{str(certfile)!r}, {str(keyfile)!r} ({exc.strerror or exc})"
        ) from None
