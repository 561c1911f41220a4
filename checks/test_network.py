"""Pre-deploy: the target's host resolves, and on https its certificate and protocol are sound."""

from __future__ import annotations

import pytest

from gonogo import FindingRecorder, FindingVerdict, LoadedEnvironment, not_applicable
from gonogo.probes import dns, tls


def test_dns_resolves(
    base_url: str, loaded_environment: LoadedEnvironment, findings: FindingRecorder
) -> None:
    timeout_s = loaded_environment.model.http.timeout_s
    try:
        resolution = dns.resolve(dns.host_of(base_url), timeout_s=timeout_s)
    except dns.DnsError as exc:
        message = f"base URL {base_url}: {exc}. Fix: check the DNS record or base_url"
        raise pytest.fail.Exception(message, pytrace=False) from None
    findings.record(
        "DNS addresses",
        ", ".join(resolution.addresses),
        detail="IP address in the URL: nothing to resolve" if resolution.literal else resolution.host,
    )


def test_tls_certificate(
    request: pytest.FixtureRequest,
    base_url: str,
    loaded_environment: LoadedEnvironment,
    findings: FindingRecorder,
) -> None:
    env = loaded_environment.model
    if not base_url.startswith("https://"):
        not_applicable(request, f"{base_url} is not https: no certificate to check")
    host, port = tls.endpoint(base_url)
    cafile = str(loaded_environment.path.parent / env.http.ca_bundle) if env.http.ca_bundle else None
    try:
        report = tls.inspect(host, port, cafile=cafile, timeout_s=env.http.timeout_s)
    except tls.TlsProbeError as exc:
        raise pytest.fail.Exception(f"{base_url}: {exc}", pytrace=False) from None
    trusted_by = f"the CA file {env.http.ca_bundle}" if env.http.ca_bundle else "the system CA store"
    # [http].verify_tls = false says the team accepts this chain as it is; expiry and protocol still count
    problems = tls.assess(
        report,
        min_days=env.security.tls_min_days,
        require_verified=env.http.verify_tls,
        trusted_by=trusted_by,
    )
    findings.record(
        "TLS chain verified",
        report.verified,
        verdict=FindingVerdict.PASS if report.verified or not env.http.verify_tls else FindingVerdict.FAIL,
        detail=f"against {trusted_by}" if report.verified else f"{report.verify_error}",
    )
    days = report.days_left()
    if days is not None:
        findings.record(
            "TLS certificate days left",
            round(days, 1),
            limit=env.security.tls_min_days,
            unit="days",
            verdict=FindingVerdict.PASS if days > env.security.tls_min_days else FindingVerdict.FAIL,
            detail=f"not after {report.not_after:%Y-%m-%d %H:%M} UTC",
        )
    findings.record(
        "TLS protocol",
        report.protocol or "none",
        limit="TLSv1.2",
        verdict=FindingVerdict.PASS if report.protocol_ok else FindingVerdict.FAIL,
    )
    if problems:
        fix = "Fix: renew or replace the certificate (full chain, matching host name) before deploying"
        pytest.fail(f"{base_url}: " + "; ".join(problems) + f". {fix}", pytrace=False)
