"""The JSON Schema of the environment file, for editors (taplo, Even Better TOML) and `gonogo schema`."""

from __future__ import annotations

from typing import Any

from gonogo.environment.model import Environment


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the environment file, for editors (taplo, Even Better TOML)."""
    schema = Environment.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gonogo environment file"
    return schema
