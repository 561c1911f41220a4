"""The locust side of gonogo's load check: the route user, and the listeners that record every sample,
keep the open model's schedule, end the run on time and write the measurements.

Import this only from a locustfile, in a locust process: ``import locust`` monkey-patches the whole
process with gevent, which is why the check runs locust as a child process and never imports this.
The suite's ``load/locustfile.py`` is::

    from gonogo.loadgen.profile import RouteUser

    class EnvironmentRoutes(RouteUser):
        '''The environment's non-destructive routes, weighted by [[routes]].weight.'''

Modules: ``users`` (RouteUser and the request hook), ``roles`` (what the local runner, a master and a
worker each do), ``options`` (command line, where the plan comes from), ``state`` (this process's run).
Here: the wiring of locust's events to this process's role.
"""

from __future__ import annotations

from typing import Any

from locust import events

from gonogo.loadgen.profile.options import add_arguments
from gonogo.loadgen.profile.roles import role_for
from gonogo.loadgen.profile.state import STATE
from gonogo.loadgen.profile.users import RouteUser, record_request

__all__ = ["RouteUser"]


def _on_init(environment: Any, runner: Any, **_: Any) -> None:
    if environment.parsed_options is None:  # locust used as a library, without its command line
        return
    STATE.role = role_for(runner)
    STATE.role.init(environment, runner)


def _on_test_start(environment: Any, **_: Any) -> None:
    if STATE.role is not None:
        STATE.role.test_start(environment)


def _on_test_stopping(environment: Any, **_: Any) -> None:
    if STATE.role is not None:
        STATE.role.test_stopping(environment)


def _on_quitting(environment: Any, **_: Any) -> None:
    if STATE.role is not None:
        STATE.role.quitting(environment)


def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if STATE.role is not None:
        STATE.role.report_to_master(data)


def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if STATE.role is not None:
        STATE.role.worker_report(client_id, data)


def _listen(event: Any, handler: Any) -> None:
    # explicit, not locust's decorators: those are untyped
    event.add_listener(handler)


_listen(events.init_command_line_parser, add_arguments)
_listen(events.init, _on_init)
_listen(events.report_to_master, _on_report_to_master)
_listen(events.worker_report, _on_worker_report)
_listen(events.request, record_request)
_listen(events.test_start, _on_test_start)
_listen(events.test_stopping, _on_test_stopping)
_listen(events.quitting, _on_quitting)
