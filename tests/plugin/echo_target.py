"""A loopback service that echoes every request back: method, URL, headers and body, in the JSON body and
in a response header; also the secret gonogo generated for it. The worst service to keep secrets from.

``python echo_target.py --port N --secret-file PATH`` writes the generated secret's value to PATH (the
test's only way to learn it) and serves until it is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VERSION = "3.1.4"
GENERATED = "LAUNCH_TOKEN"


class Echo(BaseHTTPRequestHandler):
    server_version = "echo"
    sys_version = ""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        document = {
            "status": "ok",
            "version": VERSION,
            "method": self.command,
            "url": self.path,
            "headers": dict(self.headers.items()),
            "body": body,
            "generated": os.environ.get(GENERATED, ""),
        }
        payload = json.dumps(document).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Echo-Url", self.path)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the echo must not print what it saw: that is the test's job


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args()
    args.secret_file.write_text(os.environ.get(GENERATED, ""), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Echo)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
