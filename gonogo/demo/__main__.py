"""``python -m gonogo.demo``: see gonogo.demo.server."""

from __future__ import annotations

from gonogo.demo.server import main

if __name__ == "__main__":
    raise SystemExit(main())
