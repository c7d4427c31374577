"""API clients and their keys: the configured channel key (the bot's), and registered clients by role.

A registered client's key is shown once, when it is created, and stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from core.errors import InvalidInput, NotFound
from core.records.db import Database, utcnow
from core.records.identity.tables import ApiClient
from core.settings import Settings

logger = logging.getLogger(__name__)

ROLES = ("portal", "channel", "admin")
CONFIGURED_CHANNEL = "telegram"  # the client that presents BANGFU_API_KEY (the bot)
KEY_PREFIX = "bfk_"


@dataclass(frozen=True)
class Client:
    """An authenticated API client."""

    name: str
    role: str


def key_hash(key: str) -> str:
    # API keys are 256-bit random: a plain SHA-256 is enough, and survives a change of the secret key.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def channel_key(settings: Settings) -> str | None:
    """The key the configured channel presents: BANGFU_API_KEY, or in development the data dir's own."""
    configured = settings.api_key
    if not configured and not settings.is_production:
        # Generated on first start into the data dir, where the bot in development reads it too.
        configured = settings.dev_secret("channel_api_key")
    return configured


class ApiClients:
    """Authenticating and registering API clients (a part of `Identity`)."""

    _db: Database
    _channel_key: str | None

    def authenticate(self, key: str) -> Client | None:
        """The client presenting `key`, or None."""
        key = key.strip()
        if not key:
            return None
        if self._channel_key and hmac.compare_digest(key.encode(), self._channel_key.encode()):
            return Client(name=CONFIGURED_CHANNEL, role="channel")
        with self._db.read_session() as session:
            row = session.scalar(select(ApiClient).where(ApiClient.key_hash == key_hash(key)))
            if row is None or row.revoked_at is not None:
                return None
            return Client(name=row.name, role=row.role)

    def create_client(self, *, name: str, role: str) -> tuple[Client, str]:
        """Register a client; returns it with its key, which is shown this once and stored only hashed."""
        name = name.strip()
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        if not name or len(name) > 50 or name == CONFIGURED_CHANNEL:
            raise InvalidInput(f"a client name has 1–50 characters and is not {CONFIGURED_CHANNEL!r}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.session() as session:
            if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
                raise InvalidInput(f"a client named {name!r} exists already")
            session.add(ApiClient(name=name, role=role, key_hash=key_hash(key), created_at=utcnow()))
        logger.info("created API client %s with role %s", name, role)
        return Client(name=name, role=role), key

    def revoke_client(self, *, name: str) -> None:
        with self._db.session() as session:
            row = session.scalar(
                select(ApiClient).where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
            )
            if row is None:
                raise NotFound(f"no active client named {name!r}")
            row.revoked_at = utcnow()
