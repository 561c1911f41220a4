"""DNS: IP literals need no lookup; a name that cannot exist fails with the host and the reason."""

from __future__ import annotations

import pytest

from gonogo.probes import dns


def test_an_ip_literal_resolves_to_itself_without_a_lookup() -> None:
    assert dns.resolve(dns.host_of("http://127.0.0.1:8080/x")) == dns.Resolution(
        "127.0.0.1", ("127.0.0.1",), True
    )
    assert dns.resolve(dns.host_of("https://[::1]:8443")).addresses == ("::1",)


def test_localhost_resolves_to_a_loopback_address() -> None:
    resolution = dns.resolve("localhost", timeout_s=5)
    assert not resolution.literal
    assert set(resolution.addresses) & {"127.0.0.1", "::1"}


def test_a_reserved_invalid_name_fails_naming_the_host() -> None:
    # .invalid is reserved (RFC 2606): it can never resolve, whatever the resolver
    with pytest.raises(dns.DnsError, match=r"^gonogo-check\.invalid does not resolve: "):
        dns.resolve("gonogo-check.invalid", timeout_s=5)
