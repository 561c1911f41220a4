"""Names a package imports on first use, so importing the package stays cheap (PEP 562 ``__getattr__``)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any


def lazy_attribute(namespace: dict[str, Any], modules: Mapping[str, str], name: str) -> Any:
    """``name`` from its module in ``modules`` (relative to the package), kept in the package's namespace.

    A package's ``__getattr__`` calls this with its ``globals()``: the first use imports, later uses find
    the name in the namespace and never get here.
    """
    module = modules.get(name)
    package = namespace["__name__"]
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(module, package), name)
    namespace[name] = value
    return value
