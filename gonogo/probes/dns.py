"""DNS: does the target's host name resolve? Bounded in time, because ``getaddrinfo`` has no timeout."""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from gonogo.errors import GonogoError


class DnsError(GonogoError):
    """The host did not resolve (or not in time); the message says which host and why."""


@dataclass(frozen=True)
class Resolution:
    host: str
    addresses: tuple[str, ...]
    #: the URL holds an IP address: nothing to resolve
    literal: bool = False


def host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise DnsError(f"{url} has no host name")
    return host


def resolve(host: str, *, timeout_s: float = 5.0) -> Resolution:
    """The addresses ``host`` resolves to; raise :class:`DnsError` on failure or after ``timeout_s``."""
    try:
        return Resolution(host, (str(ipaddress.ip_address(host)),), literal=True)
    except ValueError:
        pass
    outcome: list[list[str] | BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            outcome.append(sorted({str(info[4][0]) for info in infos}))
        except BaseException as exc:  # handed to the caller's thread, never lost
            outcome.append(exc)

    # A daemon thread: a resolver that hangs past the timeout cannot hold the run's exit up.
    worker = threading.Thread(target=lookup, name=f"gonogo-dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not outcome:
        raise DnsError(f"{host} did not resolve within {timeout_s:g} s (the resolver did not answer)")
    result = outcome[0]
    if isinstance(result, socket.gaierror):
        raise DnsError(f"{host} does not resolve: {result.strerror or result}")
    if isinstance(result, BaseException):
        raise DnsError(f"{host} could not be resolved: {type(result).__name__}: {result}")
    if not result:
        raise DnsError(f"{host} resolved to no address")
    return Resolution(host, tuple(result))
