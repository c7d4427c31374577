"""Domain errors. Core raises these; the edges turn them into HTTP statuses or chat replies."""

from __future__ import annotations


class BangfuError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(BangfuError):
    """A document, measure, household or other record does not exist."""


class InvalidInput(BangfuError):
    """A request's content is well-formed but not acceptable (unknown fact, bad value …)."""


class CorpusError(BangfuError):
    """A policy file or catalog entry cannot be read or is invalid."""


class ImportRejected(BangfuError):
    """A household import file has problems; nothing was imported."""

    def __init__(self, detail: str, problems: list[str] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems or []


class NotBound(BangfuError):
    """The chat user has not bound an account to a household or cadre."""


class Forbidden(BangfuError):
    """The caller may not see or do this."""


class Unauthorized(BangfuError):
    """No valid credentials were presented."""


class RateLimited(BangfuError):
    """Too many attempts; try again later."""

    def __init__(self, detail: str, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(BangfuError):
    """A store or the model is not ready yet."""


class ConfigError(BangfuError):
    """Settings are missing or unsafe for this environment."""
