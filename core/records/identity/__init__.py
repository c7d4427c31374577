"""Who is asking: API clients and their roles, cadre accounts, binding codes and chat bindings.

Binding a chat user to a household (or a cadre account) is a login. A cadre or an admin issues a single-use
8-character code; the chat user gives it together with a phone number the channel has verified, which must
match the phone on record. Failed attempts are counted in the database (so the limits hold across API
replicas): at most 5 per chat user per hour, 50 per channel per hour (all its chat users together), and 5 per
code, after which the code is dead::

    identity = Identity(db, hasher, settings)
    issued = identity.issue_household_code(household_no="...", actor=CLI_ADMIN)
    who = identity.bind(channel="telegram", chat_user_id="42", code=issued.code, phone="13800001234")
    identity.resolve(channel="telegram", chat_user_id="42").household_no

Codes, API keys and phone numbers are stored only as hashes.

| module | holds |
|---|---|
| `tables` | the ORM tables |
| `clients` | API clients, their keys, rotation, revocation and allowed addresses (`ApiClients`) |
| `cadres` | cadre accounts (`CadreAccounts`) |
| `binding` | binding codes, binding and resolving chat users (`Bindings`) |
| `service` | `Identity`, the three parts over one database |
"""

from core.records.identity.binding import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ChatIdentity,
    IssuedCode,
    normalize_code,
)
from core.records.identity.cadres import CadreInfo
from core.records.identity.clients import (
    CONFIGURED_CHANNEL,
    KEY_PREFIX,
    ROLES,
    Client,
    ClientInfo,
    RotatedKey,
    key_hash,
)
from core.records.identity.service import Identity
from core.records.identity.tables import ApiClient, BindingCode, BindingFailure, Cadre, ChatBinding

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CONFIGURED_CHANNEL",
    "KEY_PREFIX",
    "ROLES",
    "ApiClient",
    "BindingCode",
    "BindingFailure",
    "Cadre",
    "CadreInfo",
    "ChatBinding",
    "ChatIdentity",
    "Client",
    "ClientInfo",
    "Identity",
    "IssuedCode",
    "RotatedKey",
    "key_hash",
    "normalize_code",
]
