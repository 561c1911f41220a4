"""What every section of the environment file shares: unknown keys refused, values frozen, one URL rule."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict


def _http_url(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(f"must be an http:// or https:// URL, got {url!r}")
    return url.rstrip("/")


#: a URL gonogo will call: http(s) only, without a trailing slash
HttpUrlText = Annotated[str, AfterValidator(_http_url)]


class Section(BaseModel):
    """A table of the file: a misspelt key is an error, never a silent fallback to the default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model inside a field's type (``X``, ``X | None``, ``list[X]``), if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = model_of(arg)
        if found is not None:
            return found
    return None
