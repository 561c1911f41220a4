"""`[gate]`: how results become a verdict."""

from __future__ import annotations

from pydantic import Field, model_validator

from gonogo.environment._base import Section
from gonogo.environment.values import WebhookUrl


class GateConfig(Section):
    """How results become a verdict."""

    pass_score: float = Field(90.0, ge=0, le=100, description="Weighted score needed for GO.")
    warn_score: float = Field(75.0, ge=0, le=100, description="Below this score the verdict is NO-GO.")
    notify_url: WebhookUrl | None = Field(
        None, description="POST gate.json here after the verdict (an http:// or https:// URL)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> GateConfig:
        if self.warn_score > self.pass_score:
            raise ValueError(
                f"warn_score ({self.warn_score}) must not exceed pass_score ({self.pass_score}). "
                "Fix: lower warn_score or raise pass_score"
            )
        return self
