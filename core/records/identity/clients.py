"""API clients and their keys: the configured channel key (the bot's), and registered clients by role.

A registered client's key is shown once, when it is created or rotated, and stored only as its SHA-256.
Every call looks the key up in the database (no per-process cache), so a revocation holds on every replica
from the next request. Rotation keeps the old key valid for a grace period (`BANGFU_KEY_ROTATION_GRACE_HOURS`,
24 h by default) so the client can switch without an outage; a second rotation ends the first one's grace.
A client may be limited to the addresses it calls from (`allow_from`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from core.errors import ConfigError, InvalidInput, NotFound
from core.records import audit
from core.records.audit import CLI_ADMIN, Actor
from core.records.db import Database, utcnow
from core.records.identity.tables import ApiClient
from core.settings import Settings, parse_networks

logger = logging.getLogger(__name__)

ROLES = ("portal", "channel", "admin")
CONFIGURED_CHANNEL = "telegram"  # the client that presents BANGFU_API_KEY (the bot)
KEY_PREFIX = "bfk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # `last_used_at` is written at most this often per key


@dataclass(frozen=True)
class Client:
    """An authenticated API client; `allow_from` (networks) limits where its key may be used, empty: anywhere."""

    name: str
    role: str
    allow_from: tuple[str, ...] = field(default=(), compare=False)

    def allows(self, address: str | None) -> bool:
        """Whether the key may be used from `address` (the caller's address after trusted proxies)."""
        if not self.allow_from:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False  # a test client or a unix socket: not a listed address
        return any(ip in ipaddress.ip_network(net) for net in self.allow_from)


@dataclass(frozen=True)
class ClientInfo:
    """A client as `clients list` shows it: never its key or the key's hash."""

    name: str
    role: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    allow_from: tuple[str, ...]
    old_key_valid_until: datetime | None = None  # during a rotation's grace period
    configured: bool = False  # the BANGFU_API_KEY channel: managed in the environment, not here


@dataclass(frozen=True)
class RotatedKey:
    """A client's new key (shown this once) and until when the old one is still accepted."""

    client: Client
    key: str
    old_key_valid_until: datetime


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


def _info(row: ApiClient, now: datetime) -> ClientInfo:
    grace = row.previous_key_expires_at
    return ClientInfo(
        name=row.name,
        role=row.role,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        allow_from=tuple(row.allow_from or ()),
        old_key_valid_until=grace if row.previous_key_hash and grace and grace > now else None,
    )


class ApiClients:
    """Authenticating, registering, listing, rotating and revoking API clients (a part of `Identity`)."""

    _db: Database
    _channel_key: str | None
    _settings: Settings

    def authenticate(self, key: str) -> Client | None:
        """The client presenting `key` (its current key, or its old one within the grace period), or None."""
        key = key.strip()
        if not key:
            return None
        if self._channel_key and hmac.compare_digest(key.encode(), self._channel_key.encode()):
            return Client(
                name=CONFIGURED_CHANNEL, role="channel", allow_from=tuple(self._settings.api_key_allow_from)
            )
        digest = key_hash(key)
        now = utcnow()
        with self._db.read_session() as session:
            row = session.scalar(
                select(ApiClient).where(
                    or_(ApiClient.key_hash == digest, ApiClient.previous_key_hash == digest)
                )
            )
            if row is None or row.revoked_at is not None:
                return None
            if row.key_hash != digest and not (
                row.previous_key_expires_at is not None and row.previous_key_expires_at > now
            ):
                return None  # an old key after its grace period
            client = Client(name=row.name, role=row.role, allow_from=tuple(row.allow_from or ()))
            last_used = row.last_used_at
        if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
            self._touch(client.name, now)
        return client

    def _touch(self, name: str, now: datetime) -> None:
        """Record the key's use; at most once a minute per key, and never a reason to refuse the call."""
        try:
            with self._db.session() as session:
                session.execute(
                    update(ApiClient)
                    .where(
                        ApiClient.name == name,
                        or_(
                            ApiClient.last_used_at.is_(None),
                            ApiClient.last_used_at < now - LAST_USED_RESOLUTION,
                        ),
                    )
                    .values(last_used_at=now)
                )
        except SQLAlchemyError as exc:
            logger.warning("could not record the last use of an API key: %s", type(exc).__name__)

    def create_client(
        self,
        *,
        name: str,
        role: str,
        allow_from: Sequence[str] = (),
        actor: Actor = CLI_ADMIN,
    ) -> tuple[Client, str]:
        """Register a client; returns it with its key, which is shown this once and stored only hashed."""
        name = name.strip()
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        if not name or len(name) > 50 or name == CONFIGURED_CHANNEL:
            raise InvalidInput(f"a client name has 1–50 characters and is not {CONFIGURED_CHANNEL!r}")
        networks = _networks(allow_from)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.session() as session:
            if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
                raise InvalidInput(f"a client named {name!r} exists already")
            session.add(
                ApiClient(
                    name=name,
                    role=role,
                    key_hash=key_hash(key),
                    created_at=utcnow(),
                    allow_from=networks or None,
                )
            )
            audit.record(session, actor=actor, action="create_client", detail=f"client={name} role={role}")
        logger.info("created API client %s with role %s", name, role)
        return Client(name=name, role=role, allow_from=tuple(networks)), key

    def list_clients(self, *, actor: Actor | None = None) -> list[ClientInfo]:
        """Every client, the configured channel first; audit-logged when an `actor` (an admin over the API) asks."""
        now = utcnow()
        configured = (
            [
                ClientInfo(
                    name=CONFIGURED_CHANNEL,
                    role="channel",
                    created_at=None,
                    last_used_at=None,
                    revoked_at=None,
                    allow_from=tuple(self._settings.api_key_allow_from),
                    configured=True,
                )
            ]
            if self._channel_key
            else []
        )
        if actor is not None:
            with self._db.session() as session:
                audit.record(session, actor=actor, action="list_clients")
        with self._db.read_session() as session:
            rows = session.scalars(select(ApiClient).order_by(ApiClient.id))
            return configured + [_info(row, now) for row in rows]

    def revoke_client(self, *, name: str, actor: Actor = CLI_ADMIN) -> ClientInfo:
        """Refuse the client's keys (current and old) from the next request on, on every replica."""
        self._not_configured(name)
        now = utcnow()
        with self._db.session() as session:
            row = session.scalar(
                select(ApiClient).where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
            )
            if row is None:
                raise NotFound(f"no active client named {name!r}")
            row.revoked_at = now
            row.previous_key_hash = None
            row.previous_key_expires_at = None
            audit.record(session, actor=actor, action="revoke_client", detail=f"client={name}")
            info = _info(row, now)
        logger.info("revoked API client %s", name)
        return info

    def rotate_client(
        self, *, name: str, actor: Actor = CLI_ADMIN, grace_hours: int | None = None
    ) -> RotatedKey:
        """A new key for the client; the old one stays valid for `grace_hours` (default: the setting)."""
        self._not_configured(name)
        hours = self._settings.key_rotation_grace_hours if grace_hours is None else grace_hours
        if not 0 <= hours <= 720:
            raise InvalidInput("the grace period is 0–720 hours")
        now = utcnow()
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.session() as session:
            row = session.scalar(
                select(ApiClient).where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
            )
            if row is None:
                raise NotFound(f"no active client named {name!r}")
            until = now + timedelta(hours=hours)
            row.previous_key_hash, row.previous_key_expires_at = (
                (row.key_hash, until) if hours else (None, None)
            )
            row.key_hash = key_hash(key)
            audit.record(
                session, actor=actor, action="rotate_client", detail=f"client={name} grace_hours={hours}"
            )
            client = Client(name=row.name, role=row.role, allow_from=tuple(row.allow_from or ()))
        logger.info("rotated the key of API client %s (old key valid %d h)", name, hours)
        return RotatedKey(client=client, key=key, old_key_valid_until=until)

    @staticmethod
    def _not_configured(name: str) -> None:
        if name == CONFIGURED_CHANNEL:
            raise InvalidInput(
                f"the {CONFIGURED_CHANNEL!r} channel's key is BANGFU_API_KEY: change it in the environment"
            )


def _networks(allow_from: Sequence[str]) -> list[str]:
    try:
        return parse_networks(list(allow_from))
    except ConfigError as exc:  # the settings' parser; here the list is the caller's input
        raise InvalidInput(exc.detail) from None
