"""Targets whose latency is known, for the benchmarks (run as a child process; prints ``listening on URL``).

``accuracy``  the demo app with its lognormal latency knob, wrapped so that it records how long it took
              to answer each request (server-side truth); ``GET /__durations`` returns them (ms).
``stall``     a minimal asyncio HTTP/1.1 server answering after ``--base-ms``; once, ``--stall-after``
              seconds after its first request, it stalls its event loop for ``--stall-s`` (a GC pause,
              a lock, a full disk); ``GET /__stall`` returns when the stall began and ended, and when
              the backlog it found afterwards was drained (requests in progress back to a handful).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from typing import Any


def _bound_socket() -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it a response written in two parts waits ~40 ms for a delayed ACK on keep-alive
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock


def accuracy(median_ms: float, sigma: float, seed: int) -> None:
    import uvicorn

    from gonogo.demo.app import create_app
    from gonogo.demo.settings import DemoSettings

    app = create_app(
        DemoSettings(latency_ms=median_ms, latency_dist="lognormal", latency_sigma=sigma, seed=seed)
    )
    durations: list[float] = []

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__durations":
            body = json.dumps(durations).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        began = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                durations.append((time.perf_counter() - began) * 1000.0)

    sock = _bound_socket()
    config = uvicorn.Config(recording, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])


def stall(base_ms: float, stall_after_s: float, stall_s: float) -> None:
    state: dict[str, Any] = {"armed": False, "began": None, "ended": None, "drained": None, "in_progress": 0}
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"

    def freeze() -> None:
        state["began"] = time.monotonic()
        time.sleep(stall_s)  # blocks the event loop: nothing is read, nothing answered
        state["ended"] = time.monotonic()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readline()
                if not request:
                    return
                length = 0
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    if header.lower().startswith(b"content-length:"):
                        length = int(header.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                if request.startswith(b"GET /__stall"):
                    body = json.dumps({key: state[key] for key in ("began", "ended", "drained")}).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                    await writer.drain()
                    continue
                if not state["armed"]:
                    state["armed"] = True
                    asyncio.get_running_loop().call_later(stall_after_s, freeze)
                state["in_progress"] += 1
                await asyncio.sleep(base_ms / 1000.0)
                writer.write(answer)
                await writer.drain()
                state["in_progress"] -= 1
                if state["ended"] is not None and state["drained"] is None and state["in_progress"] <= 5:
                    state["drained"] = time.monotonic()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def main() -> None:
        sock = _bound_socket()
        server = await asyncio.start_server(handle, sock=sock, backlog=2048)
        print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    kinds = parser.add_subparsers(dest="kind", required=True)
    one = kinds.add_parser("accuracy")
    one.add_argument("--median-ms", type=float, required=True)
    one.add_argument("--sigma", type=float, default=0.5)
    one.add_argument("--seed", type=int, default=1)
    two = kinds.add_parser("stall")
    two.add_argument("--base-ms", type=float, default=5.0)
    two.add_argument("--stall-after", type=float, required=True)
    two.add_argument("--stall-s", type=float, default=1.0)
    args = parser.parse_args()
    try:
        if args.kind == "accuracy":
            accuracy(args.median_ms, args.sigma, args.seed)
        else:
            stall(args.base_ms, args.stall_after, args.stall_s)
    except KeyboardInterrupt:
        sys.exit(0)
