from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

from gonogo.demo import DemoSettings, create_app

if TYPE_CHECKING:
    from starlette.testclient import TestClient

MakeClient = Callable[..., "TestClient"]


def _import_test_client() -> type[TestClient]:
    # Starlette 1.x warns, once, at import time, that driving TestClient with httpx (rather than httpx2)
    # is deprecated. gonogo depends on httpx, and -W error would turn that notice into a collection
    # error, so exactly that message is silenced here and nowhere else; with httpx2 installed it never fires.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Using `httpx` with `starlette.testclient` is deprecated", category=UserWarning
        )
        from starlette.testclient import TestClient

    return TestClient


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build a TestClient around a fresh demo app; every client is closed at teardown.

    ``environ`` defaults to empty so no test depends on the variables of the shell running pytest.
    """
    test_client = _import_test_client()
    with ExitStack() as stack:

        def make(
            settings: DemoSettings | None = None,
            *,
            clock: Callable[[], float] = time.monotonic,
            environ: Mapping[str, str] | None = None,
            stopping: asyncio.Event | None = None,
        ) -> TestClient:
            app = create_app(
                settings or DemoSettings(), clock=clock, environ=environ or {}, stopping=stopping
            )
            return stack.enter_context(test_client(app))

        yield make
