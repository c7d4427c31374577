"""Bytes to text: UTF-8/16/32 (BOM or not), GB18030/GBK/GB2312 and Big5 told apart, binary data refused; and the
clean-up every format's text gets (newlines, NULs, trailing spaces, blank-line runs)."""

from __future__ import annotations

import logging
import re
import unicodedata

from core.errors import CorpusError

logger = logging.getLogger(__name__)

_CJK_RANGES = (
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
    (0x2000, 0x206F),  # general punctuation (“” — …)
    (0x2100, 0x218F),  # letterlike symbols, number forms (Ⅰ Ⅱ)
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (■ ●)
    (0x3100, 0x312F),  # bopomofo
    (0x00B7, 0x00B7),  # middle dot
    (0x00D7, 0x00D7),  # multiplication sign
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _is_common_char(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80:
        return ch.isprintable() or ch in _ALLOWED_CONTROLS
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def _is_bad_char(ch: str) -> bool:
    """Characters that do not occur in real text: controls, unassigned, surrogates, replacement char."""
    if ch in _ALLOWED_CONTROLS:
        return False
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Cs", "Cn")


def looks_like_text(text: str, *, strict: bool) -> bool:
    """Reject decodings of binary data; `strict` also demands mostly Chinese/ASCII (for legacy encodings)."""
    if "\x00" in text:
        return False
    sample = text[:200_000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if _is_bad_char(ch))
    if bad > max(2, len(sample) // 200):
        return False
    if strict:
        common = sum(1 for ch in sample if _is_common_char(ch))
        return common >= 0.9 * len(sample)
    return True


def _hanzi(text: str) -> list[str]:
    return [ch for ch in text[:50_000] if "\u4e00" <= ch <= "\u9fff"]


def _gb2312_share(text: str) -> float:
    """Share of the ideographs that are in GB2312: high for real GBK text, low for Big5 bytes read as GBK."""
    chars = _hanzi(text)
    if not chars:
        return 1.0
    ok = 0
    for ch in chars:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        ok += 1
    return ok / len(chars)


def _big5_common_share(text: str) -> float:
    """Share of the ideographs in Big5's frequent-character block (lead bytes A4-C6)."""
    chars = _hanzi(text)
    if not chars:
        return 0.0
    ok = 0
    for ch in chars:
        try:
            encoded = ch.encode("big5")
        except UnicodeEncodeError:
            continue
        if 0xA4 <= encoded[0] <= 0xC6:
            ok += 1
    return ok / len(chars)


def strict_decode(raw: bytes, encoding: str) -> str | None:
    """`raw` decoded with `encoding`, or None when it does not decode."""
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a BOM: accept a byte order only if it yields plausible text (ASCII read in the wrong
    order becomes unassigned or non-Chinese code points and fails the check)."""
    if len(raw) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = strict_decode(raw, encoding)
        if text is not None and looks_like_text(text, strict=True):
            return text
    return None


def _decode_legacy_chinese(raw: bytes) -> str | None:
    """Choose between GB18030 (a superset of GBK and GB2312) and Big5 by how common the characters are."""
    gb = strict_decode(raw, "gb18030")
    big5 = strict_decode(raw, "big5")
    candidates: list[tuple[float, str]] = []
    if gb is not None and looks_like_text(gb, strict=True):
        candidates.append((_gb2312_share(gb), gb))
    if big5 is not None and looks_like_text(big5, strict=True):
        candidates.append((_big5_common_share(big5) - 0.05, big5))  # ties go to GB18030
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


def _decode_lenient(raw: bytes, name: str) -> str | None:
    """A few broken bytes (a truncated last character, say) should not lose a whole file."""
    for encoding in ("utf-8", "gb18030"):
        text = raw.decode(encoding, errors="replace")
        if text.count("\ufffd") <= max(1, len(text) // 1000) and looks_like_text(
            text.replace("\ufffd", ""), strict=True
        ):
            logger.warning(
                "%s: decoded as %s with %d undecodable bytes replaced", name, encoding, text.count("\ufffd")
            )
            return text
    return None


def _decode_with_charset_normalizer(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return None
    text = str(best)
    return text if looks_like_text(text, strict=True) else None


def decode_text(raw: bytes, *, name: str = "the input") -> str:
    """Decode a text file's bytes, detecting UTF-8/16/32 (BOM), GB18030/GBK/GB2312 and Big5; reject binary data."""
    if not raw:
        raise CorpusError(f"{name} is empty")
    text: str | None = None
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            decoded = strict_decode(raw[len(bom) :], encoding)
            text = decoded if decoded is not None and looks_like_text(decoded, strict=False) else None
            if text is None:
                raise CorpusError(f"{name} is not a text file or uses an unknown encoding")
            break
    else:
        if b"\x00" in raw:
            text = _decode_utf16_without_bom(raw)
        else:
            utf8 = strict_decode(raw, "utf-8")
            if utf8 is not None and looks_like_text(utf8, strict=False):
                text = utf8
            else:
                text = (
                    _decode_legacy_chinese(raw)
                    or _decode_lenient(raw, name)
                    or _decode_with_charset_normalizer(raw)
                )
    if text is None:
        raise CorpusError(f"{name} is not a text file or uses an unknown encoding")
    if not text.replace("\ufeff", "").strip():
        raise CorpusError(f"{name} is empty")
    return text


# --------------------------------------------------------------------------------------------------------------
# Text clean-up shared by every format

_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Normalise newlines to "\\n", drop NULs and BOMs, strip trailing spaces and outer blank lines."""
    text = _LINE_BREAKS.sub("\n", text).replace("\x00", "").replace("\ufeff", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")
