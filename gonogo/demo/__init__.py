"""The demo target: a real ASGI service (Starlette under uvicorn) that ``pytest --env demo`` verifies.

Run it with ``python -m gonogo.demo --port 8000``; it prints one line when it listens:
``gonogo demo <version> listening on http://127.0.0.1:<port>``.

Routes: ``GET /health``, ``GET /version``, ``GET /api/items``, ``GET /api/items/{id}``,
``POST /api/items`` (destructive), ``GET /metrics`` (Prometheus text).

Healthy by default; each fault is a knob, read from a ``GONOGO_DEMO_*`` variable and overridden by its flag:

    version        GONOGO_DEMO_VERSION        --report-version   what /version reports (wrong version)
    error_rate     GONOGO_DEMO_ERROR_RATE     --error-rate       0..1: /api/* answers 500 this often
    seed           GONOGO_DEMO_SEED           --seed             repeatable fault dice
    latency_ms     GONOGO_DEMO_LATENCY_MS     --latency-ms       added to every request but /metrics
    latency_dist   GONOGO_DEMO_LATENCY_DIST   --latency-dist     fixed | lognormal (latency_ms is the median)
    latency_sigma  GONOGO_DEMO_LATENCY_SIGMA  --latency-sigma    spread of the lognormal latency
    drop_headers   GONOGO_DEMO_DROP_HEADERS   --drop-header      security headers to leave out
    leak_headers   GONOGO_DEMO_LEAK_HEADERS   --leak-headers     add x-powered-by and server headers
    start_delay_s  GONOGO_DEMO_START_DELAY_S  --start-delay      wait before binding the port
    health_status  GONOGO_DEMO_HEALTH         --health           ok | degraded (/health answers 503)
    token_env      GONOGO_DEMO_TOKEN_ENV      --token-env        variable holding the /api/* bearer token
    fault_after_s  GONOGO_DEMO_FAULT_AFTER_S  --fault-after      errors and latency start this late
    rename_field   GONOGO_DEMO_RENAME_FIELD   --rename-field     old:new, a field renamed in every item

docs/demo.md has the accepted values and defaults.
"""

from __future__ import annotations

from gonogo.demo.app import create_app
from gonogo.demo.settings import DemoSettings

__all__ = ["DemoSettings", "create_app"]
