"""Secrets never reach an Allure results folder: allure-pytest's writer is swapped for a redacting one.

allure-pytest attaches what pytest captured (log, stdout, stderr), stores each failure's message and
traceback, and every parameter's value in plain text (``mode=MASKED`` only hides it in the UI). All of it
goes through one ``AllureFileLogger`` per process. :class:`RedactingFileLogger` writes the same files
with every string passed through :class:`gonogo.redaction.Redactor` (JSON parsed and scrubbed value by
value, attachments scrubbed as bytes), so nothing with a secret in it touches the disk.

:func:`gonogo.redaction.sweep.sweep` is the second line: the controller runs it over the whole folder at
the end of the run, with every secret it knows, for anything written by other means.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from allure_commons import hookimpl, plugin_manager
from allure_commons.logger import AllureFileLogger
from attr import asdict

from gonogo.redaction import Redactor


def _not_empty(_: Any, value: Any) -> bool:
    # the same filter allure-commons uses: leave out empty fields, keep False
    return bool(value) or value is False


class RedactingFileLogger(AllureFileLogger):
    """allure-commons' file writer, with every string and every attachment scrubbed before writing."""

    def __init__(
        self, report_dir: Path | str, redactor: Redactor, on_error: Callable[[OSError], None] | None = None
    ) -> None:
        super().__init__(report_dir, clean=False)  # type: ignore[no-untyped-call]
        self._redactor = redactor
        self._on_error = on_error

    def _write(self, file_name: str, body: bytes) -> None:
        # temporary file, then rename: readers (other xdist workers, the generator) see whole files only
        final = self._report_dir / file_name
        tmp = self._report_dir / f"{file_name}.tmp"
        try:
            with open(tmp, "wb") as handle:
                handle.write(body)
            os.replace(tmp, final)
        except OSError as exc:
            # a disk that filled up mid-run: no INTERNALERROR out of allure-pytest's hooks, no partial
            # file; the failure is handed on and the gate says NO-GO (gonogo.plugin.context)
            with contextlib.suppress(OSError):
                tmp.unlink()
            if self._on_error is None:
                raise
            exc.filename = exc.filename or str(final)  # a failed write() names no file
            self._on_error(exc)

    def _report_item(self, item: Any) -> None:
        data = self._redactor.tree(asdict(item, filter=_not_empty))
        file_name = item.file_pattern.format(prefix=_uuid())
        self._write(file_name, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @hookimpl
    def report_result(self, result: Any) -> None:
        self._report_item(result)

    @hookimpl
    def report_container(self, container: Any) -> None:
        self._report_item(container)

    @hookimpl
    def report_globals(self, globals_item: Any) -> None:
        self._report_item(globals_item)

    @hookimpl
    def report_attached_file(self, source: str, file_name: str) -> None:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            if self._on_error is None:
                raise
            self._on_error(exc)
            return
        self._write(file_name, self._redactor.data(raw))

    @hookimpl
    def report_attached_data(self, body: str | bytes, file_name: str) -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self._write(file_name, self._redactor.data(raw))


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


class WriterSwap:
    """Replaces allure-pytest's file writers with redacting ones, and puts them back at the end.

    allure-pytest registers its ``AllureFileLogger`` in ``pytest_configure`` and unregisters that same
    object in a config cleanup, so the original is re-registered before the cleanups run.
    """

    def __init__(self, redactor: Redactor, on_error: Callable[[OSError], None] | None = None) -> None:
        self._redactor = redactor
        self._on_error = on_error
        self._swapped: list[tuple[Any, str | None, RedactingFileLogger]] = []

    def install(self) -> int:
        for plugin in list(plugin_manager.get_plugins()):
            if type(plugin) is not AllureFileLogger:
                continue
            name = plugin_manager.get_name(plugin)
            replacement = RedactingFileLogger(plugin._report_dir, self._redactor, self._on_error)
            plugin_manager.unregister(plugin)
            plugin_manager.register(replacement)
            self._swapped.append((plugin, name, replacement))
        return len(self._swapped)

    def uninstall(self) -> None:
        while self._swapped:
            original, name, replacement = self._swapped.pop()
            if plugin_manager.is_registered(replacement):
                plugin_manager.unregister(replacement)
            if not plugin_manager.is_registered(original):
                plugin_manager.register(original, name)
