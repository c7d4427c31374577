"""A question that names a place prefers that place's documents.

浙江农村低保咋申请 asks for Zhejiang's rule. The national 审批办法 copies more of the question's words (申请, 农村低保)
and outranks the 浙江省社会救助条例, which names the province only in its title. When the question names a place
(jieba's ``ns``: 浙江, 重庆, 绍兴市) and some candidates' titles name it too, those candidates' scores are raised by
PLACE_PREFERENCE; nothing changes when no candidate's title names it, or when the question names no place.

Example::

    named_places("浙江这边申请低保 乡里得多少天查完")   # ("浙江",)
    fused = prefer_named_places(view.chunks, named_places(question), fused)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from core.knowledge.models import ChunkRecord
from core.text import load_jieba

# Score factor of a candidate whose document's title names the asked place. 1.5 lifts the province's rule past
# the national one in the DEV follow-up r-zhejiang-dibao; NCP's tuning and held-out figures are unchanged by it.
PLACE_PREFERENCE = 1.5
_SUFFIXES = "省市县区州"


def named_places(question: str) -> tuple[str, ...]:
    """The places the question names (words jieba's dictionary tags ``ns``), without 省/市/县/区/州 when more is
    left."""
    places = place_words()
    out: list[str] = []
    for word in load_jieba().lcut(question, HMM=False):
        if len(word) < 2 or word not in places:
            continue
        if len(word) >= 3 and word[-1] in _SUFFIXES:
            word = word[:-1]
        out.append(word)
    return tuple(dict.fromkeys(out))


def prefer_named_places(
    chunks: Sequence[ChunkRecord], places: Sequence[str], scores: dict[int, float]
) -> dict[int, float]:
    """`scores` (chunk index → score) with the candidates whose document's title names one of `places` raised."""
    if not places:
        return scores
    named = {i for i in scores if any(p in chunks[i].meta.title for p in places)}
    if not named:
        return scores
    return {i: s * PLACE_PREFERENCE if i in named else s for i, s in scores.items()}


@functools.cache
def place_words() -> frozenset[str]:
    """The words jieba's dictionary tags ``ns`` (about 18,000), read once; jieba.posseg would hold the tag of every
    word of the dictionary (some 50 MB more per process) for this one tag."""
    with load_jieba().dt.get_dict_file() as f:
        rows = (line.decode("utf-8").split() for line in f)
        return frozenset(row[0] for row in rows if len(row) == 3 and row[2] == "ns")
