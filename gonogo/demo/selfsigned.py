"""A throwaway certificate authority for serving the demo over https on loopback.

``--tls-self-signed DIR`` makes a CA and a leaf certificate for 127.0.0.1 / localhost at start and
writes ``DIR/ca.pem`` (to verify against), ``DIR/cert.pem`` and ``DIR/key.pem``. Nothing is reused
between runs, and the private keys never leave DIR.
"""

from __future__ import annotations

from pathlib import Path

CA_FILE = "ca.pem"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"


def make(directory: Path) -> tuple[Path, Path]:
    """Write a fresh CA and leaf into ``directory``; return (certfile, keyfile) for the server."""
    import trustme  # imported here: only the https demo needs it

    directory.mkdir(parents=True, exist_ok=True)
    authority = trustme.CA(organization_name="gonogo demo CA")
    leaf = authority.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = directory / CERT_FILE, directory / KEY_FILE
    leaf.private_key_pem.write_to_path(str(keyfile))
    keyfile.chmod(0o600)
    leaf.cert_chain_pems[0].write_to_path(str(certfile))
    authority.cert_pem.write_to_path(str(directory / CA_FILE))
    return certfile, keyfile
