"""The suite's load profile: the environment's routes under load, as a locust locustfile.

The postdeploy check (``load/test_latency.py``) runs it in a child process. It also runs on its own::

    # headless, the environment's [load] settings (users, spawn rate, duration), against a running target
    GONOGO_ENV=demo locust -f load/locustfile.py --headless -H http://127.0.0.1:8000

    # the web UI (http://localhost:8089); -u/-r/-t override [load], within a sensitive environment's caps
    GONOGO_ENV=staging locust -f load/locustfile.py

    # one master, workers on other hosts; the master writes gonogo's results for `pytest --load-results`
    GONOGO_ENV=staging locust -f load/locustfile.py --master --headless --expect-workers 4 \\
        --gonogo-results load-results.json
    locust -f load/locustfile.py --worker --master-host MASTER     # on each load host

Exit codes of a headless run: 0 pass, 1 p95 or error rate over its limit, 3 inconclusive, 2 usage error.
See docs/load.md. Add your own tasks to the class below, or more ``RouteUser`` subclasses.
"""

from __future__ import annotations

from gonogo.loadgen.profile import RouteUser


class EnvironmentRoutes(RouteUser):
    """The environment's non-destructive ``[[routes]]``, weighted by their ``weight``."""
