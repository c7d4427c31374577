"""`Identity`: API clients, cadre accounts, binding codes and chat bindings, over one database."""

from __future__ import annotations

from core.records.db import Database
from core.records.identity.binding import Bindings
from core.records.identity.cadres import CadreAccounts
from core.records.identity.clients import ApiClients, channel_key
from core.records.pii import PiiHasher
from core.settings import Settings


class Identity(ApiClients, CadreAccounts, Bindings):
    """API clients, cadre accounts, binding codes and chat bindings."""

    def __init__(self, db: Database, hasher: PiiHasher, settings: Settings) -> None:
        self._db = db
        self._hasher = hasher
        self._settings = settings
        self._channel_key = channel_key(settings)
