"""Read a response body whole, bounded in size and time, and say what went wrong when it could not be.

A request counts as a success only when its status is the route's and its whole body arrived: a server
that resets the connection mid-body, stalls it past the timeout, sends fewer bytes than its
Content-Length or cuts a chunked stream has not answered. geventhttpclient raises in each of those
cases (``Incomplete response``, ``ECONNRESET``, ``timed out``); reading the body here, rather than
letting locust read it and then marking the request successful on its status, keeps those errors.

The body is read from the socket in blocks and dropped (only its size is kept), at most ``max_bytes``
of it: a larger body is a failed request, and so is one that takes longer than ``timeout_s`` after its
headers (the socket's own timeout only bounds each read, so a server trickling bytes would otherwise
hold the user forever). A compressed body is decoded as it arrives, into the same cap, so a truncated
or corrupt gzip / deflate / br stream fails too.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

import brotli  # type: ignore[import-untyped]
from geventhttpclient.response import HTTPParseError

_BLOCK = 64 * 1024


@dataclass(frozen=True)
class BodyRead:
    #: bytes received on the wire (before any decoding)
    size: int
    #: why the body does not count as received (None: it was read whole)
    problem: str | None = None


def read_body(response: Any, *, max_bytes: int, timeout_s: float) -> BodyRead:
    """Read the body of locust's ``stream=True`` response to its end (or to the first problem)."""
    raw = getattr(response, "_response", None)
    if raw is None:  # no response at all (connection refused, ...): described by its status
        return BodyRead(0)
    headers = response.headers
    # ``in`` first: geventhttpclient's get() raises and catches a KeyError for a missing header (and
    # its Headers' truth value counts every header)
    present = headers is not None and "content-encoding" in headers
    encoding = headers.get("content-encoding") if present else None
    if not encoding and raw.message_complete:
        # the usual small answer: its whole body came with the headers, the connection is back in the
        # pool; nothing left to wait for or to decode
        size = len(raw.read())
        if size > max_bytes:
            return BodyRead(size, f"body larger than {max_bytes} bytes (max_body_bytes): not read further")
        return _whole(size)
    try:
        decoder = _decoder(encoding, max_bytes)
    except ValueError as exc:
        raw.release()
        return BodyRead(0, str(exc))
    deadline = time.monotonic() + timeout_s
    size = 0
    try:
        while True:
            chunk = raw.read(_BLOCK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                # the connection is dropped, not reused: the rest of the body is still on its way
                raw.release()
                return BodyRead(
                    size, f"body larger than {max_bytes} bytes (max_body_bytes): not read further"
                )
            if decoder is not None:
                decoder.feed(chunk)
            if time.monotonic() > deadline:
                raw.release()
                return BodyRead(
                    size, f"body not complete {timeout_s:g} s after its headers ({size} bytes read)"
                )
        if decoder is not None and size:  # a HEAD, 204 or 304 answer carries no body to decode
            decoder.finish()
    except _DecodeError as exc:
        raw.release()
        return BodyRead(size, str(exc))
    except TimeoutError:
        return BodyRead(size, f"body read timed out ({size} bytes read, {_announced(headers)})")
    except ConnectionResetError:
        return BodyRead(
            size, f"connection reset while reading the body ({size} bytes read, {_announced(headers)})"
        )
    except HTTPParseError as exc:
        return BodyRead(size, f"body cut short: {exc} ({size} bytes read, {_announced(headers)})")
    except OSError as exc:
        return BodyRead(size, f"body read failed: {type(exc).__name__}: {exc} ({size} bytes read)")
    return BodyRead(size)


_WHOLE: dict[int, BodyRead] = {}


def _whole(size: int) -> BodyRead:
    """``BodyRead(size)``, one shared instance per size (it is immutable): no allocation per request."""
    read = _WHOLE.get(size)
    if read is None:
        read = BodyRead(size)
        if len(_WHOLE) < 4096:  # a target answering every size keeps the cache bounded
            _WHOLE[size] = read
    return read


def _announced(headers: Any) -> str:
    """What the headers promised: ``Content-Length 100`` or ``chunked``."""
    length = headers.get("content-length") if headers is not None else None
    if length:
        return f"Content-Length {length}"
    encoding = headers.get("transfer-encoding") if headers is not None else None
    if encoding and "chunked" in str(encoding).lower():
        return "chunked"
    return "read until the connection closes"


class _DecodeError(Exception):
    """The compressed body is corrupt, ends early, or decodes past the cap."""


class _Decoder:
    """Counts the decoded bytes of a compressed body, up to the cap, and checks the stream is whole."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.decoded = 0

    def _count(self, produced: int) -> None:
        self.decoded += produced
        if self.decoded > self.max_bytes:
            raise _DecodeError(
                f"{self.encoding} body decodes to more than {self.max_bytes} bytes (max_body_bytes)"
            )

    def feed(self, chunk: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class _Zlib(_Decoder):
    def __init__(self, encoding: str, max_bytes: int) -> None:
        super().__init__(encoding, max_bytes)
        # gzip, or deflate in its zlib wrapper (auto-detected); raw deflate (some servers send it as
        # "deflate") is tried when the first bytes are not a zlib stream
        self._wbits = zlib.MAX_WBITS | 32
        self._stream = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, chunk: bytes) -> None:
        try:
            self._decompress(chunk)
        except zlib.error as exc:
            if self.encoding == "deflate" and not self._started:
                self._wbits = -zlib.MAX_WBITS
                self._stream = zlib.decompressobj(self._wbits)
                try:
                    self._decompress(chunk)
                    return
                except zlib.error:
                    pass
            raise _DecodeError(f"{self.encoding} body cannot be decoded: {exc}") from None

    def _decompress(self, data: bytes) -> None:
        # bounded output per call: a small compressed body may expand enormously
        while data:
            out = self._stream.decompress(data, self.max_bytes - self.decoded + 1)
            self._started = self._started or bool(out)
            self._count(len(out))
            data = self._stream.unconsumed_tail

    def finish(self) -> None:
        if self._wbits > 0 and not self._stream.eof:
            raise _DecodeError(f"{self.encoding} body ends before its compressed stream does")


class _Brotli(_Decoder):
    def __init__(self, encoding: str, max_bytes: int) -> None:
        super().__init__(encoding, max_bytes)
        self._stream = brotli.Decompressor()

    def feed(self, chunk: bytes) -> None:
        try:
            out: bytes = self._stream.process(chunk, output_buffer_limit=self.max_bytes - self.decoded + 1)
            self._count(len(out))
            while not self._stream.can_accept_more_data():
                out = self._stream.process(b"", output_buffer_limit=self.max_bytes - self.decoded + 1)
                self._count(len(out))
        except brotli.error as exc:
            raise _DecodeError(f"br body cannot be decoded: {exc}") from None

    def finish(self) -> None:
        if not self._stream.is_finished():
            raise _DecodeError("br body ends before its compressed stream does")


def _decoder(value: str | list[str] | None, max_bytes: int) -> _Decoder | None:
    if not value:
        return None
    encoding = (value[-1] if isinstance(value, list) else str(value)).strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Zlib(encoding, max_bytes)
    if encoding == "br":
        return _Brotli(encoding, max_bytes)
    raise ValueError(f"Content-Encoding {encoding!r} is not one gonogo can check (gzip, deflate, br)")
