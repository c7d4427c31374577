"""Models every area shares: the error body, liveness and readiness; text types for values stored in SQL."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _single_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters (line breaks, NUL …) are not allowed here")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("a NUL character is not allowed")
    return value


# Text that ends up in a database column: PostgreSQL refuses NUL in text, and a name or a search word has no
# business holding line breaks; refused here as a 422 rather than failing in the driver as a 500.
SingleLine = Annotated[str, AfterValidator(_single_line)]
Text = Annotated[str, AfterValidator(_no_nul)]


class ErrorOut(BaseModel):
    error: str = Field(description="error type, e.g. NotFound, ValidationError")
    detail: str = Field(description="plain message for the caller")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    generation: str | None = None
    documents: int = 0
    chunks: int = 0
    measures: int = 0
    model_loaded: bool = False
    problems: list[str] = Field(default_factory=list, description="what is not ready, when not ready")
