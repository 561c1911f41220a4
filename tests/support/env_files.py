"""Environment files that must not load: the error, and what every such error must say.

    message = refused(env_file("[load]\np95_ms = inf\n"), "load.p95_ms", "finite number")

``refused`` loads the file, expects :class:`~gonogo.environment.EnvironmentFileError`, checks that the
message starts with the file's name and carries a ``Fix:``, and that it contains each fragment named.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from gonogo.environment import EnvironmentFileError, load_file, shown


def refused(path: Path, *named: str, environ: Mapping[str, str] | None = None) -> str:
    """The error loading ``path`` (with ``environ``, default none) raises; it names the file, the fix
    and each of ``named``."""
    with pytest.raises(EnvironmentFileError) as caught:
        load_file(path, environ=environ or {})
    message = str(caught.value)
    assert message.startswith(f"{shown(path)}: "), message
    assert "Fix:" in message, message
    for fragment in named:
        assert fragment in message, f"{fragment!r} not in: {message}"
    return message
