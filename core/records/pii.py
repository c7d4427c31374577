"""Personal data: ID-card checksums (GB 11643), keyed hashes, masked forms and a log filter.

ID-card and phone numbers are kept only as a keyed hash (for matching) and a masked form (for display)::

    hasher = PiiHasher.from_settings(settings)
    number = normalize_id_number("11010519491231002x")   # raises InvalidInput on a bad checksum
    hasher.id_hash(number), mask_id_number(number)         # 'a3f…', '110***********002X'
    install_log_masking()                                  # in an entrypoint, after logging is configured
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import date

from core.errors import ConfigError, InvalidInput
from core.settings import Settings

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")

# In free text: an 18-character ID or an 11-digit mobile (with +86 or a dialled 0) not glued to other digits;
# a mobile written in groups (138 1234 5678, 138-1234-5678); a 15-digit first-generation ID number; and any run
# of 19 or more digits, which may hide an ID glued to other digits. Household numbers (up to 14 digits in county
# exports) and amounts are left alone.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?|0)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_GROUPED_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -](\d{4})[ -](\d{4})(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)(?:\d{15}|\d{19,})(?!\d)")


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    """An 18-character resident ID number, upper-cased; InvalidInput if its shape, date or checksum is wrong."""
    number = value.strip().upper()
    if not _ID_SHAPE.match(number):
        raise InvalidInput("an ID number has 17 digits and a final digit or X")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput("the birth date inside the ID number is not a real date") from None
    if id_check_char(number[:17]) != number[17]:
        raise InvalidInput("the ID number's check digit does not match (GB 11643 checksum)")
    return number


def birth_date_of(id_number: str) -> date:
    """The birth date encoded in a valid ID number."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def normalize_phone(value: str) -> str:
    """An 11-digit mainland mobile number without spaces, dashes or +86; InvalidInput otherwise."""
    phone = _PHONE_NOISE.sub("", value.strip())
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif len(phone) == 13 and phone.startswith("86"):
        phone = phone[2:]
    if not _MOBILE.match(phone):
        raise InvalidInput("a mobile number has 11 digits and starts with 13–19")
    return phone


def mask_id_number(number: str) -> str:
    """`110105194912310021` → `110***********0021`."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """`13800001234` → `138****1234`."""
    return phone[:3] + "****" + phone[-4:]


class PiiHasher:
    """Keyed HMAC-SHA256 of ID and phone numbers: equal inputs match, the value cannot be read back."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ConfigError("the PII hashing key is empty")
        self._key = key.encode("utf-8")

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiHasher:
        """The hasher over `BANGFU_SECRET_KEY` (a generated local key in development)."""
        key = settings.secret_key
        if not key:
            if settings.is_production:
                raise ConfigError("BANGFU_SECRET_KEY must be set in production")
            key = settings.dev_secret("secret_key")
        return cls(key)

    def digest(self, kind: str, value: str) -> str:
        """Hex HMAC of `value` in its own domain `kind` (so an ID and a code never collide)."""
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def id_hash(self, number: str) -> str:
        return self.digest("id", number)

    def phone_hash(self, phone: str) -> str:
        return self.digest("phone", phone)


def mask_text(text: str) -> str:
    """Mask every ID-number-like and mobile-like run of digits in free text."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0).upper()), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _GROUPED_MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LONG_DIGITS.sub(lambda m: mask_id_number(m.group(0)), text)


def looks_personal(text: str) -> bool:
    """Whether `text` holds something `mask_text` would mask (an ID or phone number, a long digit run)."""
    return mask_text(text) != text


class PiiLogFilter(logging.Filter):
    """Masks ID and mobile numbers in a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> PiiLogFilter:
    """Attach one `PiiLogFilter` to every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
    return _FILTER


_FILTER = PiiLogFilter()
