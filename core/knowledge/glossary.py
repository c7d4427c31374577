"""The corpus's glossary and referrals (policies/glossary.yaml), typed and built once per generation.

The glossary maps villagers' words to policy terms (修房子 → 危房改造; the words every county shares ship with the
code in `colloquial.yaml`, a county's glossary adds its own); the referrals name the office that
handles what rural-support policy does not (公积金 → 住房公积金管理中心, 天气 → 气象台). Which matters those are is
product knowledge: the common list ships with the code (`referrals.yaml` beside this module) and holds on any
corpus; a county's glossary `referrals:` only adds to it. Both are stored with a knowledge generation as one list
of entries and read from it through `KnowledgeView.glossary` and `KnowledgeView.referrals`::

    glossary = Glossary([{"colloquial": "修房子", "terms": ["危房改造"]}])
    glossary.expand("俺想修房子")          # (["危房改造"], ["修房子"])
    Referrals([{"office": "住房公积金管理中心", "topics": ["公积金"]}]).match("公积金能取出来盖房不")
    # Referral(office="住房公积金管理中心", topic="公积金")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from core.text import normalize_query

GlossaryEntries = Sequence[Mapping[str, Any]]


@lru_cache(maxsize=1)
def product_glossary() -> tuple[Mapping[str, Any], ...]:
    """How villagers say things, as every county's documents name them (core/knowledge/colloquial.yaml)."""
    text = resources.files("core.knowledge").joinpath("colloquial.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["entries"])


class Glossary:
    """Colloquial → policy term expansion, longest match first (entries without `colloquial` are skipped).

    The county's entries come first and win for a key both name; the product's list (`product_glossary`) adds
    the villagers' words every county shares, so a corpus without a glossary still reads 五保户 as 特困人员.
    """

    def __init__(self, entries: GlossaryEntries, *, product: bool = True) -> None:
        pairs: list[tuple[str, list[str]]] = []
        seen: set[str] = set()
        for e in [*entries, *(product_glossary() if product else ())]:
            key = normalize_query(str(e.get("colloquial", ""))).lower()
            terms = e.get("terms") or []
            if key and key not in seen and isinstance(terms, list):
                seen.add(key)
                pairs.append((key, [str(t) for t in terms]))
        pairs.sort(key=lambda p: -len(p[0]))
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def expand(self, normalized: str) -> tuple[list[str], list[str]]:
        """Terms to add for the colloquial words found in `normalized`, and the words found."""
        text = normalized.lower()
        covered = [False] * len(text)
        terms: list[str] = []
        hits: list[str] = []
        for key, targets in self._pairs:
            start = text.find(key)
            while start != -1:
                if not any(covered[start : start + len(key)]):
                    for i in range(start, start + len(key)):
                        covered[i] = True
                    hits.append(key)
                    terms.extend(t for t in targets if t not in terms and t not in text)
                    break
                start = text.find(key, start + 1)
        return terms, hits


@dataclass(frozen=True)
class Referral:
    """An office that handles what a question is about, and the topic word that named it."""

    office: str
    topic: str


@lru_cache(maxsize=1)
def product_referrals() -> tuple[Mapping[str, Any], ...]:
    """The referrals that ship with the product (core/knowledge/referrals.yaml)."""
    text = resources.files("core.knowledge").joinpath("referrals.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["referrals"])


class Referrals:
    """Topics rural-support policy does not cover → whom to ask instead: the product's list plus the county's."""

    def __init__(self, entries: GlossaryEntries, *, product: bool = True) -> None:
        pairs: list[tuple[str, str]] = []
        # the county's entries first: for a topic both name, the county's own office is the one to ask
        for e in [*entries, *(product_referrals() if product else ())]:
            office, topics = str(e.get("office") or ""), e.get("topics") or []
            if office and isinstance(topics, list):
                pairs.extend((normalize_query(str(t)).lower(), office) for t in topics if str(t).strip())
        pairs.sort(
            key=lambda p: -len(p[0])
        )  # stable; the longest topic wins: 离婚证 (登记处) before 离婚 (法院)
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def match(self, normalized: str) -> Referral | None:
        """The referral whose topic the (normalised) question names, if any."""
        text = normalized.lower()
        for topic, office in self._pairs:
            if topic in text:
                return Referral(office, topic)
        return None
