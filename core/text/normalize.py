"""Width, script and whitespace normalisation of user text and policy text.

Example:
    >>> normalize_query("  醫療補貼　ＡＢＣ１２３？ ")
    '医疗补贴 ABC123？'

opencc is loaded lazily on first use, never at import.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Full-width forms that are ordinary Chinese punctuation: a query or a citation keeps them as they are.
_KEEP_FULLWIDTH = frozenset("，！？：；（）")
_HALFWIDTH_TABLE: dict[int, int] = {
    cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH
}
_HALFWIDTH_TABLE[0x3000] = 0x20  # ideographic space

_WHITESPACE_RUN = re.compile(r"\s+")


def to_halfwidth(s: str) -> str:
    """Convert full-width ASCII letters, digits and symbols to half-width; keep Chinese punctuation."""
    return s.translate(_HALFWIDTH_TABLE)


@functools.lru_cache(maxsize=1)
def _t2s_converter() -> Any:
    import opencc  # lazy: loads its dictionaries on first use

    return opencc.OpenCC("t2s")


def to_simplified(s: str) -> str:
    """Convert traditional Chinese characters to simplified (OpenCC t2s)."""
    if not s:
        return s
    return str(_t2s_converter().convert(s))


def normalize_query(s: str) -> str:
    """Normalise user text: half-width, single spaces, stripped, simplified characters."""
    s = unicodedata.normalize("NFC", s)
    s = to_halfwidth(s)
    s = _WHITESPACE_RUN.sub(" ", s).strip()
    return to_simplified(s)
