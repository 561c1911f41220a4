"""``python -m gonogo``: the ``gonogo`` command."""

from __future__ import annotations

from gonogo.cli import main

raise SystemExit(main())
