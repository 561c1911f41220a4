"""The profile's state in this locust process: one run per process, shared by the role and the users.

Locust creates the users itself (no constructor arguments of ours), so they find the plan and the
recorder here; the role (``roles.py``) fills it in on init and when the test starts.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gevent

from gonogo.loadgen.aggregate import Aggregate
from gonogo.loadgen.plan import LoadPlan, RoutePlan
from gonogo.loadgen.recorder import Recorder

if TYPE_CHECKING:
    from gonogo.loadgen.profile.roles import Role

#: exit codes of a headless run
EXIT_PASS, EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_USAGE = 0, 1, 3, 2


@dataclass
class RunState:
    plan: LoadPlan | None = None
    #: the plan's routes with their ``${NAME}`` references filled in from this process's environment
    routes: tuple[RoutePlan, ...] = ()
    role: Role | None = None
    #: in a process that sends requests (local runner, worker)
    recorder: Recorder | None = None
    #: in the process that reports (local runner, master)
    aggregate: Aggregate | None = None
    started_at: str = ""
    started: float = 0.0
    finished: bool = False
    problems: list[str] = field(default_factory=list)
    #: open-model users still alive, asked at the end what they never sent or still wait for
    open_users: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)
    headless: bool = True
    greenlets: list[gevent.Greenlet] = field(default_factory=list)


STATE = RunState()
